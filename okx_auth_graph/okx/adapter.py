"""The okx CLI adapter: the only code in the project that runs ``okx``.

:class:`OkxCli` runs okx commands through a runner (a real subprocess by default, or the
in-process emulator from :mod:`okx_auth_graph.testing`), validates what they print with the
pydantic models of :mod:`okx_auth_graph.okx.models`, and returns plain-dict summaries that are safe
to keep in graph state. Every failure becomes an :class:`~okx_auth_graph.okx.errors.OkxCliError`.

Everything okx prints loses its terminal control sequences first; error kinds are then read
from that raw text, and only then is the text masked (:mod:`okx_auth_graph.okx.redact`): the
adapter learns the secrets from ``OKX_*`` variables, from ``config show --json`` and from the
config file itself (re-read when it changes), so an error is masked whatever call revealed
the secret first. A config file that does not parse gets a fixed message naming the file and
the line, never the lines okx quoted.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from typing_extensions import TypedDict

from okx_auth_graph.context import Context, seconds
from okx_auth_graph.okx.errors import MIN_AUTH_VERSION, ErrorKind, OkxCliError, classify_message
from okx_auth_graph.okx.models import (
    AuthStatus,
    AuthStatusOutput,
    CommandOutcome,
    ConfigShow,
    ConfigSummary,
    InstallOutput,
    InstallStatus,
    InstallStatusOutput,
    LoginChallenge,
    LoginChallengeOutput,
    LoginSkipped,
    LoginSkippedOutput,
    RemoveOutput,
)
from okx_auth_graph.okx.process import (
    OkxRunner,
    RawResult,
    StatefulRunner,
    SubprocessRunner,
    TerminalRunner,
)
from okx_auth_graph.okx.redact import (
    SecretSet,
    clean_data,
    clean_text,
    config_file_secrets,
    find_secrets,
    secret_values,
)
from okx_auth_graph.okx.sites import SITE_IDS, site_of_base_url

DEFAULT_TIMEOUT = 30.0
DEFAULT_LOGIN_TIMEOUT = 900.0
MAX_OUTPUT_BYTES = 1 << 20
CLASSIFY_WINDOW = 16_384

_M = TypeVar("_M", bound=BaseModel)
_VERSION_RE = re.compile(r"(\d+)\.(\d+)\.(\d+)(?:-([A-Za-z]+)\.?(\d+)?)?")


class CommandResult(TypedDict):
    """A successful downstream okx command: its argv, text output and parsed JSON (or None)."""

    argv: list[str]
    stdout: str
    json: Any


def parse_version(text: str) -> tuple[int, int, int, int, int]:
    """Parse ``1.3.1-beta.17 (abc)`` into a sortable tuple; a release sorts after its betas.

    Raises:
        ValueError: If ``text`` holds no version number.
    """
    match = _VERSION_RE.search(text)
    if match is None:
        raise ValueError(f"no version number in {text!r}")
    major, minor, patch, tag, num = match.groups()
    pre_rank = 1 if tag is None else 0
    return (int(major), int(minor), int(patch), pre_rank, int(num or 0))


def supports_auth(version: str) -> bool:
    """Whether an okx version has the ``okx auth`` commands (1.3.1-beta.17 and later)."""
    return parse_version(version) >= parse_version(MIN_AUTH_VERSION)


class OkxCli:
    """Async adapter for the okx CLI.

    Args:
        executable: The okx program (name on ``PATH`` or a path). Ignored when ``runner`` is given.
        runner: Runs one okx command; defaults to a :class:`SubprocessRunner` for ``executable``.
        home: ``HOME`` for the child process (where ``~/.okx`` lives).
        env: Extra environment variables for the child process.
        timeout: Seconds allowed for each call.
        login_timeout: Seconds allowed for the blocking interactive ``okx auth login``.
    """

    def __init__(
        self,
        executable: str = "okx",
        *,
        runner: OkxRunner | None = None,
        home: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        login_timeout: float = DEFAULT_LOGIN_TIMEOUT,
    ) -> None:
        timeout = seconds("timeout", timeout)
        login_timeout = seconds("login_timeout", login_timeout)
        child_env = dict(os.environ)
        child_env.update(env or {})
        if home is not None:
            child_env["HOME"] = home
        self.executable = executable
        self.home = home
        self.okx_dir = Path(child_env.get("HOME") or Path.home()) / ".okx"
        """Where a real okx run by this adapter keeps its config and state (``HOME/.okx``)."""
        self.timeout = timeout
        self.login_timeout = login_timeout
        self.runner: OkxRunner = runner or SubprocessRunner(executable, env=child_env)
        self.secrets = SecretSet(child_env)
        self._config_seen: tuple[int, int, int] | None = None

    @classmethod
    def from_context(cls, context: Context | None = None) -> OkxCli:
        """The adapter a run's :class:`~okx_auth_graph.context.Context` asks for.

        The one place an adapter is built from a context (the graph, the tools and the chat
        use it); ``None`` reads the environment (``OKX_EXECUTABLE``, ``OKX_HOME``, …).
        """
        ctx = context if context is not None else Context()
        return cls(
            ctx.okx_executable,
            home=ctx.okx_home,
            env=ctx.okx_env,
            timeout=ctx.timeout,
            login_timeout=ctx.login_timeout,
        )

    @property
    def login_lock_dir(self) -> Path:
        """The folder whose login lock serialises this adapter's ``okx auth login`` calls.

        The runner's ``state_dir`` when it declares one (:class:`StatefulRunner`, e.g. the
        emulator's world), else :attr:`okx_dir`.
        """
        if isinstance(self.runner, StatefulRunner):
            return Path(self.runner.state_dir)
        return self.okx_dir

    def config_init(self, *, timeout: float = DEFAULT_LOGIN_TIMEOUT) -> int:
        """Hand the terminal to the ``okx config init`` wizard; return its exit status.

        Blocking (the wizard owns the terminal). Only for a person at a terminal: the chat
        offers it after an explicit yes.

        Raises:
            ValueError: ``timeout`` is no finite positive number of seconds (nothing is run).
            OSError: okx could not be started, or the runner cannot use a terminal.
            subprocess.TimeoutExpired: The wizard ran longer than ``timeout`` seconds.
        """
        timeout = seconds("timeout", timeout)
        if not isinstance(self.runner, TerminalRunner):
            raise OSError(f"{type(self.runner).__name__} cannot run okx in a terminal")
        return self.runner.in_terminal(["config", "init"], timeout=timeout)

    @property
    def config_file(self) -> Path:
        """The ``~/.okx/config.toml`` this okx reads."""
        path = getattr(self.runner, "config_path", None)  # the in-process emulator's user
        if path is not None:
            return Path(path)
        return self.okx_dir / "config.toml"

    def mask(self, text: str, *, error: bool = False) -> str:
        """Clean ``text`` (:func:`~okx_auth_graph.okx.redact.clean_text`), then mask every secret.

        Masked: every secret this adapter knows, any ``api_key = …`` in the text, URL userinfo
        (with or without a scheme) and okx's own partial masks (``AKc***789``).

        Args:
            text: Text from okx (or about it: a caller's ``failed_command.error``).
            error: An error text: lines of the config file are masked too (okx quotes them).
        """
        text = clean_text(text)
        self.secrets.add(find_secrets(text))
        return self.secrets.mask(text, error=error)

    def learn_config_file(self) -> None:
        """Learn the secrets of the config file (blocking I/O; re-read only when it changed)."""
        path = self.config_file
        try:
            info = path.stat()
            seen = (info.st_mtime_ns, info.st_size, info.st_ino)
            if seen == self._config_seen:
                return
            with path.open("rb") as handle:
                data = handle.read(MAX_OUTPUT_BYTES)
        except (OSError, ValueError):
            return
        values, lines = config_file_secrets(data.decode("utf-8", errors="replace"))
        self.secrets.add(values)
        self.secrets.add_lines(lines)
        self._config_seen = seen

    async def run_raw(
        self,
        argv: Sequence[str],
        *,
        timeout: float | None = None,
        stdin: bytes | None = None,
        on_stdout: Callable[[bytes], None] | None = None,
    ) -> RawResult:
        """Run ``okx *argv`` and return the raw result; only start-up and timeouts raise.

        ``on_stdout`` receives standard output as it arrives, when the runner can stream it.

        Raises:
            ValueError: ``timeout`` is no finite positive number of seconds (nothing is run).
            OkxCliError: ``cli_not_found`` or ``timeout``.
        """
        limit = self.timeout if timeout is None else seconds("timeout", timeout)
        args = [str(a) for a in argv]
        streaming = {"on_stdout": on_stdout} if on_stdout and _streams(self.runner) else {}
        try:
            raw = await self.runner(args, timeout=limit, stdin=stdin, **streaming)
        except TimeoutError:
            raise OkxCliError(
                "timeout", f"okx {' '.join(args)} did not finish within {limit:g} s", argv=args
            ) from None
        except OSError as exc:
            raise OkxCliError(
                "cli_not_found",
                self.mask(
                    f"the okx CLI could not be started ({self.executable}): {exc.strerror or exc}"
                ),
                argv=args,
            ) from None
        except ValueError as exc:
            raise OkxCliError(
                "unknown", self.mask(f"okx could not be run with these arguments: {exc}"), argv=args
            ) from None
        if len(raw.stdout) > MAX_OUTPUT_BYTES or len(raw.stderr) > MAX_OUTPUT_BYTES:
            raw = RawResult(
                raw.argv,
                raw.exit_code,
                raw.stdout[:MAX_OUTPUT_BYTES],
                raw.stderr[:MAX_OUTPUT_BYTES],
            )
        return raw

    def _text(self, raw: RawResult, stream: bytes) -> str:
        """Decode output for parsing, controls removed (unmasked: mask before showing any)."""
        try:
            text = clean_text(stream.decode("utf-8"))
        except UnicodeDecodeError:
            raise OkxCliError(
                "unparseable_output",
                f"okx {' '.join(raw.argv)} printed invalid UTF-8",
                argv=raw.argv,
                exit_code=raw.exit_code,
            ) from None
        self.secrets.add(find_secrets(text))
        return text

    def _failure(self, raw: RawResult) -> OkxCliError:
        err = clean_text(raw.stderr.decode("utf-8", errors="replace"))
        out = clean_text(raw.stdout.decode("utf-8", errors="replace"))
        text = "\n".join(t for t in (err.strip(), out.strip()) if t)
        kind = _classify(text)
        if kind == "unknown" and raw.argv[:1] == ("auth",) and _UNKNOWN_SYNTAX.search(text):
            kind = "cli_too_old"
        return self._error(kind, text, raw)

    def _error(self, kind: ErrorKind, text: str, raw: RawResult) -> OkxCliError:
        """The typed error for okx's raw (cleaned, unmasked) error ``text``."""
        argv, code = raw.argv, raw.exit_code
        if kind == "config_invalid" and _TOML_ERROR.search(text):
            where = _toml_error_line(text)
            return OkxCliError(
                kind,
                f"okx cannot read its config file {self.config_file}: {where} is not valid "
                "TOML. (okx quotes that line in its error; it is not repeated here because it "
                "may hold a secret.)",
                argv=argv,
                exit_code=code,
                action=f"open {self.config_file} and fix {where} (a missing or extra quote, a "
                "value split over two lines), or move the file away and run okx config init; "
                "then retry",
            )
        message = self.mask(text, error=True) or (
            f"okx {' '.join(argv)} exited with code {code} and printed nothing"
        )
        return OkxCliError(kind, _clip(message), argv=argv, exit_code=code)

    async def _checked(
        self, argv: Sequence[str], *, timeout: float | None = None, stdin: bytes | None = None
    ) -> tuple[RawResult, str]:
        raw = await self.run_raw(argv, timeout=timeout, stdin=stdin)
        await asyncio.to_thread(self.learn_config_file)
        if raw.exit_code != 0:
            raise self._failure(raw)
        return raw, self._text(raw, raw.stdout)

    def _json(self, raw: RawResult, text: str) -> Any:
        """Parse the JSON document in ``text``: the whole text, else its last JSON line."""
        candidates = [text.strip()] + [
            line.strip() for line in reversed(text.splitlines()) if line.strip()[:1] in "{["
        ]
        for candidate in candidates:
            if not candidate:
                continue
            try:
                return clean_data(json.loads(candidate))
            except (ValueError, RecursionError):
                continue
        stderr = clean_text(raw.stderr.decode("utf-8", errors="replace"))
        kind = _classify(stderr + "\n" + text)
        detail = self.mask(text.strip(), error=True)[:300] or "(empty output)"
        if kind != "unknown":
            raise self._error(kind, stderr.strip() or text.strip(), raw)
        raise OkxCliError(
            "unparseable_output",
            f"okx {' '.join(raw.argv)} printed no JSON: {detail}",
            argv=raw.argv,
            exit_code=raw.exit_code,
        )

    def _model(self, raw: RawResult, data: Any, model: type[_M]) -> _M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            fields = ", ".join(".".join(map(str, e["loc"])) or "(root)" for e in exc.errors())
            raise OkxCliError(
                "unparseable_output",
                f"okx {' '.join(raw.argv)} printed JSON of an unexpected shape (fields: {fields})",
                argv=raw.argv,
                exit_code=raw.exit_code,
            ) from None

    async def version(self) -> str:
        """``okx --version``: the version number, e.g. ``1.2.4``."""
        raw, text = await self._checked(["--version"])
        match = _VERSION_RE.search(text)
        if match is None:
            raise OkxCliError(
                "unparseable_output",
                f"okx --version printed {self.mask(text.strip()[:80])!r}",
                argv=raw.argv,
                exit_code=raw.exit_code,
            )
        return match.group(0)

    async def require_auth_support(self) -> str:
        """``okx --version``, failing unless this okx has the ``okx auth`` commands.

        Returns:
            The version number (1.3.1-beta.17 or later).

        Raises:
            OkxCliError: ``cli_too_old`` for older versions.
        """
        found = await self.version()
        if not supports_auth(found):
            raise OkxCliError(
                "cli_too_old",
                f"okx {found} has no okx auth commands (they need {MIN_AUTH_VERSION} or later)",
                argv=["--version"],
            )
        return found

    async def config_show(self) -> ConfigSummary:
        """``okx config show --json`` as a redacted summary (no api_key, secret_key, passphrase)."""
        raw, text = await self._checked(["config", "show", "--json"])
        data = self._json(raw, text)
        self.secrets.add(secret_values(data))
        config = self._model(raw, data, ConfigShow)
        return {
            "exists": bool(config.profiles),
            "default_profile": config.default_profile,
            "profiles": [
                {
                    "name": name,
                    "site": profile.site or site_of_base_url(profile.base_url),
                    "demo": bool(profile.demo),
                    "has_api_key": bool(profile.api_key),
                }
                for name, profile in config.profiles.items()
            ],
        }

    async def auth_status(self) -> AuthStatus:
        """``okx auth status --json``: status, site and scopes (expiresAt/ttl/profile dropped).

        A lapsed session (``not_logged_in`` with "Session expired" on stderr, exit 0) is
        marked ``session_expired``.
        """
        raw, text = await self._checked(["auth", "status", "--json"])
        status = self._model(raw, self._json(raw, text), AuthStatusOutput)
        summary: AuthStatus = {
            "status": status.status,
            "site": status.site or None,
            "scopes": status.scopes,
        }
        stderr = raw.stderr.decode("utf-8", errors="replace")
        if status.status == "not_logged_in" and _EXPIRED.search(stderr[-CLASSIFY_WINDOW:]):
            summary["session_expired"] = True
        return summary

    async def login_manual(self, site: str) -> LoginChallenge | LoginSkipped:
        """``okx auth login --manual --site SITE``: a device-code challenge or the skipped answer.

        Raises:
            ValueError: If ``site`` is not a site id (user text never reaches argv).
        """
        _check_site(site)
        raw, text = await self._checked(["auth", "login", "--manual", "--site", site])
        data = self._json(raw, text)
        if isinstance(data, dict) and data.get("status") == "skipped":
            skipped = self._model(raw, data, LoginSkippedOutput)
            return {"status": "skipped", "reason": skipped.reason, "profile": skipped.profile}
        challenge = self._model(raw, data, LoginChallengeOutput)
        return {
            "verificationUri": self.mask(challenge.verification_uri),
            "userCode": self.mask(challenge.user_code),
            "expiresIn": challenge.expires_in,
        }

    async def login_interactive(
        self, site: str, on_challenge: Callable[[LoginChallenge], None] | None = None
    ) -> CommandOutcome:
        """Blocking ``okx auth login --site SITE`` (polls until the browser side finishes).

        The output is read as it arrives: as soon as it shows the verification URL and code,
        ``on_challenge`` gets them (once), while the login still waits for the browser. The
        config file's secrets are learnt before okx starts, so what is handed on or raised is
        masked even when this is the adapter's first call.

        Returns:
            ``{"status": "logged_in" | "skipped", "text": …}``.

        Raises:
            ValueError: If ``site`` is not a site id.
            OkxCliError: On failure (timed out, denied, network, …).
        """
        _check_site(site)
        argv = ["auth", "login", "--site", site]
        reader = _ChallengeReader(on_challenge, self.mask) if on_challenge is not None else None
        await asyncio.to_thread(self.learn_config_file)
        raw = await self.run_raw(
            argv, timeout=self.login_timeout, on_stdout=reader.feed if reader else None
        )
        if reader is not None and not reader.sent:
            reader.feed(raw.stdout)  # a runner that cannot stream: read it all at once
        if raw.exit_code != 0:
            raise self._failure(raw)
        text = self._text(raw, raw.stdout)
        if "API key already configured" in text:
            return {"status": "skipped", "text": self.mask(text.strip())}
        if "Logged in successfully" in text:
            return {"status": "logged_in", "text": self.mask(text.strip())}
        raise OkxCliError(
            "unknown",
            _clip(self.mask(text.strip(), error=True)) or "okx auth login printed nothing",
            argv=["auth", "login", "--site", site],
        )

    async def logout(self) -> CommandOutcome:
        """``okx auth logout`` (the client registration is kept)."""
        _, text = await self._checked(["auth", "logout"])
        return {"status": "logged_out", "text": self.mask(text.strip())}

    async def install(self) -> CommandOutcome:
        """``okx auth install --json``: ``installed`` or ``up-to-date``; failure raises.

        A failed install exits 1 with its JSON report on stdout: the error is its ``error``
        field ("Installation failed: All CDN sources failed"), never the raw JSON. The config
        file's secrets are learnt before any text is shown, so even a first call masks what
        okx quotes from that file.
        """
        raw = await self.run_raw(["auth", "install", "--json"])
        await asyncio.to_thread(self.learn_config_file)
        if raw.exit_code != 0:
            try:
                data = json.loads(raw.stdout.decode("utf-8", errors="replace").strip())
            except (ValueError, RecursionError):
                raise self._failure(raw) from None
            if not isinstance(data, dict) or not data.get("error"):
                raise self._failure(raw)
            text = clean_text(f"Installation failed: {data['error']}")
            message = _clip(self.mask(text, error=True))
            raise OkxCliError(
                classify_message(text), message, argv=raw.argv, exit_code=raw.exit_code
            )
        text = self._text(raw, raw.stdout)
        result = self._model(raw, self._json(raw, text), InstallOutput)
        if result.status == "failed":
            text = clean_text(f"Installation failed: {result.error or 'unknown error'}")
            kind = classify_message(text)
            raise OkxCliError(kind, _clip(self.mask(text, error=True)), argv=raw.argv)
        return {"status": result.status, "text": self.mask(result.source or "")}

    async def install_status(self) -> InstallStatus:
        """``okx auth install-status --json``: whether the okx-auth binary is installed."""
        raw, text = await self._checked(["auth", "install-status", "--json"])
        result = self._model(raw, self._json(raw, text), InstallStatusOutput)
        return {
            "installed": result.exists,
            "platform": result.platform,
            "cdn_match": result.cdn_match,
        }

    async def remove(self) -> CommandOutcome:
        """``okx auth remove --force --json`` (the graph asks the user first)."""
        raw, text = await self._checked(["auth", "remove", "--force", "--json"])
        result = self._model(raw, self._json(raw, text), RemoveOutput)
        return {"status": result.status, "text": result.path or ""}

    async def run(self, argv: Sequence[str], *, timeout: float | None = None) -> CommandResult:
        """Run any other okx command (``market …``, ``account …``) for the downstream skills.

        Returns:
            The argv, the text output and its JSON (``None`` when it is not JSON), with
            every known secret masked in both.

        Raises:
            ValueError: ``timeout`` is no finite positive number of seconds (nothing is run).
            OkxCliError: Classified the same way as the auth commands.
        """
        raw, text = await self._checked(argv, timeout=timeout)
        shown = self.mask(text)
        try:
            data: Any = clean_data(json.loads(shown)) if shown.strip() else None
        except (ValueError, RecursionError):
            data = None
        return {"argv": list(raw.argv), "stdout": shown, "json": data}


_EXPIRED = re.compile(r"Session expired", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")
_USER_CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b")
_MINUTES = re.compile(r"(\d+)\s*min", re.IGNORECASE)
_DEFAULT_EXPIRES_IN = 600


class _ChallengeReader:
    """Finds the verification URL and code in a blocking login's output as it arrives.

    The output is cleaned of terminal controls before it is read, and what is handed on is
    masked (``shown``), so no escape sequence or URL userinfo reaches a stream event.
    """

    def __init__(
        self, on_challenge: Callable[[LoginChallenge], None], shown: Callable[[str], str]
    ) -> None:
        self.on_challenge = on_challenge
        self.shown = shown
        self.buffer = b""
        self.sent = False

    def feed(self, chunk: bytes) -> None:
        if self.sent:
            return
        self.buffer = (self.buffer + chunk)[-8192:]
        text = clean_text(self.buffer.decode("utf-8", errors="replace"))
        url, code = _URL.search(text), _USER_CODE.search(text)
        if url is None or code is None:
            return
        minutes = _MINUTES.search(text[code.end() :])
        self.sent = True
        self.on_challenge(
            {
                "verificationUri": self.shown(url.group(0)),
                "userCode": code.group(0),
                "expiresIn": int(minutes.group(1)) * 60 if minutes else _DEFAULT_EXPIRES_IN,
            }
        )


def _streams(runner: Callable[..., Any]) -> bool:
    """Whether a runner accepts ``on_stdout`` (custom runners may predate it)."""
    try:
        parameters = inspect.signature(runner).parameters
    except (TypeError, ValueError):
        return False
    return "on_stdout" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


_UNKNOWN_SYNTAX = re.compile(r"Unknown (?:option|command)", re.IGNORECASE)
_TOML_ERROR = re.compile(r"Invalid TOML document")
_CODE_LINE = re.compile(r"^(\d+)\s*:  ")
_CARET_LINE = re.compile(r"^\s*\^\s*$")
_MAX_MESSAGE = 2000


def _toml_error_line(text: str) -> str:
    """Which line okx's TOML parser points at: ``line N`` (the caret's), else ``near line N``."""
    lines = text.splitlines()
    numbered: list[int] = []
    for index, line in enumerate(lines):
        match = _CODE_LINE.match(line)
        if match is None:
            continue
        numbered.append(int(match.group(1)))
        if index + 1 < len(lines) and _CARET_LINE.match(lines[index + 1]):
            return f"line {match.group(1)}"
    if numbered:
        return f"near line {max(numbered)}"
    return "a line"


def _clip(text: str) -> str:
    """Keep a message readable: at most ``_MAX_MESSAGE`` characters."""
    if len(text) <= _MAX_MESSAGE:
        return text
    return text[:_MAX_MESSAGE] + f"… ({len(text) - _MAX_MESSAGE} more characters)"


def _check_site(site: str) -> None:
    if site not in SITE_IDS:
        raise ValueError(f"site must be one of {', '.join(SITE_IDS)}, not {site!r}")


def _classify(text: str) -> ErrorKind:
    """Classify an error text by its head and tail (a huge output stays fast to classify)."""
    if len(text) > 2 * CLASSIFY_WINDOW:
        text = f"{text[:CLASSIFY_WINDOW]}\n{text[-CLASSIFY_WINDOW:]}"
    return classify_message(text)
