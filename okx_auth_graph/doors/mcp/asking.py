"""Asking the user directly: the graph's questions as MCP elicitation forms (docs/spec.md, D26).

A question the graph asks (an interrupt payload, see :mod:`okx_auth_graph.graph.questions`) becomes one
elicitation whose message is the question's exact text; the answer becomes the reply the graph
reads with its own rules, so the door decides nothing itself:

- ``choose_site``: a form with one field, ``site``, an enum of the site ids; the accepted value
  is the reply (the gate then reads it as any reply to the menu).
- a yes/no question (``confirm_retry``, ``confirm_remove_binary``, ``confirm_start_over``, …):
  a form with one boolean field, ``confirm``; accepted ``true`` is ``yes``, accepted ``false``
  or a decline is ``no``.
- ``await_authorization``: the completion signal. Where the client declares URL mode, a URL
  elicitation of the verification page (the message is the challenge's text): accepting it is
  the signal. Otherwise a form with one boolean field, ``done``: accepted ``true`` is the
  signal, accepted ``false`` no signal at all. Either way one accepted signal is one resume of
  the graph, so one ``auth status``.

A cancel (and a decline where no "no" exists) is ``cancel``: the graph ends the flow with no okx
call after it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Final

from okx_auth_graph.extras import extra_needed
from okx_auth_graph.okx.sites import SITE_IDS
from okx_auth_graph.reading.rules import YES_NO_QUESTIONS

with extra_needed("mcp", "the MCP server"):
    from mcp import types
    from mcp.server.session import ServerSession


CANCEL: Final = "cancel"
SIGNAL: Final = "done"

SITE_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "properties": {
        "site": {
            "type": "string",
            "title": "OKX site",
            "enum": list(SITE_IDS),
        }
    },
    "required": ["site"],
}
"""The site form: one field, ``site``, whose values are the site ids (the menu is the message)."""

CONFIRM_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "properties": {"confirm": {"type": "boolean", "title": "Yes"}},
    "required": ["confirm"],
}
SIGNAL_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "properties": {
        "done": {
            "type": "boolean",
            "title": "I have finished the authorisation in the browser",
        }
    },
    "required": ["done"],
}


def can_elicit(session: ServerSession) -> bool:
    """Whether the client declared form elicitation (an empty ``elicitation`` means forms)."""
    params = session.client_params
    declared = params.capabilities.elicitation if params is not None else None
    if declared is None:
        return False
    return declared.form is not None or declared.url is None


def can_open_urls(session: ServerSession) -> bool:
    """Whether the client declared URL-mode elicitation (it opens a link for the user)."""
    params = session.client_params
    declared = params.capabilities.elicitation if params is not None else None
    return declared is not None and declared.url is not None


def answerable(payload: Mapping[str, Any]) -> bool:
    """Whether a question has a form here (other questions are returned to the client)."""
    kind = payload.get("type")
    return kind in ("choose_site", "await_authorization") or kind in YES_NO_QUESTIONS


async def ask(
    session: ServerSession, payload: Mapping[str, Any], related_request_id: types.RequestId | None
) -> str | None:
    """Ask the question ``payload`` by elicitation; the user's answer as the graph's reply text.

    Returns:
        The reply to resume the graph with, or ``None`` when the user accepted a signal form
        without ticking it (no reply: the graph is not resumed, no okx call is made).
    """
    kind = str(payload.get("type"))
    message = str(payload.get("message", ""))
    link = str(payload.get("verificationUri") or "")
    if kind == "await_authorization" and link.startswith("https://") and can_open_urls(session):
        opened = await session.elicit_url(message, link, uuid.uuid4().hex, related_request_id)
        return SIGNAL if opened.action == "accept" else CANCEL
    schema = SITE_SCHEMA if kind == "choose_site" else CONFIRM_SCHEMA
    if kind == "await_authorization":
        schema = SIGNAL_SCHEMA
    result = await session.elicit_form(message, schema, related_request_id)
    content = result.content or {}
    if result.action == "cancel" or (result.action == "decline" and kind not in YES_NO_QUESTIONS):
        return CANCEL
    if result.action == "decline":
        return "no"
    if kind == "choose_site":
        site = content.get("site")
        return site if isinstance(site, str) else ""  # not a site: the graph asks again
    if kind == "await_authorization":
        return SIGNAL if content.get("done") is True else None
    return "yes" if content.get("confirm") is True else "no"
