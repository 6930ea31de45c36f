"""Every user-facing text, loaded from the plain files in ``prompts/`` (shipped in the wheel).

A text is ``prompts/<name>.<language>.txt``; the verbatim templates of docs/spec.md are byte-exact files.
Texts the spec gives in one language only (the site menu, the API-key sentence, the session
lifetime sentence) have one file and are used whatever the user's language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from okx_auth_graph.state import Language

_FIELD = re.compile(r"\{(\w+)\}")

SITE_MENU = "site_menu"
SITE_MENU_HINT = "site_menu_hint"
YES_NO_HINT = "yes_no_hint"
API_KEY_FIX_HINT = "api_key_fix_hint"
CLARIFY_REQUEST_HINT = "clarify_request_hint"
PROFILE_REMOVAL_HINT = "profile_removal_hint"
API_KEY_CONFIGURED = "api_key_configured"
LOGIN_CHALLENGE = "login_challenge"
LOGIN_SUCCESS = "login_success"
SESSION_LIFETIME = "session_lifetime"


def prompts_dir() -> Path:
    """The folder holding the texts: inside the installed package, else the source tree's."""
    packaged = Path(__file__).parent / "prompts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "prompts"


def _load_all() -> dict[str, str]:
    """Read every text once, at import: nodes never do blocking file I/O on the event loop."""
    folder = prompts_dir()
    texts = {f.name: f.read_text(encoding="utf-8") for f in sorted(folder.glob("*.txt"))}
    if not texts:
        raise FileNotFoundError(f"no prompt files in {folder}")
    return texts


TEXTS: Final[dict[str, str]] = _load_all()


def template(name: str, language: Language) -> str:
    """The raw text ``name`` in ``language`` (or its only language), fields unfilled.

    Raises:
        KeyError: If no file holds that text.
    """
    for lang in (language, "zh" if language == "en" else "en"):
        text = TEXTS.get(f"{name}.{lang}.txt")
        if text is not None:
            return text
    raise KeyError(f"no prompt file for {name!r}")


def render(name: str, language: Language, **fields: object) -> str:
    """Fill ``{field}`` placeholders of text ``name``; other braces are left as they are."""
    text = template(name, language)
    return _FIELD.sub(
        lambda m: str(fields[m.group(1)]) if m.group(1) in fields else m.group(0), text
    )


def with_hint(question: str, hint: str, language: Language) -> str:
    """A question asked again after a reply that does not answer it: the question, then a hint.

    The question keeps its text byte for byte; a hint an earlier re-ask left under it (in
    either language) is dropped, so the hint is never repeated.

    Args:
        question: The question as it was shown.
        hint: The name of the hint's text (e.g. :data:`SITE_MENU_HINT`).
        language: The hint's language (the user's).
    """
    for lang in ("en", "zh"):
        question = question.removesuffix(f"\n\n{template(hint, lang)}")
    return f"{question}\n\n{template(hint, language)}"


OWN_TEXT_ERRORS: Final = frozenset({"cli_too_old", "cli_not_found"})
"""Error kinds with a text of their own (what to install); every other kind shows its action."""


def error_text(error: Mapping[str, Any], language: Language) -> str:
    """The reply for a typed okx error, shared by the graph and the LangChain tools.

    Args:
        error: The error's ``kind``, (masked) ``message`` and ``action``.
        language: The user's language.

    Returns:
        The kind's own text for a missing or too-old CLI; otherwise the message and the spec's action.
    """
    if error["kind"] in OWN_TEXT_ERRORS:
        return render(str(error["kind"]), language)
    return render("error_with_action", language, message=error["message"], action=error["action"])
