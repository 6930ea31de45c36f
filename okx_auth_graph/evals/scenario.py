"""The scenario file format (one YAML file per scenario) as pydantic models, and its loader.

The format is a contract: suites written elsewhere must run unchanged. A scenario names the
initial emulator world (``okx``), the first invocation (``input``), the ``steps`` that follow
(``expect`` / ``user`` / ``browser`` / ``clock`` / ``invoke``), and optional ``cli_calls`` checked
at the end. Additions that the contract's files need not use: a ``world`` step (the user edits
``~/.okx/config.toml``, a world switch changes, or the session lapses), ``context`` (the
graph's runtime context), ``okx.login_cap`` and ``tags``. A bad file raises
:class:`ScenarioError` naming the file and the field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from okx_auth_graph.extras import extra_needed

with extra_needed("evals", "the evaluation scenarios"):
    import tomli_w
    import yaml

Site = Literal["global", "eea", "us"]
AuthStatusName = Literal["not_logged_in", "pending", "logged_in"]
SECRET_FIELDS = ("api_key", "secret_key", "passphrase")


class ScenarioError(ValueError):
    """A scenario file that cannot be read: the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AuthWorld(_Strict):
    """The OAuth side of the initial world: ``logged_in`` needs site + scopes, ``pending`` a site."""

    status: AuthStatusName = "not_logged_in"
    site: Site | None = None
    scopes: list[str] | None = None

    @model_validator(mode="after")
    def _needs(self) -> AuthWorld:
        if self.status == "logged_in" and (self.site is None or not self.scopes):
            raise ValueError("auth status logged_in needs site and scopes")
        if self.status == "pending" and self.site is None:
            raise ValueError("auth status pending needs site")
        return self


class OkxWorld(_Strict):
    """The initial emulator world (``okx-emulator world init``)."""

    version: str | None = None
    config: dict[str, Any] | str | None = None
    auth: AuthWorld = AuthWorld()
    binary: Literal["installed", "missing", "corrupt"] = "installed"
    install: Literal["ok", "cdn_failed"] = "ok"
    network: Literal["up", "down"] = "up"
    login_cap: float | None = Field(default=None, ge=0)

    @field_validator("config")
    @classmethod
    def _config_is_toml(cls, value: dict[str, Any] | str | None) -> dict[str, Any] | str | None:
        if isinstance(value, str):
            try:
                tomllib.loads(value)
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"config is not valid TOML: {exc}") from None
        elif isinstance(value, dict):
            try:
                tomli_w.dumps(value)
            except TypeError as exc:
                raise ValueError(f"config cannot be written as TOML: {exc}") from None
        return value

    def config_toml(self) -> str | None:
        """The config as the TOML text of ``~/.okx/config.toml`` (``None``: no config file)."""
        return config_toml(self.config)

    def secrets(self) -> list[str]:
        """The config's api_key / secret_key / passphrase values."""
        return config_secrets(self.config)


class FailedCommand(_Strict):
    """A downstream okx command that failed."""

    argv: list[str]
    error: str


class Invocation(_Strict):
    """A new input: the request (a human message) and the optional input keys."""

    request: str
    upstream_status: dict[str, Any] | None = None
    failed_command: FailedCommand | None = None

    def graph_input(self) -> dict[str, Any]:
        """The input keys besides ``messages`` (only those given)."""
        extra: dict[str, Any] = {}
        if "upstream_status" in self.model_fields_set:
            extra["upstream_status"] = self.upstream_status
        if "failed_command" in self.model_fields_set:
            extra["failed_command"] = (
                self.failed_command.model_dump() if self.failed_command is not None else None
            )
        return extra


