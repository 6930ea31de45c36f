"""The emulator's TOML writer lays out the okx config exactly as ``tomli_w`` does.

``tomli_w`` (an extra of the evals, not a runtime dependency) is the oracle; ``tomllib`` reads
the text back. The property prints how many generated configs needed escapes or quoted keys,
the cases the writer's code exists for.
"""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from okx_auth_graph.testing.world import toml_dumps

SCALARS = st.one_of(st.text(max_size=12), st.booleans(), st.integers(-(2**40), 2**40))
KEYS = st.text(max_size=8)
PROFILES = st.dictionaries(KEYS, st.dictionaries(KEYS, SCALARS, max_size=5), max_size=4)
CONFIGS = st.fixed_dictionaries(
    {"profiles": PROFILES}, optional={"default_profile": st.text(max_size=8)}
)
REACHED = {"configs": 0, "escaped": 0, "quoted_key": 0, "empty_table": 0}


def _is_special(text: str) -> bool:
    return any(c in text for c in '"\\\n\r\b\f\x7f') or any(c < " " for c in text)


@settings(max_examples=300, deadline=None)
@given(CONFIGS)
def check_toml_dumps_is_tomli_w(config: dict[str, Any]) -> None:
    text = toml_dumps(config)
    assert text == tomli_w.dumps(config)
    assert tomllib.loads(text) == config
    REACHED["configs"] += 1
    profiles = config["profiles"]
    values = [str(v) for p in profiles.values() for v in p.values()]
    keys = list(profiles) + [k for p in profiles.values() for k in p]
    REACHED["escaped"] += any(_is_special(v) for v in values)
    REACHED["quoted_key"] += any(
        not k or not k.replace("_", "").replace("-", "").isalnum() or not k.isascii() for k in keys
    )
    REACHED["empty_table"] += any(not p for p in profiles.values()) or not profiles


def test_toml_dumps_is_tomli_w_for_every_config_shape() -> None:
    check_toml_dumps_is_tomli_w()
    print(f"toml_dumps property: {REACHED}")
    assert REACHED["configs"] >= 100
    assert REACHED["escaped"] > 0
    assert REACHED["quoted_key"] > 0
    assert REACHED["empty_table"] > 0


@pytest.mark.parametrize("value", [[1, 2], 1.5, None])
def test_toml_dumps_refuses_values_the_okx_config_never_holds(value: object) -> None:
    with pytest.raises(TypeError):
        toml_dumps({"profiles": {"p": {"x": value}}})
