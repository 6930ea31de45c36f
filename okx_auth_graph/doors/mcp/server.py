"""The MCP server: the okx auth tools, each a thin door over the auth graph (docs/mcp.md).

No tool takes a site, an okx program, a HOME or an environment: the site comes from the user's
answer to an elicitation (docs/spec.md, D26) and the okx adapter is the operator's, fixed when the
server is built. ``language`` (``zh`` or ``en``) picks the texts; without it the server's default
(``OKX_AUTH_LANGUAGE``, else ``en``) holds.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import Field

from okx_auth_graph.doors.mcp.door import AuthDoor
from okx_auth_graph.extras import extra_needed
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.state import Language

with extra_needed("mcp", "the MCP server"):
    from mcp.server.fastmcp import Context as McpContext
    from mcp.server.fastmcp import FastMCP
    from mcp.server.transport_security import TransportSecuritySettings
    from mcp.types import ToolAnnotations


SERVER_NAME: Final = "okx-auth"
LOCAL_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8765
INSTRUCTIONS: Final = (
    "OKX CLI authentication. Call okx_login to log the user in: it asks the user for the site "
    "itself (you cannot pass one) and returns the verification URL and code; show the result's "
    "`message` to the user exactly as written, then call okx_check_login, which asks the user "
    "whether they finished. Run okx skill commands with okx_run_command; when it says to log "
    "in, call okx_login, then run the failed command once more."
)

LanguageArg = Annotated[
    Literal["zh", "en"] | None,
    Field(description="The user's language for the texts: zh or en (default: the server's)."),
]


def transport_security(port: int) -> TransportSecuritySettings:
    """Only this machine's own names on ``port`` as Host, and no foreign Origin (DNS rebinding)."""
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[f"{LOCAL_HOST}:{port}", f"localhost:{port}"],
        allowed_origins=[f"http://{LOCAL_HOST}:{port}", f"http://localhost:{port}"],
    )


class OkxAuthTools:
    """The tools, as methods over one :class:`~.door.AuthDoor`.

    Their docstrings are their descriptions; FastMCP reads the arguments from the signatures.
    """

    def __init__(self, door: AuthDoor) -> None:
        self.door = door

    async def okx_auth_status(
        self, ctx: McpContext[Any, Any, Any], language: LanguageArg = None
    ) -> dict[str, Any]:
        """Report how the user is authenticated with okx (runs the pre-flight; never logs in).

        The result's ``message`` says it for the user; ``auth`` has the OAuth status, site and
        scopes (nothing else of the session), ``api_key_profile`` names an API-key profile.
        """
        return await self.door.entry(ctx, "status", language)

    async def okx_login(
        self, ctx: McpContext[Any, Any, Any], language: LanguageArg = None
    ) -> dict[str, Any]:
        """Log the user in to OKX (OAuth device code); the user chooses the site, not you.

        Runs the pre-flight: an API key or a session means no new login; a login already in
        progress is shown again. Otherwise the user is asked for the site directly, and the
        result carries the verification URL and code: show ``message`` exactly as written, then
        call okx_check_login. Without elicitation in this client the result explains what the
        user can do instead.
        """
        return await self.door.entry(ctx, "login", language)

    async def okx_check_login(
        self, ctx: McpContext[Any, Any, Any], language: LanguageArg = None
    ) -> dict[str, Any]:
        """Ask the user whether they finished the browser authorisation, then check once.

        Where this client opens links (URL-mode elicitation) the user is sent to the
        verification page; otherwise a form asks. Each time the user confirms, okx is asked
        once; a code that lapsed or was rejected leads to the retry question (asked of the
        user) and the site menu again.
        """
        return await self.door.check_login(ctx, language)

    async def okx_logout(
        self, ctx: McpContext[Any, Any, Any], language: LanguageArg = None
    ) -> dict[str, Any]:
        """Log out of OKX OAuth (``okx auth logout``) whenever a session or a pending code exists."""
        return await self.door.entry(ctx, "logout", language)

    async def okx_binary_status(
        self, ctx: McpContext[Any, Any, Any], language: LanguageArg = None
    ) -> dict[str, Any]:
        """Report whether the okx-auth binary (needed for OAuth) is installed."""
        return await self.door.entry(ctx, "binary_status", language)

    async def okx_install_binary(
        self, ctx: McpContext[Any, Any, Any], language: LanguageArg = None
    ) -> dict[str, Any]:
        """Install or update the okx-auth binary (``okx auth install``), then verify it.

        Sends progress notifications while the download runs.
        """
        await ctx.report_progress(0, 1, "installing okx-auth")
        result = await self.door.entry(ctx, "binary_install", language)
        await ctx.report_progress(1, 1, "okx-auth install finished")
        return result

    async def okx_remove_binary(
        self, ctx: McpContext[Any, Any, Any], language: LanguageArg = None
    ) -> dict[str, Any]:
        """Remove the okx-auth binary (``okx auth remove --force``) once the user confirms it."""
        return await self.door.entry(ctx, "binary_remove", language)

    async def okx_run_command(
        self,
        ctx: McpContext[Any, Any, Any],
        argv: Annotated[
            list[str],
            Field(
                description="The okx arguments without `okx`, e.g. "
                '["account", "balance", "--json"]; the first is a skill module: market, '
                "account, spot, swap, futures, option, earn or bot."
            ),
        ],
        language: LanguageArg = None,
    ) -> dict[str, Any]:
        """Run an okx skill command (market, account, spot, swap, futures, option, earn, bot).

        Anything else (config, auth, setup, options before the module) is refused. On an
        authentication failure the result says to call okx_login and carries
        ``failed_command``: run its ``argv`` once more after the login.
        """
        return await self.door.run_command(ctx, argv, language)


TOOL_HINTS: Final[dict[str, ToolAnnotations]] = {
    "okx_auth_status": ToolAnnotations(readOnlyHint=True),
    "okx_login": ToolAnnotations(readOnlyHint=False, destructiveHint=False),
    "okx_check_login": ToolAnnotations(readOnlyHint=False, destructiveHint=False),
    "okx_logout": ToolAnnotations(readOnlyHint=False, destructiveHint=True),
    "okx_binary_status": ToolAnnotations(readOnlyHint=True),
    "okx_install_binary": ToolAnnotations(readOnlyHint=False, destructiveHint=False),
    "okx_remove_binary": ToolAnnotations(readOnlyHint=False, destructiveHint=True),
    "okx_run_command": ToolAnnotations(readOnlyHint=False, openWorldHint=True),
}
"""Each tool, in the order a client lists them, with what it may change (MCP tool hints)."""


def build_server(cli: OkxCli, *, language: Language = "en", port: int = DEFAULT_PORT) -> FastMCP:
    """The MCP server over ``cli`` (the operator's okx), bound to 127.0.0.1 for HTTP.

    Args:
        cli: The okx adapter every tool uses.
        language: The texts' language when a call names none.
        port: The streamable-HTTP port (unused over stdio).
    """
    server = FastMCP(
        SERVER_NAME,
        instructions=INSTRUCTIONS,
        host=LOCAL_HOST,
        port=port,
        transport_security=transport_security(port),
        log_level="WARNING",  # no line per request on stderr
    )
    tools = OkxAuthTools(AuthDoor(cli, language=language))
    for name, hints in TOOL_HINTS.items():
        server.add_tool(getattr(tools, name), name=name, annotations=hints)
    return server