class Expect(_Strict):
    """What must hold after the previous step. Only the keys given are checked.

    ``interrupt``: the pending question's type; ``done``: no question pending; ``outcome``,
    ``route``, ``site``, ``language``, ``retry_command``: the state's values (``null``
    allowed); ``reply_equals`` /
    ``reply_contains`` / ``reply_excludes``: the reply (see the runner); ``payload``: keys the
    pending question's payload must have with these values; ``okx_calls``: calls so far.
    """

    interrupt: str | None = None
    done: bool | None = None
    outcome: str | None = None
    route: str | None = None
    site: str | None = None
    language: Literal["zh", "en"] | None = None
    retry_command: list[str] | None = None
    reply_equals: str | None = None
    reply_contains: list[str] = Field(default_factory=list)
    reply_excludes: list[str] = Field(default_factory=list)
    payload: dict[str, Any] | None = None
    okx_calls: int | None = None

    @field_validator("reply_contains", "reply_excludes", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _something(self) -> Expect:
        if not self.model_fields_set:
            raise ValueError("expect needs at least one key")
        if self.done is True and self.interrupt is not None:
            raise ValueError("expect cannot be done and wait for an interrupt at once")
        return self


class BrowserEvent(_Strict):
    """The user's browser: approve (with scopes), deny, let the code expire, or do nothing."""

    action: Literal["approve", "deny", "expire", "none"]
    scopes: list[str] | None = None


class WorldChange(_Strict):
    """The world changes outside the CLI: the config file, a world switch, the session lapses."""

    config: dict[str, Any] | str | None = None
    set: dict[str, str | int | float | list[str]] = Field(default_factory=dict)
    expire_session: bool = False

    @model_validator(mode="after")
    def _something(self) -> WorldChange:
        if not self.model_fields_set:
            raise ValueError("world needs config and/or set")
        return self


class Step(_Strict):
    """One step: exactly one of the keys."""

    expect: Expect | None = None
    user: str | None = None
    browser: BrowserEvent | None = None
    clock: float | None = Field(default=None, ge=0)
    invoke: Invocation | None = None
    world: WorldChange | None = None

    @field_validator("browser", mode="before")
    @classmethod
    def _short_browser(cls, value: Any) -> Any:
        return {"action": value} if isinstance(value, str) else value

    @field_validator("user", mode="before")
    @classmethod
    def _user_text(cls, value: Any) -> Any:
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )

    @model_validator(mode="after")
    def _exactly_one(self) -> Step:
        given = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "a step has exactly one of expect, user, browser, clock, invoke, world"
                f" (got {', '.join(given) or 'none'})"
            )
        return self

    @property
    def kind(self) -> str:
        """Which key this step has."""
        return next(n for n in type(self).model_fields if getattr(self, n) is not None)


class CliCalls(_Strict):
    """Checked at the end of a scenario.

    ``exact``: the whole argv sequence (the pre-flight pair in either order); ``include``:
    argvs that must appear in this order; ``exclude_prefix``: argv prefixes that must never
    appear; ``count``: the number of calls.
    """

    exact: list[list[str]] | None = None
    include: list[list[str]] = Field(default_factory=list)
    exclude_prefix: list[list[str]] = Field(default_factory=list)
    count: int | None = None


class RunContext(_Strict):
    """The graph's runtime context for a scenario (default: agent mode, language detected)."""

    interactive_login: bool = False
    language: Literal["zh", "en"] | None = None


class Scenario(_Strict):
    """One scenario file.

    Besides the contract's keys, ``context`` sets the graph's runtime context, ``okx.login_cap``
    the real seconds the emulated blocking login waits, and ``tags`` label the scenario.
    """

    id: str = Field(min_length=1)
    description: str = ""
    okx: OkxWorld = OkxWorld()
    input: Invocation
    steps: list[Step] = Field(default_factory=list)
    cli_calls: CliCalls | None = None
    context: RunContext = RunContext()
    tags: list[str] = Field(default_factory=list)
    source: str = Field(default="", exclude=True)


def config_toml(config: dict[str, Any] | str | None) -> str | None:
    """A scenario's ``config`` as TOML text (``None`` stays ``None``)."""
    if config is None or isinstance(config, str):
        return config
    return tomli_w.dumps(config)


def config_secrets(config: dict[str, Any] | str | None) -> list[str]:
    """The api_key / secret_key / passphrase values of every profile of a config."""
    if config is None:
        return []
    data = tomllib.loads(config) if isinstance(config, str) else config
    profiles = data.get("profiles") or {}
    found: list[str] = []
    if isinstance(profiles, dict):
        for profile in profiles.values():
            if isinstance(profile, dict):
                found.extend(
                    str(profile[k]) for k in SECRET_FIELDS if profile.get(k) not in (None, "")
                )
    return found


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"{where}: {item['msg']}")
    return "; ".join(lines)


def parse_scenario(data: Any, source: str = "<string>") -> Scenario:
    """Validate one scenario mapping.

    Raises:
        ScenarioError: Naming ``source`` and each bad field.
    """
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a scenario is a mapping, not {type(data).__name__}")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(f"{source}: {_describe(exc)}") from None
    return scenario.model_copy(update={"source": source})


def load_scenario(path: Path) -> Scenario:
    """Read and validate one YAML scenario file.

    Raises:
        ScenarioError: If the file cannot be read, is not YAML, or breaks the format.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not valid YAML: {exc}") from None
    return parse_scenario(data, str(path))


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """Every ``*.yaml`` / ``*.yml`` file named or under a named directory, sorted per directory.

    Raises:
        ScenarioError: If a path does not exist.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())
            )
        elif path.is_file():
            files.append(path)
        else:
            raise ScenarioError(f"{path}: no such file or directory")
    return files


def load_scenarios(paths: Iterable[Path]) -> list[Scenario]:
    """Load every scenario under ``paths``; ids must be unique.

    Raises:
        ScenarioError: On the first bad file or a duplicate id.
    """
    scenarios: list[Scenario] = []
    seen: dict[str, str] = {}
    for file in scenario_files(paths):
        scenario = load_scenario(file)
        if scenario.id in seen:
            raise ScenarioError(
                f"{file}: id {scenario.id!r} is already used by {seen[scenario.id]}"
            )
        seen[scenario.id] = str(file)
        scenarios.append(scenario)
    return scenarios
