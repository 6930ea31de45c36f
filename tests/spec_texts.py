"""The texts docs/spec.md fixes, read from the spec itself: the oracle tests compare replies with.

Never read through product code (``okx_auth_graph.prompts``) nor from ``prompts/``: an oracle
built from the product's own templates passes whatever the templates say. The spec fixes:

* the verbatim blocks (fenced without an info string): the site menu, the challenge and the
  success template in both languages, named here by their first line;
* the texts it names by their prompt file and shows in ```` ```text ```` blocks right after
  (``cli_not_found``, ``cli_too_old``);
* the hints it quotes after their prompt file, English ``/`` Chinese (``site_menu_hint``,
  ``yes_no_hint``, ``api_key_fix_hint``, ``clarify_request_hint``, ``profile_removal_hint``);
* two inline sentences: ``已配置 API key (profile: {profile})`` and the session-lifetime line.

:func:`project_text` reads a text the spec leaves to the project (a notice, a question) from its
prompt file: such a comparison checks what the graph fills in and where it shows it, not the
wording, which only the spec could fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPEC = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")
VERBATIM_FIRST_LINES = {
    "site_menu.zh": "您需要选择要连接的 OKX 站点",
    "login_challenge.zh": "请在浏览器中打开下面的链接",
    "login_challenge.en": "Please open the link below in your browser",
    "login_success.zh": "登录成功。",
    "login_success.en": "Login successful.",
}
"""The spec's untagged (verbatim) blocks, each named by how it starts."""


def fenced_blocks(markdown: str) -> list[tuple[str, str, int]]:
    """Every fenced block: (info string, body, offset of its opening fence)."""
    blocks: list[tuple[str, str, int]] = []
    body: list[str] | None = None
    info, start, offset = "", 0, 0
    for line in markdown.split("\n"):
        if body is None and line.startswith("```"):
            body, info, start = [], line[3:].strip(), offset
        elif body is not None and line.strip() == "```":
            blocks.append((info, "\n".join(body), start))
            body = None
        elif body is not None:
            body.append(line)
        offset += len(line) + 1
    assert body is None, "docs/spec.md: an unclosed fenced block"
    return blocks


def _spec_texts() -> dict[str, str]:
    texts: dict[str, str] = {}
    blocks = fenced_blocks(SPEC)
    verbatim = [body for info, body, _ in blocks if not info]
    for name, first in VERBATIM_FIRST_LINES.items():
        found = [body for body in verbatim if body.startswith(first)]
        assert len(found) == 1, (name, found)
        texts[name] = found[0]
    # "(`prompts/NAME.en.txt`, `prompts/NAME.zh.txt`):" then the two ```text blocks.
    for named in re.finditer(r"\(`prompts/(\w+)\.en\.txt`, `prompts/\1\.zh\.txt`\):", SPEC):
        after = [body for info, body, at in blocks if info == "text" and at > named.end()]
        texts[f"{named.group(1)}.en"], texts[f"{named.group(1)}.zh"] = after[0], after[1]
    # (`prompts/NAME.*.txt`) "English" / "Chinese" — quoted in the running text.
    flowing = " ".join(SPEC.split())
    quoted = re.compile(r'`prompts/(\w+)\.\*\.txt`\)?:? "(.+?)" / "(.+?)"(?=\)[;.]|;|\. )')
    for name, english, chinese in quoted.findall(flowing):
        texts[f"{name}.en"], texts[f"{name}.zh"] = english, chinese
    texts["api_key_configured.zh"] = re.findall(
        r"`(已配置 API key \(profile: \{profile\}\))`", SPEC
    )[0]
    texts["session_lifetime.en"] = re.findall(r'"(Session stays active [^"]*)"', flowing)[0]
    return texts


SPEC_TEXTS: dict[str, str] = _spec_texts()
"""``name.language`` → the text docs/spec.md fixes (``{fields}`` unfilled)."""
MENU = SPEC_TEXTS["site_menu.zh"]


def spec_text(name: str, **fields: Any) -> str:
    """The spec's text ``name`` (``site_menu_hint.en``), its ``{fields}`` filled by str.format."""
    return SPEC_TEXTS[name].format(**fields) if fields else SPEC_TEXTS[name]


def project_text(name: str, **fields: Any) -> str:
    """A text the spec leaves to the project, from its prompt file (see the module docstring).

    Raises:
        ValueError: If the spec fixes ``name``: compare with :func:`spec_text` instead.
    """
    if name in SPEC_TEXTS:
        raise ValueError(f"docs/spec.md fixes {name}: use spec_text({name!r})")
    text = (ROOT / "prompts" / f"{name}.txt").read_text(encoding="utf-8")
    return text.format(**fields) if fields else text


def expected_text(name: str, **fields: Any) -> str:
    """The spec's text when the spec fixes ``name``, else the project's (prompt file)."""
    if name in SPEC_TEXTS:
        return spec_text(name, **fields)
    return project_text(name, **fields)
