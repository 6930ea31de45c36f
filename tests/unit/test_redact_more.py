"""More masking rules on hand-written texts (mutmut survivors of okx/redact.py, issue 22).

What must never appear in a text shown or stored (docs/security.md, "Secrets in okx's texts"
and "Terminal control sequences"), and what must stay readable. Every input and every expected
value is written here by hand from those rules; none is computed with the code under test.
"""

from __future__ import annotations

from typing import Any

import pytest

from okx_auth_graph.okx.redact import (
    SecretSet,
    clean_data,
    config_file_secrets,
    find_secrets,
    mask_secrets,
    mask_url_userinfo,
    secret_values,
    url_userinfo,
)

# --- terminal controls inside okx's JSON ---


def test_clean_data_cleans_every_string_and_key_and_keeps_the_rest() -> None:
    data = {
        "\x1b[31mname": ["a\x1b]0;title\x07b", {"c\x9b2J": "\u202eevil"}],
        "count": 5,
        "ok": True,
        "none": None,
    }
    assert clean_data(data) == {
        "name": ["ab", {"c": "evil"}],
        "count": 5,
        "ok": True,
        "none": None,
    }


def test_two_keys_that_clean_to_one_keep_the_later_value_as_json_does() -> None:
    assert clean_data({"a\x1b[1m": 1, "a": 2}) == {"a": 2}
    assert clean_data({"a": 2, "a\x1b[1m": [1]}) == {"a": [1]}


def _nested(value: Any, levels: int) -> Any:
    """``value`` inside ``levels`` containers, lists and dicts in turn."""
    for level in range(levels):
        value = [value] if level % 2 else {"k": value}
    return value


def _innermost(data: Any, levels: int) -> Any:
    for _ in range(levels):
        data = data[0] if isinstance(data, list) else data["k"]
    return data


def _strings(data: Any) -> list[str]:
    """Every string of ``data``, keys too, at any depth (walked without recursion)."""
    found: list[str] = []
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            found.extend(value)
            stack.extend(value.values())
    return found


HOSTILE = "\x1b[2J\x1b]0;pwn\x07Login\x9b31m successful.\u202e"


