"""The mutant catalogue: one realistic bug per spec rule and per eval invariant.

Each :class:`~tests.mutants.patching.Mutant` is a small edit anchored by function (or
module-level name) and an exact snippet; ``python -m tests.mutants --check`` fails loudly when
a refactor moved the code. ``rule`` names the spec rule or invariant the bug breaks.
"""

from __future__ import annotations

from tests.mutants.patching import FAST_SUITE, Edit, Mutant

GATE = "okx_auth_graph/core/gate.py"
PREFLIGHT = "okx_auth_graph/graph/preflight.py"
LOGIN = "okx_auth_graph/graph/login_flow.py"
TOOLS = "okx_auth_graph/doors/tools.py"
CORE_LOGIN = "okx_auth_graph/core/login.py"
CORE_STEP0 = "okx_auth_graph/core/step0.py"
CORE_COMMANDS = "okx_auth_graph/core/skill_commands.py"
CLI = "okx_auth_graph/okx/adapter.py"
REDACT = "okx_auth_graph/okx/redact.py"
UNDERSTANDING = "okx_auth_graph/reading/rules.py"
LOCK = "okx_auth_graph/core/login_lock.py"
QUESTIONS = "okx_auth_graph/graph/questions.py"
PROMPTS = "okx_auth_graph/prompts.py"
CONTEXT = "okx_auth_graph/context.py"

GATE_TESTS = ("tests/graph/test_gate_new_messages.py", "tests/graph/test_login_flows.py")
LOGIN_TESTS = ("tests/graph/test_login_flows.py", "tests/unit")
FLOW_TESTS = ("tests/graph/test_login_flows.py", "tests/graph/test_other_flows.py")
TEMPLATE_TESTS = ("tests/graph", "tests/unit/test_prompts.py")
ROUTE_TESTS = (
    "tests/graph/test_routes.py",
    "tests/unit",
    "tests/graph/test_other_flows.py",
    "tests/graph/test_login_flows.py",
)
TOOL_TESTS = ("tests/apps/test_tools.py", "tests/apps/test_tools_properties.py")
SECRET_TESTS = ("tests/adapter/test_adapter_secrets.py", "tests/unit")
LOCK_TESTS = ("tests/reliability/test_reliability_login_lock.py",)
LOCK_FAULT_TESTS = ("tests/security/test_security_login_lock_faults.py",)
SERVED_TESTS = ("tests/unit/test_served_context.py", "tests/security/test_served_graph.py")
PERSISTENCE = "okx_auth_graph/persistence.py"
INPUT_CHECKPOINT_TESTS = ("tests/security/test_security_input_checkpoint.py",)
CHAT = "okx_auth_graph/doors/chat.py"
OKX_TEXT_TESTS = ("tests/security/test_security_okx_texts.py",)
MCP_DOOR = "okx_auth_graph/doors/mcp/door.py"
MCP_TESTS = ("tests/mcp/test_mcp_doors.py", "tests/mcp/test_mcp_login.py")
SMALL_CHECK_TESTS = ("tests/security/test_security_small_checks.py",)


_LOGIN_WITH_STATE_SITE = Edit(
    LOGIN,
    "_gated_login",
    'state.get("messages", []),\n',
    'state.get("messages", []),\n        site=state.get("site"),\n',
)
"""The graph hands the core the site in state (a persisted or earlier one) ..."""
_CORE_TRUSTS_THE_SITE = Edit(
    CORE_LOGIN,
    "log_in",
    "chosen = gate_site(messages)\n    if chosen is None or (site is not None and site != chosen):",
    "chosen = site or gate_site(messages)\n    if chosen is None:",
)
"""... and the core logs in with it instead of the menu reply."""


def _prompt(mutant_id: str, name: str, old: str, new: str) -> Mutant:
    """A one-character-class change to a verbatim template file."""
    return Mutant(
        mutant_id,
        f"verbatim template {name} is byte-exact (templates_verbatim)",
        (Edit(f"prompts/{name}.txt", None, old, new),),
        tests=TEMPLATE_TESTS,
    )


