"""Masking on hand-written texts: what is secret, every occurrence, every TOML form.

The adapter and security tests check masking end to end through okx's outputs; these pin the
rules themselves (cases mutmut found that the fast suite did not reach). Every expected value
is written here by hand.
"""

from __future__ import annotations

from typing import Any

from okx_auth_graph.okx.redact import (
    SecretSet,
    clean_text,
    config_file_secrets,
    mask_secrets,
    secret_values,
)


def test_every_occurrence_of_a_secret_is_one_mask():
    text = "key abcd1234 and abcd1234, abcd1234abcd1234!"
    assert mask_secrets(text, ["abcd1234"]) == "key *** and ***, ***!"
    assert mask_secrets("no secret here", ["abcd1234"]) == "no secret here"


def test_secret_values_are_the_strings_under_secret_keys_and_url_userinfo():
    config = {
        "default_profile": "live",
        "profiles": {
            "live": {"api_key": "AKEY1234", "site": "global", "proxy_url": "http://u:pw12@h"},
        },
        "more": [{"passphrase": "PASS5678"}, "https://x:y123@host"],
        "secret_key": "abcd",  # four characters are enough
        "api_key": "abc",  # three are not
    }
    expected = {"AKEY1234", "PASS5678", "abcd", "u:pw12", "pw12", "x:y123", "y123"}
    assert secret_values(config) == expected


def test_deeply_nested_secrets_are_found():
    data: Any = {"api_key": "deep1234"}
    listed: Any = ["http://me:deep5678@host"]
    for _ in range(12):
        data = {"level": data}
        listed = [listed]
    assert secret_values(data) == {"deep1234"}
    assert secret_values(listed) == {"me:deep5678", "deep5678"}


def test_a_multi_line_secret_is_known_whole_and_by_line():
    assert secret_values({"secret_key": "line-one\nline-two"}) == {
        "line-one\nline-two",
        "line-one",
        "line-two",
    }


def test_clean_text_keeps_newlines_and_drops_carriage_returns():
    assert clean_text("a\r\nb\rc\td") == "a\nbc\td"


def test_config_file_secrets_in_every_toml_form_even_when_the_file_does_not_parse():
    broken = 'api_key = "abcd1234"\n[[[\n'
    assert config_file_secrets(broken)[0] == {"abcd1234"}
    unterminated = 'api_key = "abcd1234\nsite = "eea"\n'
    assert config_file_secrets(unterminated)[0] == {"abcd1234"}
    bare = "passphrase = pass9876 # a comment\nsite = 1\n"
    assert config_file_secrets(bare)[0] == {"pass9876"}
    open_multi_line = 'secret_key = """abcd\nefgh1234\n'
    assert config_file_secrets(open_multi_line)[0] == {"abcd\nefgh1234", "abcd", "efgh1234"}
    proxy = 'proxy_url = "http://user:pw1234@proxy"\nsite = "eea"\n'
    values, lines = config_file_secrets(proxy)
    assert values == {"user:pw1234", "pw1234"}
    assert lines == {'proxy_url = "http://user:pw1234@proxy"', 'site = "eea"'}


def test_a_secret_set_learns_the_okx_variables_and_masks_config_lines_in_errors_only():
    env = {"OKX_API_KEY": "envkey1234", "OKX_PROXY_URL": "http://me:pw5678@p", "HOME": "/root"}
    secrets = SecretSet(env)
    assert secrets.snapshot() == (frozenset({"envkey1234", "me:pw5678", "pw5678"}), frozenset())
    secrets.add_lines(["profile_line = 1"])
    assert secrets.mask("got profile_line = 1 and envkey1234", error=True) == "got *** and ***"
    assert secrets.mask("got profile_line = 1 and envkey1234") == "got profile_line = 1 and ***"
    assert SecretSet().snapshot() == (frozenset(), frozenset())