@pytest.mark.parametrize("levels", [1, 40, 63, 64, 65, 66, 100, 5000])
def test_a_string_at_any_depth_of_okx_json_loses_its_escapes(levels: int) -> None:
    cleaned = clean_data(_nested({"\x1b[1mkey": HOSTILE}, levels))
    assert _innermost(cleaned, levels) == {"key": "Login successful."}
    assert _strings(cleaned) == ["k"] * (levels // 2 + levels % 2) + ["key", "Login successful."]


# --- secrets found by what they are ---


def test_find_secrets_reads_json_toml_and_truncated_output() -> None:
    text = (
        '{"profiles": {"live": {"api_key": "AKEY1234", \'secret_key\': \'sk-5678\', '
        'passphrase = pass9999, "site": "global", "passphrase": "PASS'
    )
    assert find_secrets(text) == {"AKEY1234", "sk-5678", "pass9999", "PASS"}


def test_url_userinfo_with_and_without_a_scheme_and_a_colon_in_the_password() -> None:
    assert url_userinfo("proxy bob:pw1234@proxy:3128") == {"bob:pw1234", "pw1234"}
    assert url_userinfo("http://bob:pa:ss99@h") == {"bob:pa:ss99", "pa:ss99"}
    assert url_userinfo("socks5://tokenonly@h") == {"tokenonly"}


def test_mask_url_userinfo_keeps_the_scheme_and_host() -> None:
    assert mask_url_userinfo("see https://bob:pw99@h.example/x") == "see https://***@h.example/x"
    assert mask_url_userinfo("proxy bob:pw99@h:80 down") == "proxy ***@h:80 down"


@pytest.mark.parametrize("depth", [16, 17, 18, 100, 5000])
def test_secret_values_finds_secrets_at_any_depth(depth: int) -> None:
    mapped: Any = {"api_key": "deep1234"}
    listed: Any = ["http://me:deep5678@host"]
    mixed: Any = {"passphrase": "mixed-9012"}
    for level in range(depth):
        mapped = {"level": mapped}
        listed = [listed]
        mixed = [mixed] if level % 2 else {"level": mixed}
    assert secret_values(mapped) == {"deep1234"}
    assert secret_values(listed) == {"me:deep5678", "deep5678"}
    assert secret_values(mixed) == {"mixed-9012"}
    assert secret_values({"beside": mapped, "next": listed}) == {
        "deep1234",
        "me:deep5678",
        "deep5678",
    }


def test_secret_values_walks_hostile_nesting_without_recursion() -> None:
    mapped: Any = {"secret_key": "bottom-3456"}
    for _ in range(20_000):
        mapped = {"level": mapped}
    assert secret_values(mapped) == {"bottom-3456"}


def test_a_multi_line_secret_with_surrounding_blank_lines_is_known_as_given() -> None:
    value = "\nkey-one\nkey-two\n"
    assert secret_values({"secret_key": value}) == {
        value,
        "key-one\nkey-two",
        "key-one",
        "key-two",
    }


# --- the config file, parsed or not ---

BROKEN = "\n[[[\n"
"""A line that makes the file invalid TOML: only the file's own text reveals its secrets."""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # two secrets in a file that does not parse: both kept
        ('api_key = "abcd1234"\nsecret_key = "efgh5678"' + BROKEN, {"abcd1234", "efgh5678"}),
        # a literal string
        ("passphrase = 'abcd1234'" + BROKEN, {"abcd1234"}),
        # a literal string whose last character is a backslash (no escapes in literals)
        ("passphrase = 'abc\\'" + BROKEN, {"abc\\"}),
        # a multi-line basic string, closed
        ('secret_key = """abcd\nefgh1234"""' + BROKEN, {"abcd\nefgh1234", "abcd", "efgh1234"}),
        # a multi-line literal string, closed
        ("secret_key = '''abcd\nefgh1234'''" + BROKEN, {"abcd\nefgh1234", "abcd", "efgh1234"}),
        # an escaped quote in a basic string: source form and decoded value
        ('api_key = "ab\\"cd1234"' + BROKEN, {'ab\\"cd1234', 'ab"cd1234'}),
        # odd length: every character is looked at
        ('api_key = "abcd12345"' + BROKEN, {"abcd12345"}),
        # an escaped quote just before the closing quote
        ('api_key = "abcd\\""' + BROKEN, {'abcd\\"', 'abcd"'}),
        # a unicode escape: source form and decoded value
        ('api_key = "ab\\u0063d1234"' + BROKEN, {"ab\\u0063d1234", "abcd1234"}),
        # an unterminated string on a later line ends at its line
        ('site = "eea"\napi_key = "abcd1234\nsite = "us"\n', {"abcd1234"}),
        # an unterminated string at the very end of the file
        ('api_key = "abcd1234', {"abcd1234"}),
        # a bare value with a space; everything from the first " #" is a comment
        ("passphrase = pass word99 #a #b\nsite = 1\n", {"pass word99"}),
        # the proxy's userinfo, not on the first line, next to the other secrets
        (
            'api_key = "abcd1234"\nproxy_url = "http://u:pw1234@h"\nmail = "bob:hello99@x.io"'
            + BROKEN,
            {"abcd1234", "u:pw1234", "pw1234"},
        ),
        # a scheme-less proxy on the last line, no newline at the end
        ("site = eea\nproxy_url = u:pw1234@h", {"u:pw1234", "pw1234"}),
    ],
)
def test_config_file_secrets_of_a_file_that_does_not_parse(text: str, expected: set[str]) -> None:
    assert config_file_secrets(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an escaped quote followed by two quotes inside a multi-line basic string
        ('secret_key = """ab\\"""cd1234"""\n', {'ab\\"""cd1234', 'ab"""cd1234'}),
        # an escaped quote just before the closing delimiter
        ('secret_key = """abcd\\""""\n', {'abcd\\"', 'abcd"'}),
        # an escaped backslash just before the closing delimiter
        ('secret_key = """abcd\\\\"""\n', {"abcd\\\\", "abcd\\"}),
        # three backslashes: an escaped backslash, then an escaped quote
        ('secret_key = """abcd\\\\\\""""\n', {'abcd\\\\\\"', 'abcd\\"'}),
        # a multi-line literal string ending with a backslash (no escapes in literals)
        ("secret_key = '''abcd\\'''\n", {"abcd\\"}),
        # two multi-line strings: each ends at its own delimiter
        (
            'api_key = """ab12\\"""cd34"""\npassphrase = """pp99\nqq88"""\n',
            {'ab12\\"""cd34', 'ab12"""cd34', "pp99\nqq88", "pp99", "qq88"},
        ),
        # a key written with an escape is a secret key once TOML reads it
        ('"api\\u005fkey" = "secret99"\n', {"secret99"}),
        # so is a proxy URL whose userinfo is escaped
        (
            'proxy_url = "http://u:p\\u0061ss1234@h"\n',
            {"u:pass1234", "pass1234", "u:p\\u0061ss1234", "p\\u0061ss1234"},
        ),
    ],
)
def test_config_file_secrets_of_a_file_that_parses(text: str, expected: set[str]) -> None:
    assert config_file_secrets(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        'api_key = "abcd1234"\nnested = ' + "[" * 5000 + "\n",  # tomllib: RecursionError
        'api_key = "abcd1234"\nbig = 1' + "0" * 5000 + "\n",  # int(): a plain ValueError
    ],
    ids=["deep_array", "huge_integer"],
)
def test_a_config_file_tomllib_cannot_read_still_gives_its_secrets(text: str) -> None:
    values, lines = config_file_secrets(text)
    assert values == {"abcd1234"}
    assert 'api_key = "abcd1234"' in lines


