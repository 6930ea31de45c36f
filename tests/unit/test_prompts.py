"""The spec's verbatim texts (docs/spec.md) are byte-exact in prompts/, and the wheel ships them."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from okx_auth_graph.prompts import TEXTS, render
from tests.spec_texts import SPEC_TEXTS

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "docs" / "spec.md"
VERBATIM_BLOCKS = {
    "site_menu.zh.txt",
    "login_challenge.zh.txt",
    "login_challenge.en.txt",
    "login_success.zh.txt",
    "login_success.en.txt",
}


@pytest.fixture(scope="module")
def spec_text() -> str:
    if not SPEC.is_file():
        pytest.fail(f"the product specification is missing: {SPEC}")
    return SPEC.read_text(encoding="utf-8")


def untagged_fenced_blocks(markdown: str, info: str = "") -> list[str]:
    """The spec's verbatim blocks: fenced blocks without an info string (```sh etc. are not).

    With ``info`` (e.g. ``"text"``): the blocks fenced with that info string instead.
    """
    blocks: list[str] = []
    body: list[str] | None = None
    tagged = False
    for line in markdown.split("\n"):
        if body is None and line.startswith("```"):
            body, tagged = [], line.strip() != "```" + info
        elif body is not None and line.strip() == "```":
            if not tagged:
                blocks.append("\n".join(body))
            body = None
        elif body is not None:
            body.append(line)
    assert body is None, "an unclosed fenced block"
    return blocks


def test_untagged_fenced_blocks_reads_only_untagged_blocks():
    text = "a\n```sh\nokx x\n```\n```\nline 1\nline 2\n```\n```python\nprint(1)\n```\n"
    assert untagged_fenced_blocks(text) == ["line 1\nline 2"]


def test_the_spec_is_inside_the_repository():
    assert SPEC.is_relative_to(ROOT)


def test_every_fenced_block_of_the_spec_is_a_prompt_file_byte_for_byte(spec_text):
    blocks = untagged_fenced_blocks(spec_text)
    assert len(blocks) == len(VERBATIM_BLOCKS)
    matched = {name for name, text in TEXTS.items() if text in blocks}
    assert matched == VERBATIM_BLOCKS
    for name in VERBATIM_BLOCKS:
        raw = (ROOT / "prompts" / name).read_bytes()
        assert raw.decode("utf-8") in blocks
        assert not raw.endswith(b"\n")


def test_inline_verbatim_sentences_match_the_spec(spec_text):
    assert "`" + TEXTS["api_key_configured.zh.txt"] + "`" in spec_text
    flowing = " ".join(spec_text.split())
    assert '"' + TEXTS["session_lifetime.en.txt"] + '"' in flowing


def test_untagged_fenced_blocks_reads_blocks_of_one_info_string():
    text = "```text\nA\n```\n```\nB\n```\n```sh\nC\n```\n"
    assert untagged_fenced_blocks(text, "text") == ["A"]


@pytest.mark.parametrize("name", ["cli_not_found", "cli_too_old"])
@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_missing_and_too_old_texts_are_quoted_whole_in_the_spec(spec_text, name, language):
    """Two separate texts (D16): the install command for a missing okx, the API-key path and
    market data for one too old for ``okx auth``; each is a ```text block of docs/spec.md."""
    raw = (ROOT / "prompts" / f"{name}.{language}.txt").read_text(encoding="utf-8")
    assert raw in untagged_fenced_blocks(spec_text, "text")


def test_the_too_old_text_never_reinstalls_and_the_missing_text_does():
    for language in ("en", "zh"):
        too_old = (ROOT / "prompts" / f"cli_too_old.{language}.txt").read_text(encoding="utf-8")
        missing = (ROOT / "prompts" / f"cli_not_found.{language}.txt").read_text(encoding="utf-8")
        assert "npm install" not in too_old  # the registry would install 1.2.4 again
        assert "1.3.1-beta.17" in too_old
        assert "okx config init" in too_old
        assert "npm install -g @okx_ai/okx-trade-cli" in missing


@pytest.mark.parametrize(
    "name",
    [
        "site_menu_hint",
        "yes_no_hint",
        "api_key_fix_hint",
        "clarify_request_hint",
        "profile_removal_hint",
    ],
)
@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_reask_hints_are_quoted_in_the_spec(spec_text, name, language):
    raw = (ROOT / "prompts" / f"{name}.{language}.txt").read_text(encoding="utf-8")
    assert '"' + raw + '"' in " ".join(spec_text.split())


def test_every_text_has_both_languages_except_the_spec_single_language_ones():
    names = {n.rsplit(".", 2)[0] for n in TEXTS}
    single = {"site_menu", "api_key_configured", "session_lifetime"}
    for name in names - single:
        assert f"{name}.en.txt" in TEXTS, name
        assert f"{name}.zh.txt" in TEXTS, name


def test_render_fills_fields_and_leaves_unknown_braces():
    text = render("login_success", "en", site="eea", scopes="live:read, live:trade")
    assert text == "Login successful.\nSite: eea\nScopes: live:read, live:trade"
    assert (
        render("login_success", "en", site="us") == "Login successful.\nSite: us\nScopes: {scopes}"
    )


def test_render_of_zh_only_text_in_english_uses_the_chinese_text():
    assert render("api_key_configured", "en", profile="p") == "已配置 API key (profile: p)"


def test_the_wheel_ships_every_prompt(tmp_path):
    from hatchling.builders.wheel import WheelBuilder

    wheel = Path(
        next(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    )
    with zipfile.ZipFile(wheel) as archive:
        shipped = {n.split("/")[-1] for n in archive.namelist() if "/prompts/" in n}
        menu = archive.read("okx_auth_graph/prompts/site_menu.zh.txt").decode("utf-8")
    assert shipped == {p.name for p in (ROOT / "prompts").iterdir() if p.is_file()}
    assert set(TEXTS) <= shipped
    assert menu == TEXTS["site_menu.zh.txt"]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_too_long_text_is_quoted_whole_in_the_messages_docs(language):
    """docs/messages.md shows the over-limit reply (issue 19 item 4) as the graph writes it."""
    from okx_auth_graph.reading.rules import READ_LIMIT

    docs = (ROOT / "docs" / "messages.md").read_text(encoding="utf-8")
    text = render("message_too_long", language, limit=f"{READ_LIMIT:,}")
    assert text in untagged_fenced_blocks(docs, "text")
    assert "65,536" in text


def test_every_text_the_tests_take_from_the_spec_is_its_prompt_file_byte_for_byte():
    # The tests' oracle (tests/spec_texts.py) reads the spec; the product reads prompts/.
    assert len(SPEC_TEXTS) >= 21
    for name, text in SPEC_TEXTS.items():
        assert (ROOT / "prompts" / f"{name}.txt").read_text(encoding="utf-8") == text, name


def test_every_prompt_file_the_spec_quotes_is_read_by_the_tests_oracle(spec_text):
    # A prompt file the spec names and whose text it shows must be read from the spec; one it
    # only names (its text not in the spec) is the project's (tests/spec_texts.py).
    flowing = " ".join(spec_text.split())
    shown = 0
    for name in set(re.findall(r"prompts/(\w+)\.", spec_text)):
        for language in ("en", "zh"):
            path = ROOT / "prompts" / f"{name}.{language}.txt"
            text = path.read_text(encoding="utf-8") if path.is_file() else "\0"
            if text in spec_text or " ".join(text.split()) in flowing:
                assert f"{name}.{language}" in SPEC_TEXTS, name
                shown += 1
    assert shown >= 14  # the hints (5 x 2) and the missing / too-old texts (2 x 2)