def _unmasked(field: str) -> Mutant:
    """The adapter forgets one secret field: neither the JSON nor the text scans mask it."""
    keys = ("api_key", "secret_key", "passphrase")
    kept = [k for k in keys if k != field]
    alternatives = f"(?:{'|'.join(kept)})"
    return Mutant(
        f"secret-{field.replace('_', '-')}-unmasked",
        f"{field} never leaves the adapter (no_secret_leak)",
        (
            Edit(
                REDACT,
                "SECRET_KEYS",
                'frozenset({"api_key", "secret_key", "passphrase"})',
                "frozenset({" + ", ".join(f'"{k}"' for k in kept) + "})",
            ),
            Edit(REDACT, "_SECRET_ASSIGNMENT", "(?:api_key|secret_key|passphrase)", alternatives),
            Edit(REDACT, "_TOML_SECRET_KEY", "(?:api_key|secret_key|passphrase)", alternatives),
        ),
        tests=SECRET_TESTS,
    )


CATALOGUE: tuple[Mutant, ...] = (
    # --- the pre-login gate (login_gate, no_silent_global) ---
    Mutant(
        "gate-1-menu-not-checked",
        "gate condition 1: the verbatim menu was shown before the choice (login_gate)",
        (
            Edit(
                GATE,
                "gate_site",
                "if index < 0 or not menu_shown_before(messages, index):",
                "if index < 0:",
            ),
        ),
        tests=GATE_TESTS,
    ),
    Mutant(
        "gate-2-older-choice-reused",
        "gate condition 2: the user's MOST RECENT message is the site choice (login_gate)",
        (
            Edit(
                GATE,
                "last_human_index",
                "if isinstance(messages[index], HumanMessage):",
                "if isinstance(messages[index], HumanMessage) and parse_site_choice(\n"
                "            messages[index].text\n"
                "        ):",
            ),
        ),
        tests=GATE_TESTS,
    ),
    Mutant(
        "gate-3-site-not-the-choice",
        "gate condition 3: --site is exactly the user's choice (login_gate)",
        (
            Edit(
                LOGIN,
                "pre_login_gate",
                'update={"site": site}',
                'update={"site": state.get("site") or site}',
            ),
            _LOGIN_WITH_STATE_SITE,
            _CORE_TRUSTS_THE_SITE,
        ),
        tests=GATE_TESTS,
    ),
    Mutant(
        "silent-global",
        "never a silent global: no --site global unless the user chose it (no_silent_global)",
        (
            Edit(
                GATE,
                "gate_site",
                "return parse_site_choice(messages[index].text)",
                'return parse_site_choice(messages[index].text) or "global"',
            ),
        ),
        tests=GATE_TESTS,
    ),
    Mutant(
        "retry-skips-menu",
        "a retry goes through the pre-login gate and the menu again (login_gate)",
        (
            Edit(LOGIN, "confirm_retry", 'yes="pre_login_gate",', 'yes="login_manual",'),
            _LOGIN_WITH_STATE_SITE,
            _CORE_TRUSTS_THE_SITE,
        ),
        tests=GATE_TESTS,
    ),
    # --- pre-flight (preflight_first, preflight_concurrent) ---
    Mutant(
        "preflight-sequential",
        "the two pre-flight calls run in parallel (preflight_concurrent)",
        (
            Edit(
                PREFLIGHT,
                None,
                "from pathlib import Path\n",
                "import asyncio\nfrom pathlib import Path\n",
            ),
            Edit(
                PREFLIGHT,
                "preflight_auth_status",
                "    try:\n        status = await services.cli(runtime).auth_status()",
                "    await asyncio.sleep(0.3)\n"
                "    try:\n        status = await services.cli(runtime).auth_status()",
            ),
        ),
        tests=FLOW_TESTS,
    ),
    Mutant(
        "preflight-sequential-tools",
        "the tools' pre-flight runs both calls in parallel (preflight_concurrent)",
        (
            Edit(
                CORE_STEP0,
                "read_preflight",
                "config, auth = await asyncio.gather("
                "_captured(okx.config_show()), _captured(okx.auth_status()))",
                "config = await _captured(okx.config_show())\n"
                "    auth = await _captured(okx.auth_status())",
            ),
        ),
        tests=TOOL_TESTS,
    ),
    Mutant(
        "preflight-skipped-upstream",
        "every entry runs the pre-flight whatever upstream claims (preflight_first)",
        (
            Edit(
                PREFLIGHT,
                "_entry",
                '    return Command(goto=["preflight_config_show", "preflight_auth_status"], update=update)',
                '    if state.get("upstream_status"):\n'
                '        claimed = state["upstream_status"]\n'
                '        update["auth"] = {"status": claimed.get("status", "not_logged_in"),'
                ' "site": claimed.get("site"), "scopes": claimed.get("scopes", [])}\n'
                '        update["config"] = {"exists": False, "default_profile": None, "profiles": []}\n'
                '        return Command(goto="dispatch_after_preflight", update=update)\n'
                '    return Command(goto=["preflight_config_show", "preflight_auth_status"], update=update)',
            ),
        ),
        tests=FLOW_TESTS,
    ),
    # --- the wait for the signal (no_auto_poll, one_status_per_signal, non_signal_no_call) ---
    Mutant(
        "poll-on-unclear-reply",
        "a reply that is not a completion signal runs no okx call (non_signal_no_call)",
        (
            Edit(
                LOGIN,
                "await_authorization",
                'if answer.label in ("signal", "denied"):',
                'if answer.label in ("signal", "denied", "unclear", "question"):',
            ),
        ),
        tests=LOGIN_TESTS,
    ),
    Mutant(
        "poll-after-challenge",
        "no auth status between the challenge and the user's next reply (no_auto_poll)",
        (
            Edit(
                LOGIN,
                "login_manual",
                "result = await _gated_login(state, services.cli(runtime), interactive=False)",
                "result = await _gated_login(state, services.cli(runtime), interactive=False)\n"
                "    if not isinstance(result, Command):\n"
                "        await services.cli(runtime).auth_status()",
            ),
        ),
        tests=LOGIN_TESTS,
    ),
    Mutant(
        "two-status-per-signal",
        "exactly one auth status per completion signal (one_status_per_signal)",
        (
            Edit(
                LOGIN,
                "check_login",
                "status = await core.check_login(services.cli(runtime))",
                "await core.check_login(services.cli(runtime))\n"
                "        status = await core.check_login(services.cli(runtime))",
            ),
        ),
        tests=LOGIN_TESTS,
    ),
    Mutant(
        "ok-not-a-signal",
        '"ok" is a completion signal (one_status_per_signal)',
        (Edit(UNDERSTANDING, "_SIGNAL", "done|ok|okay|", "done|okay|"),),
        tests=LOGIN_TESTS,
    ),
    Mutant(
        "login-while-pending",
        "a pending login waits for the signal, never a second login (no_login_while_pending)",
        (
            Edit(
                PREFLIGHT,
                "oauth_check",
                'if decision.next == "wait_for_user":',
                'if decision.next == "in_progress":',
            ),
        ),
        tests=FLOW_TESTS,
    ),
    Mutant(
        "login-with-api-key",
        "an API-key profile stops the auth flow, even for an explicit login (no_login_with_api_key)",
        (
            Edit(
                PREFLIGHT,
                "api_key_check",
                'if decision.next != "use_api_key" or decision.profile is None:',
                'if decision.next != "use_api_key" or state.get("intent") == "login":',
            ),
        ),
        tests=FLOW_TESTS,
    ),
    # --- verbatim templates (templates_verbatim) ---
    _prompt("template-site-menu", "site_menu.zh", "OKX 站点:", "OKX 站点："),
    _prompt("template-api-key-configured", "api_key_configured.zh", "API key", "API Key"),
    _prompt("template-challenge-zh", "login_challenge.zh", "分钟)", "分钟）"),
    _prompt(
        "template-challenge-en", "login_challenge.en", "when you are done.", "when you're done."
    ),
    _prompt("template-success-zh", "login_success.zh", "登录成功。", "登录成功!"),
    _prompt("template-success-en", "login_success.en", "Login successful.", "Login successful!"),
    _prompt("template-session-lifetime", "session_lifetime.en", "periodically.", "regularly."),
    # --- what replies may show (no_token_details, questions_shown, no_secret_leak) ---
    Mutant(
        "token-lifetime-in-status",
        "replies show no token details: no expiresAt, ttl or session-lifetime number (no_token_details)",
        (
            Edit(
                "prompts/status_logged_in.en.txt",
                None,
                "Scopes: {scopes}",
                "Scopes: {scopes}\nValid for 60 minutes.",
            ),
        ),
        tests=FLOW_TESTS,
    ),
    Mutant(
        "question-not-in-messages",
        "every question is in the dialogue as an assistant message (questions_shown)",
        (
            Edit(
                QUESTIONS,
                "ask_next",
                "messages = [*(before or []), AIMessage(message)]",
                'messages = [*(before or [])] if question_node == "await_authorization" '
                "else [*(before or []), AIMessage(message)]",
            ),
        ),
        tests=FLOW_TESTS,
    ),
    _unmasked("api_key"),
    _unmasked("secret_key"),
    _unmasked("passphrase"),
    # --- market and cancel (market_no_okx_call, cancel_ends_flow) ---
    Mutant(
        "market-runs-preflight",
        "a market-only request makes no okx call (market_no_okx_call)",
        (
            Edit(
                PREFLIGHT,
                "_entry",
                'return Command(goto="hand_off", update=update)',
                'return Command(goto=["preflight_config_show", "preflight_auth_status"], update=update)',
            ),
        ),
        tests=FLOW_TESTS,
    ),
    Mutant(
        "cancel-checks-status",
        '"cancel" ends the flow with no okx call (cancel_ends_flow)',
        (
            Edit(
                LOGIN,
                "await_authorization",
                'if answer.label == "cancel":\n        return cancelled(state, [human])',
                'if answer.label == "cancel":\n        await services.cli(runtime).auth_status()\n'
                "        return cancelled(state, [human])",
            ),
        ),
        tests=FLOW_TESTS,
    ),
    # --- the tools' command allowlist and the login lock ---
    Mutant(
        "allowlist-accepts-config",
        "okx_run_command refuses config (secrets) and auth (login) commands",
        (Edit(CORE_COMMANDS, "SKILL_MODULES", '"account",', '"account",\n    "config",'),),
        tests=TOOL_TESTS,
    ),
    Mutant(
        "allowlist-accepts-options",
        "okx_run_command refuses anything but a skill module first (options, config, auth)",
        (
            Edit(
                CORE_COMMANDS,
                "run_okx_command",
                "if not args or args[0] not in SKILL_MODULES:",
                "if not args or not any(a in SKILL_MODULES for a in args):",
            ),
        ),
        tests=TOOL_TESTS,
    ),
    Mutant(
        "login-lock-not-taken",
        "one login at a time per okx home (the login lock)",
        (Edit(LOCK, "login_lock", "await _in_thread(folder, lock.acquire, timeout)", "pass"),),
        tests=LOCK_TESTS,
    ),
    Mutant(
        "login-count-read-late",
        "the login count is read before the pre-flight's auth status (the login lock)",
        (
            Edit(
                PREFLIGHT,
                "_entry",
                '    update["logins_seen"] = read_login_count(lock_dir)\n',
                "",
            ),
            Edit(
                PREFLIGHT,
                "preflight_auth_status",
                '    return {"auth": status, "auth_error": None}',
                '    return {"auth": status, "auth_error": None, '
                '"logins_seen": read_login_count(services.cli(runtime).login_lock_dir)}',
            ),
        ),
        tests=LOCK_TESTS,
    ),
    Mutant(
        "login-lock-fault-raw",
        "a lock or marker file that cannot be used gets a clear reply (the login lock)",
        (Edit(LOCK, "_in_thread", "except OSError as exc:", "except LookupError as exc:"),),
        tests=LOCK_FAULT_TESTS,
    ),
    Mutant(
        "login-lock-no-recheck",
        "a login that waited for the lock re-reads auth status first (the login lock)",
        (
            Edit(
                LOCK,
                "login_since",
                "return seen is None or self.logins != seen",
                "return False",
            ),
        ),
        tests=LOCK_TESTS,
    ),
    # --- routing: one misroute per skill ---
    # --- the trust boundary (issue 19): inputs, okx texts, small file and process checks ---
    Mutant(
        "raw-input-checkpointed",
        "a caller's failed_command / upstream_status never reach a checkpointer's bytes",
        (
            Edit(
                PERSISTENCE,
                "MaskingSerializer",
                "self.inner.dumps_typed(without_raw_inputs(obj))",
                "self.inner.dumps_typed(obj)",
            ),
        ),
        tests=INPUT_CHECKPOINT_TESTS,
    ),
    Mutant(
        "bare-proxy-password-unmasked",
        "a scheme-less proxy_url password (user:PW@proxy) is masked in okx's texts",
        (
            Edit(REDACT, "mask_url_userinfo", 'text = _BARE_USERINFO.sub(MASK + "@", text)', ""),
            Edit(
                REDACT,
                "url_userinfo",
                "userinfos += [m.group(1) for m in _BARE_USERINFO.finditer(text)]",
                "",
            ),
        ),
        tests=OKX_TEXT_TESTS,
    ),
    Mutant(
        "okx-partial-mask-kept",
        "okx's own partial masks (auth=✓(AKc***789) under --verbose) reveal nothing",
        (
            Edit(
                REDACT, "mask_partial_masks", "return _PARTIAL_MASK.sub(MASK, text)", "return text"
            ),
        ),
        tests=OKX_TEXT_TESTS,
    ),
    Mutant(
        "manual-login-url-raw",
        "the manual login's verification URL is masked before state, messages and checkpoints",
        (
            Edit(
                CLI,
                "login_manual",
                '"verificationUri": self.mask(challenge.verification_uri)',
                '"verificationUri": challenge.verification_uri',
            ),
        ),
        tests=OKX_TEXT_TESTS,
    ),
    Mutant(
        "interactive-login-url-raw",
        "the interactive login's URL is cleaned and masked before its stream event",
        (
            Edit(CLI, "_ChallengeReader", "self.shown(url.group(0))", "url.group(0)"),
            Edit(
                CLI,
                "_ChallengeReader",
                'clean_text(self.buffer.decode("utf-8", errors="replace"))',
                'self.buffer.decode("utf-8", errors="replace")',
            ),
        ),
        tests=OKX_TEXT_TESTS,
    ),
    Mutant(
        "install-error-raw",
        "a failed okx auth install's JSON error is cleaned and masked",
        (
            Edit(
                CLI,
                "install",
                """text = clean_text(f"Installation failed: {data['error']}")""",
                "text = f\"Installation failed: {data['error']}\"",
            ),
            Edit(CLI, "install", "message = _clip(self.mask(text, error=True))", "message = text"),
        ),
        tests=OKX_TEXT_TESTS,
    ),
    Mutant(
        "shown-text-keeps-controls",
        "every text the adapter masks (a caller's failed_command.error too) loses its controls",
        (Edit(CLI, "mask", "text = clean_text(text)", "text = text"),),
        tests=OKX_TEXT_TESTS,
    ),
    Mutant(
        "chat-writes-raw-escapes",
        "the terminal chat never writes a raw control or escape sequence from okx or input",
        (
            Edit(
                CHAT,
                "terminal_console",
                "console.push_render_hook(TerminalSafe())",
                "pass",
            ),
        ),
        tests=("tests/security/test_security_chat_terminal.py",),
    ),
    Mutant(
        "marker-temp-predictable",
        "the login marker's temporary file cannot be redirected by a planted symlink",
        (
            Edit(
                LOCK,
                "_write_count",
                'fd, tmp = tempfile.mkstemp(prefix=f"{marker.name}.", suffix=".tmp", dir=marker.parent)',
                'tmp = str(marker.with_name(f"{marker.name}.{os.getpid()}.tmp"))\n'
                "    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)",
            ),
        ),
        tests=SMALL_CHECK_TESTS,
    ),
    Mutant(
        "lock-folder-writable-kept",
        "a lock folder others may write into is repaired (ours) or refused (not ours)",
        (
            Edit(
                LOCK,
                "login_lock",
                "await _in_thread(folder, _owner_only_writes, folder)",
                "pass",
            ),
        ),
        tests=SMALL_CHECK_TESTS,
    ),
    Mutant(
        "timeout-not-finite",
        "OKX_TIMEOUT / OKX_LOGIN_TIMEOUT and Context timeouts are finite and above 0",
        (
            Edit(
                "okx_auth_graph/context.py",
                "seconds",
                "or not 0 < value < math.inf",
                "or value <= 0",
            ),
        ),
        tests=SMALL_CHECK_TESTS,
    ),
    Mutant(
        "stray-pipes-awaited",
        "an okx call returns within its timeout + 1 s though a stray process holds its pipes",
        (
            Edit(
                "okx_auth_graph/okx/process.py",
                "_finish",
                "timeout=PIPE_GRACE",
                "timeout=None",
            ),
        ),
        tests=SMALL_CHECK_TESTS,
    ),
    Mutant(
        "deep-resume-stored",
        "a resume value nested hundreds deep gets the question again, never a TypeError",
        (
            Edit(
                "okx_auth_graph/graph/entry.py",
                "bounded_input",
                "if value.resume is not None and too_deep(value.resume):",
                "if False:",
            ),
        ),
        tests=SMALL_CHECK_TESTS,
    ),
    Mutant(
        "deep-entry-stored",
        "an entry nested hundreds deep is a ValueError before any okx call",
        (
            Edit(
                "okx_auth_graph/graph/entry.py", "bounded_input", "if too_deep(item):", "if False:"
            ),
            Edit(
                "okx_auth_graph/graph/entry.py",
                "validate_entry",
                "if too_deep(value):",
                "if False:",
            ),
        ),
        tests=SMALL_CHECK_TESTS,
    ),
    Mutant(
        "misroute-portfolio-balance-to-trade",
        "route: a balance request goes to okx-cex-portfolio",
        (
            Edit(
                UNDERSTANDING,
                "_SKILL_RULES",
                'r"\\bamend\\b",',
                'r"\\bamend\\b",\n            r"\\bbalances?\\b",',
            ),
        ),
        tests=ROUTE_TESTS,
    ),
    Mutant(
        "misroute-trade-to-market",
        "route: an order goes to okx-cex-trade (and so through auth)",
        (
            Edit(
                UNDERSTANDING,
                "_SKILL_RULES",
                '"okx-cex-trade",\n        _rx(',
                '"okx-cex-market",\n        _rx(',
            ),
        ),
        tests=ROUTE_TESTS,
    ),
    Mutant(
        "misroute-bot-to-trade",
        "route: a grid/DCA bot request goes to okx-cex-bot",
        (
            Edit(
                UNDERSTANDING,
                "_SKILL_RULES",
                '"okx-cex-bot",\n        _rx(',
                '"okx-cex-trade",\n        _rx(',
            ),
        ),
        tests=ROUTE_TESTS,
    ),
    Mutant(
        "misroute-earn-to-portfolio",
        "route: an earn/staking request goes to okx-cex-earn",
        (
            Edit(
                UNDERSTANDING,
                "_SKILL_RULES",
                '"okx-cex-earn",\n        _rx(',
                '"okx-cex-portfolio",\n        _rx(',
            ),
        ),
        tests=ROUTE_TESTS,
    ),
    Mutant(
        "reask-hint-dropped",
        "a question asked again carries its hint in the user's language (reask_hint)",
        (Edit(PROMPTS, "with_hint", r'f"{question}\n\n{template(hint, language)}"', "question"),),
        tests=("tests/graph/test_reask_hints.py", "tests/unit/test_prompts.py"),
    ),
    Mutant(
        "misroute-market-to-portfolio",
        "route: a price request goes to okx-cex-market (no auth)",
        (
            Edit(
                UNDERSTANDING,
                "_SKILL_RULES",
                '"okx-cex-market",\n        _rx(',
                '"okx-cex-portfolio",\n        _rx(',
            ),
        ),
        tests=ROUTE_TESTS,
    ),
    Mutant(
        "served-run-sets-operator-settings",
        "a served run naming an operator setting is refused before any node (docs/security.md)",
        (Edit(CONTEXT, "ServedContext", "        if named:\n", "        if named and False:\n"),),
        tests=SERVED_TESTS,
    ),
    Mutant(
        "served-nodes-read-client-settings",
        "a served graph's nodes take operator settings from the environment only",
        (
            Edit(
                CONTEXT,
                "effective",
                "for name in USER_SETTINGS if",
                "for name in (*USER_SETTINGS, *OPERATOR_SETTINGS) if",
            ),
        ),
        tests=SERVED_TESTS,
    ),
    Mutant(
        "over-limit-read",
        "a request over the reading limit is answered, not read, with no okx call (D21)",
        (
            Edit(
                PREFLIGHT,
                "receive_request",
                "    if too_long(request):\n"
                "        return _too_long_to_read(state, update, fixed=_language_override(runtime))\n",
                "",
            ),
        ),
        tests=("tests/graph/test_understanding_flows.py",),
    ),
    Mutant(
        "negation-window-only",
        "a negation covers its whole clause (D2: 'I really do not want you to log me out')",
        (
            Edit(
                UNDERSTANDING,
                "_negated",
                "return last >= 0 and starts[last] >= clause",
                "return last >= 0 and starts[last] >= max(clause, start - 12)",
            ),
        ),
        tests=("tests/unit/test_understanding.py", "tests/graph/test_understanding_flows.py"),
    ),
    Mutant(
        "model-only-act-unconfirmed",
        "an install, removal or site switch only a model reads is asked first (D2)",
        (
            Edit(
                PREFLIGHT,
                "_entry",
                "unconfirmed = needs_confirmation(reading)",
                'unconfirmed = reading.intent == "logout" and needs_confirmation(reading)',
            ),
        ),
        tests=("tests/graph/test_model_reading.py",),
    ),
    Mutant(
        "model-overrules-rule-act",
        "a definite rule reading of a side-effecting act wins over a model (D2, D21)",
        (
            Edit(
                "okx_auth_graph/reading/chat_model.py",
                "read_request_with_model",
                "if definite and not is_question_form(text):",
                "if False:",
            ),
        ),
        tests=("tests/graph/test_model_reading.py",),
    ),
    # --- the MCP door (docs/spec.md D26) ---
    Mutant(
        "mcp-question-without-elicitation",
        "a client without elicitation never gets a login the user did not choose (D26)",
        (
            Edit(
                MCP_DOOR,
                "_drive",
                "if not can_elicit(ctx.session) or not answerable(question):",
                "if not answerable(question):",
            ),
        ),
        tests=MCP_TESTS,
    ),
    Mutant(
        "mcp-signal-not-elicited",
        "the completion signal comes from an elicitation answer, never from the model (D26)",
        (
            Edit(
                MCP_DOOR,
                "check_login",
                "reply = await ask(ctx.session, waiting, ctx.request_id)",
                'reply = "done"',
            ),
        ),
        tests=("tests/mcp/test_mcp_login.py",),
    ),
    Mutant(
        "mcp-okx-call-while-waiting",
        "no other okx command while a login waits for the user's signal (no polling)",
        (
            Edit(
                MCP_DOOR,
                "entry",
                "            if waiting is not None:\n",
                '            if waiting is not None and intent == "login":\n',
            ),
        ),
        tests=("tests/mcp/test_mcp_login.py",),
    ),
    # --- issue 22: realistic bugs planted by hand that no test caught ---
    Mutant(
        "gate-menu-first-line-only",
        "gate condition 1: the WHOLE verbatim menu was shown, not only its first line (login_gate)",
        (
            Edit(
                GATE,
                "menu_shown_before",
                "menu = site_menu()",
                'menu = site_menu().split("\\n")[0]',
            ),
        ),
        tests=(
            "tests/graph/test_gate_rules.py",
            "tests/graph/test_gate_new_messages.py",
            "tests/apps/test_tools.py",
        ),
    ),
    Mutant(
        "site-choice-zh-negation-read-as-choice",
        'D4: a negated choice ("我不选2") re-asks the menu, it is no choice (login_gate)',
        (
            Edit(
                UNDERSTANDING,
                "_choices",
                "only_filler = only_filler and not rest",
                "only_filler = only_filler and rest != token",
            ),
        ),
        tests=("tests/unit/test_understanding.py", "tests/graph/test_reask_hints.py"),
    ),
    Mutant(
        "signal-word-unbounded",
        "only a completion signal runs auth status: a signal word inside another word is none"
        " (non_signal_no_call)",
        (
            Edit(UNDERSTANDING, "_SIGNAL", 'r"\\b(?:done|ok|okay|k|', 'r"(?:done|ok|okay|k|'),
            Edit(UNDERSTANDING, "_SIGNAL", '|logged in|entered)\\b",', '|logged in|entered)",'),
        ),
        tests=("tests/graph/test_login_flows.py",),
    ),
    Mutant(
        "tools-wait-ends-on-pending-check",
        "while a code is pending the tools run no other okx command (no_login_while_pending)",
        (
            Edit(
                TOOLS,
                "awaiting_signal",
                'elif message.name == CHECK_LOGIN and status in {"logged_in", "not_logged_in"}:',
                "elif message.name == CHECK_LOGIN:",
            ),
        ),
        tests=("tests/apps/test_tools.py",),
    ),
    Mutant(
        "login-with-market-skips-login",
        "D1 is for market-only requests: a login asked with a market request logs in first",
        (
            Edit(
                PREFLIGHT,
                "_entry",
                'market_only = reading.route in NO_AUTH_ROUTES and reading.intent == "skill"',
                "market_only = reading.route in NO_AUTH_ROUTES",
            ),
        ),
        tests=("tests/graph/test_routes.py",),
    ),
    Mutant(
        "code-age-reversed",
        "D7/D12: minutes left = expiresIn minus the code's age (a dead code is never shown)",
        (
            Edit(
                LOGIN,
                "_seconds_left",
                "int(time.time() - issued_at)",
                "int(issued_at - time.time())",
            ),
        ),
        tests=("tests/graph/test_understanding_flows.py",),
    ),
    Mutant(
        "clarify-reads-too-few-options",
        "D2: the clarifying question's reply is read against its four options",
        (
            Edit(
                PREFLIGHT,
                "clarify_request",
                "reply, options=len(CLARIFY_OPTIONS))",
                "reply, options=len(CLARIFY_OPTIONS) - 1)",
            ),
        ),
        tests=("tests/graph/test_understanding_flows.py",),
    ),
    Mutant(
        "site-hosts-and-names-unread",
        "a menu host, a menu line or a site's own name is that site (D4)",
        (
            Edit(
                UNDERSTANDING,
                "parse_site_choice",
                "t = _SITE_PHRASES.sub(",
                "t = _SITE_PHRASES.sub(lambda m: m.group(0), normalize_reply(text)) or (",
            ),
        ),
        tests=("tests/unit/test_understanding.py",),
    ),
)
"""Every mutant, in a stable order (``--rotate`` slices it)."""

assert len({m.id for m in CATALOGUE}) == len(CATALOGUE), "duplicate mutant id"
assert FAST_SUITE
