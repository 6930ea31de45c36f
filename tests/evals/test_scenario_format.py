"""The scenario file format: the issue's example loads; bad files name the file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from okx_auth_graph.evals.scenario import (
    ScenarioError,
    config_secrets,
    config_toml,
    load_scenario,
    load_scenarios,
    parse_scenario,
)

ISSUE_EXAMPLE = """\
id: upstream-placeholder-global          # unique
description: upstream skill claims not_logged_in/global; the graph must still ask
okx:                                     # initial emulator world
  version: "1.3.1-beta.17"               # optional
  config: null                           # null = no config file; else the config.toml content:
  # config: {default_profile: demo, profiles: {demo: {api_key: K, secret_key: S, passphrase: P, demo: true, site: eea}}}
  auth: {status: not_logged_in}          # logged_in needs site + scopes; pending needs site
  binary: installed                      # installed | missing | corrupt
  install: ok                            # ok | cdn_failed
  network: up                            # up | down
input:                                   # the first invocation (same keys as the graph's input)
  request: "帮我查一下账户余额"           # becomes the human message
  upstream_status: {status: not_logged_in, site: global}   # optional
  failed_command: null                   # optional {argv: [...], error: "..."}
steps:                                   # run in order
  - expect: {interrupt: choose_site, reply_equals: "<exact text>"}
  - user: "2"                            # resume with this reply
  - expect: {interrupt: await_authorization, reply_contains: ["站点: eea"]}
  - browser: approve                     # approve | deny | expire (the code lapses) | none
  - browser: {action: approve, scopes: ["live:read"]}   # long form
  - clock: 601                           # advance the emulator clock by N seconds
  - invoke: {request: "...", failed_command: {argv: [a], error: e}}   # a new invocation
  - user: "好了"
  - expect: {done: true, outcome: logged_in, route: okx-cex-portfolio,
             reply_contains: ["登录成功。"], reply_excludes: ["ttl", "expiresAt"]}
cli_calls:                               # optional, checked at the end
  exact: [["config","show","--json"], ["auth","status","--json"], ["auth","login","--manual","--site","eea"], ["auth","status","--json"]]
  # or include: [...] / exclude_prefix: [["auth","login"]]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_issue_example_loads(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "example.yaml", ISSUE_EXAMPLE))
    assert scenario.id == "upstream-placeholder-global"
    assert [s.kind for s in scenario.steps] == [
        "expect",
        "user",
        "expect",
        "browser",
        "browser",
        "clock",
        "invoke",
        "user",
        "expect",
    ]
    assert scenario.steps[4].browser is not None
    assert scenario.steps[4].browser.scopes == ["live:read"]
    assert scenario.input.graph_input() == {
        "upstream_status": {"status": "not_logged_in", "site": "global"},
        "failed_command": None,
    }
    assert scenario.cli_calls is not None
    assert scenario.cli_calls.exact is not None
    assert len(scenario.cli_calls.exact) == 4
    final = scenario.steps[-1].expect
    assert final is not None
    assert final.reply_excludes == ["ttl", "expiresAt"]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (
            "id: x\ninput: {request: hi}\nsteps: [{expect: {interupt: choose_site}}]\n",
            "steps.0.expect.interupt",
        ),
        ("id: x\nsteps: []\n", "input"),
        ("id: x\ninput: {request: hi}\nsteps: [{user: '1', clock: 3}]\n", "steps.0"),
        ("id: x\ninput: {request: hi}\nokx: {auth: {status: logged_in}}\n", "okx.auth"),
        ("id: x\ninput: {request: hi}\nokx: {binary: broken}\n", "okx.binary"),
        ("id: x\ninput: {request: hi}\nsteps: [{browser: wave}]\n", "steps.0.browser.action"),
        ("id: x\ninput: {request: hi}\nsteps: [{clock: -5}]\n", "steps.0.clock"),
        ("id: x\ninput: {request: hi}\nokx: {config: 'not = [toml'}\n", "okx.config"),
        ("id: x\ninput: {request: hi}\ncli_calls: {exact: oops}\n", "cli_calls.exact"),
        ("id: x\ninput: {request: hi}\nsteps: [{expect: {}}]\n", "steps.0.expect"),
    ],
)
def test_bad_scenario_names_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert str(path) in message
    assert field in message


def test_not_yaml_not_mapping_and_missing(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(write(tmp_path, "a.yaml", "id: [unclosed\n"))
    with pytest.raises(ScenarioError, match="a scenario is a mapping"):
        load_scenario(write(tmp_path, "b.yaml", "- 1\n- 2\n"))
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenarios([tmp_path / "nope"])
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(write(tmp_path, "c.yaml", "").with_name("missing.yaml"))


def test_duplicate_ids_and_directory_walk(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path, "one.yaml", "id: same\ninput: {request: a}\n")
    write(tmp_path / "sub", "two.yml", "id: other\ninput: {request: b}\n")
    write(tmp_path, "notes.txt", "not a scenario")
    assert [s.id for s in load_scenarios([tmp_path])] == ["same", "other"]
    write(tmp_path / "sub", "three.yaml", "id: same\ninput: {request: c}\n")
    with pytest.raises(ScenarioError, match="already used"):
        load_scenarios([tmp_path])


def test_config_as_toml_and_secrets() -> None:
    config = {
        "default_profile": "d",
        "profiles": {
            "d": {"api_key": "AK12", "secret_key": "SK34", "passphrase": "PP56", "site": "eea"}
        },
    }
    text = config_toml(config)
    assert text is not None
    assert "[profiles.d]" in text
    assert config_secrets(config) == ["AK12", "SK34", "PP56"]
    assert config_secrets(text) == ["AK12", "SK34", "PP56"]
    assert config_toml(None) is None
    scenario = parse_scenario({"id": "s", "input": {"request": "x"}, "okx": {"config": config}})
    assert scenario.okx.secrets() == ["AK12", "SK34", "PP56"]


def test_user_numbers_become_text() -> None:
    scenario = parse_scenario({"id": "s", "input": {"request": "x"}, "steps": [{"user": 2}]})
    assert scenario.steps[0].user == "2"