def test_config_lines_of_four_characters_are_kept_shorter_ones_not() -> None:
    assert config_file_secrets("x=12\nab\n")[1] == {"x=12"}


# --- masking ---


def test_a_four_character_secret_is_masked_a_three_character_one_is_not() -> None:
    assert mask_secrets("pin abcd here", ["abcd"]) == "pin *** here"
    assert mask_secrets("pin abc here", ["abc"]) == "pin abc here"


def test_a_secret_is_masked_at_the_start_overlapping_and_with_an_odd_length() -> None:
    assert mask_secrets("abcd1234 leaked", ["abcd1234"]) == "*** leaked"
    assert mask_secrets("key=aaaaa.", ["aaaa"]) == "key=***."
    assert mask_secrets("id #####;", ["####"]) == "id ***;"
    assert mask_secrets("x abcde y", ["abcde"]) == "x *** y"
    assert mask_secrets("pw !abc1234", ["!abc1234"]) == "pw ***"


def test_a_json_escaped_secret_is_masked_with_or_without_ascii_escapes() -> None:
    secret = '!ä"pass!'
    assert mask_secrets('{"passphrase": "!ä\\"pass!"}', [secret]) == '{"passphrase": "***"}'
    escaped = '{"passphrase": "!\\u00e4\\"pass!"}'
    assert mask_secrets(escaped, [secret]) == '{"passphrase": "***"}'


def test_a_secret_glued_to_a_long_word_masks_sixteen_characters_around_it() -> None:
    # a partial mask: up to 16 letters or digits on either side of *** are masked with it
    assert mask_secrets("prefixprefixprefixABCD1234", ["ABCD1234"]) == "pr***"


def test_okx_partial_masks_are_masked_whole_without_any_secret() -> None:
    assert mask_secrets("auth=✓(AKc***789)", []) == "auth=✓(***)"
    assert mask_secrets("", []) == ""


def test_a_secret_inside_okx_phrases_stays_up_to_the_check_limit() -> None:
    phrase = "Failed to spawn okx-auth\n"
    masked = "Failed to *** okx-auth\n"
    assert mask_secrets(phrase * 64, ["spawn"]) == phrase * 64
    # past 64 occurrences the phrase check stops: the rest is masked (the safe side)
    assert mask_secrets(phrase * 70, ["spawn"]) == phrase * 64 + masked * 6
    assert mask_secrets("Error: Failed to spawn okx-auth", ["okx-auth"]) == (
        "Error: Failed to spawn okx-auth"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Error: key abcd123", "Error: key ***"),  # one character cut
        ("Error: key abcd12\n", "Error: key ***\n"),  # two cut, then a newline
        ("Error: key abcd", "Error: key ***"),  # four characters left: still a secret
        ("Error: key abc", "Error: key abc"),  # three: not
        ("Error: key ab.cd.", "Error: key ***"),  # a cut that ends with punctuation
        ("Error: key ab.cd.efgh", "Error: key ***"),  # the longest secret's cut wins
    ],
)
def test_a_secret_cut_short_at_the_end_of_the_text_is_masked(text: str, expected: str) -> None:
    assert mask_secrets(text, ["abcd1234", "ab.cd.efgh99", "efgh1234"]) == expected


# --- the secret set ---


def test_a_secret_set_keeps_four_characters_and_more_and_ignores_non_strings() -> None:
    secrets = SecretSet()
    secrets.add(["abc", "abcd", None, 12345])  # type: ignore[list-item]
    secrets.add_lines(["xyz", "x=12", "line one"])
    secrets.add_lines(["line two"])
    assert secrets.snapshot() == (
        frozenset({"abcd"}),
        frozenset({"x=12", "line one", "line two"}),
    )


def test_a_secret_set_learns_only_okx_variables() -> None:
    env = {
        "OKX_SECRET_KEY": "sk-0001",
        "OKX_PASSPHRASE": "",
        "OKX_API_BASE_URL": "https://me:pw5678@api",
        "HTTPS_PROXY": "http://other:pw9999@proxy",
        "okx_proxy": "http://lower:pw7777@proxy",
    }
    assert SecretSet(env).snapshot() == (
        frozenset({"sk-0001", "me:pw5678", "pw5678"}),
        frozenset(),
    )
