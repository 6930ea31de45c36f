"""The learned reader: its corpora, its shipped weights, their rebuild, and its figures.

The retraining test needs scikit-learn (the ``test`` extra); without it the test errors out,
it never skips.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from okx_auth_graph.evals.reading_scores import (
    FIGURES_BEGIN,
    FIGURES_END,
    Example,
    Read,
    Reader,
    Score,
    calibration,
    expected_calibration_error,
    figures_markdown,
    language_class,
    load_corpus,
    offline_reader,
    rules_reader,
    score,
    wrong_act,
)
from okx_auth_graph.reading.learned import (
    GROUPS,
    LEARNED_LIMIT,
    OVERRULE_CONFIDENCE,
    LearnedReader,
    LinearModel,
    Prediction,
    combine_reply,
    combine_request,
    features,
    is_negated,
    needs_confirmation,
    read_reply_offline,
    read_request_offline,
    shipped_reader,
)
from okx_auth_graph.reading.rules import (
    QUESTION_LABELS,
    RequestReading,
    read_reply_rules,
    read_request_rules,
)

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT / "evals" / "understanding"
SPLITS = ("train", "test")


def _lines(kind: str, splits: tuple[str, ...] = SPLITS) -> list[Example]:
    return [e for split in splits for e in load_corpus(CORPORA / f"{kind}.{split}.tsv")]


def test_the_corpora_are_three_times_larger_and_split_by_family():
    requests, replies = _lines("requests"), _lines("replies")
    assert len(requests) >= 1500
    assert len(replies) >= 1500
    for kind in ("requests", "replies"):
        train = load_corpus(CORPORA / f"{kind}.train.tsv")
        test = load_corpus(CORPORA / f"{kind}.test.tsv")
        assert all(e.family for e in train + test), "every line names its family"
        assert not {e.family for e in train} & {e.family for e in test}
        key = (
            (lambda e: e.text.casefold())
            if kind == "requests"
            else (lambda e: (e.question, e.text.casefold()))
        )
        assert not {key(e) for e in train} & {key(e) for e in test}
        assert len({key(e) for e in train + test}) == len(train + test)
    languages = {language_class(e.text) for e in requests + replies}
    assert {"en", "zh", "mixed"} <= languages
    test_families = {e.family for e in _lines("requests", ("test",))}
    assert len(test_families) >= 20  # whole families, not random lines of one template


def test_every_label_the_spec_allows_is_in_the_training_split():
    train = load_corpus(CORPORA / "requests.train.tsv")
    intents = {e.label.split("/")[0] for e in train}
    assert intents >= {
        "login", "status", "logout", "binary_install", "binary_status", "binary_remove",
        "api_key_setup", "session_lifetime", "skill", "unclear", "switch_site", "start_over",
    }  # fmt: skip
    replies = load_corpus(CORPORA / "replies.train.tsv")
    for question, allowed in QUESTION_LABELS.items():
        seen = {e.label.split(":")[0] for e in replies if e.question == question}
        assert seen <= allowed, question


def test_the_regression_set_holds_the_issues_phrasings():
    requests = {e.text for e in load_corpus(CORPORA / "requests.regression.tsv")}
    replies = {e.text for e in load_corpus(CORPORA / "replies.regression.tsv")}
    assert {
        "how are my bags doing today",
        "浮亏多少了",
        "do I have to log in every day?",
    } <= requests
    assert {"I really do not want you to log me out", "不要退出"} <= requests
    assert {"好啦", "nvm", "先不登录了", "code pls", "链接在哪", "还没同意"} <= replies


def test_features_are_character_ngrams_inside_words_and_words():
    grams = features("Log  IN")
    assert " lo" in grams
    assert "in " in grams
    assert "w:log" in grams
    assert "g i" not in grams  # no n-gram crosses a word boundary
    assert "浮亏多" in features("浮亏多少了")
    assert " ? " in features("done?")  # punctuation stands alone


def test_the_weights_are_plain_json_with_a_threshold_and_temperature_per_model():
    data = json.loads(
        (ROOT / "okx_auth_graph" / "reading" / "learned_reader.json").read_text("utf-8")
    )
    assert set(data["models"]) == {"intent", "route", *set(GROUPS.values())}
    for model in data["models"].values():
        assert 0.0 < model["threshold"] <= 1.0
        assert model["temperature"] > 0
        assert len(model["vocabulary"]) == len(model["idf"]) == len(model["coefficients"][0])


@pytest.mark.fresh_process
def test_the_package_reads_without_scikit_learn():
    code = (
        "import sys, okx_auth_graph.reading.learned as l;"
        "print(l.shipped_reader().request('log me in')[0].label);"
        "print('sklearn' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    assert out == ["login", "False", "False"]


@pytest.fixture(scope="module")
def retrained() -> dict:
    from training.train import train

    return train(CORPORA)


def retraining(test):
    """A test that retrains from the corpora (seconds of scikit-learn): ``make test`` runs it
    early (``long``) and on one pytest-xdist worker with the others that use ``retrained``;
    ``make test-fast`` leaves it out (``training``)."""
    marks = (pytest.mark.training, pytest.mark.long, pytest.mark.xdist_group("retrained"))
    for mark in marks:
        test = mark(test)
    return test


@retraining
def test_retraining_from_the_corpora_gives_the_shipped_readers_predictions(retrained):
    """``make test`` rebuilds the reader from the corpora: it reads every line as shipped."""
    rebuilt, shipped = LearnedReader(retrained), shipped_reader()
    differ = []
    from training.train import training_files

    files = {*CORPORA.glob("requests.*.tsv"), *CORPORA.glob("replies.*.tsv")}
    files |= {*training_files(CORPORA, "requests"), *training_files(CORPORA, "replies")}
    count = 0
    for path in files:
        for example in load_corpus(path):
            count += 1
            if example.kind == "requests":
                ours, theirs = rebuilt.request(example.text), shipped.request(example.text)
            else:
                ours = (rebuilt.reply(example.question, example.text),)
                theirs = (shipped.reply(example.question, example.text),)
            if [_key(p) for p in ours] != [_key(p) for p in theirs]:
                differ.append((path.name, example.text, ours, theirs))
    assert count >= 3000
    assert differ == [], f"{len(differ)} lines read differently: run python -m training.train"


def _key(prediction: Prediction | None) -> tuple[str, bool] | None:
    return None if prediction is None else (prediction.label, prediction.confident)


@pytest.mark.training
@pytest.mark.training  # it fits a model with scikit-learn (~5 CPU-s): make test runs it
def test_the_pure_python_reader_applies_scikit_learns_model_faithfully():
    """The package's arithmetic gives scikit-learn's calibrated probabilities (±1e-4)."""
    import numpy as np  # here: make test-fast runs no training test and needs no numpy

    from training.train import _fit, export, training_examples

    requests, _ = training_examples(CORPORA)
    texts = [e.text for e in requests]
    labels = [e.label.split("/")[0] for e in requests]
    vectorizer, model = _fit(texts, labels)
    ours = LinearModel(export(vectorizer, model, temperature=1.7, threshold=0.5))
    probes = ["how are my bags doing today", "把okx-auth卸载掉", "gm", "log me in 🙏", "x" * 200]
    logits = model.decision_function(vectorizer.transform(probes)) / 1.7
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    for row, text in zip(expected, probes, strict=True):
        got = ours.probabilities(text)
        for label, p in zip(model.classes_, row, strict=True):
            assert math.isclose(got[label], p, abs_tol=1e-4), (text, label)


@retraining
def test_the_threshold_was_chosen_on_training_folds(retrained):
    for name, model in retrained["models"].items():
        assert model["threshold"] == shipped_reader().models[name].threshold
    assert retrained["cross_validation"]  # out-of-fold costs, per model


# --------------------------------------------------------------------------- combining


def _p(label: str, p: float = 0.99, confident: bool = True) -> Prediction:
    return Prediction(label, p, confident)


def test_the_learned_reader_decides_only_where_the_rules_say_unclear():
    rules = read_request_rules("how are my bags doing today")
    assert rules.intent == "unclear"
    reading = combine_request(rules, _p("skill"), _p("okx-cex-portfolio"), "how are my bags")
    assert (reading.intent, reading.route, reading.source) == (
        "skill",
        "okx-cex-portfolio",
        "learned",
    )
    unsure = combine_request(rules, _p("skill", 0.5, False), _p("okx-cex-portfolio"), "bags")
    assert unsure.intent == "unclear"


def test_the_learned_reader_never_decides_an_act_the_rules_ruled_out():
    """A login word the rules read as not asking for a login (another service's, asked about,
    dismissed) is no login however sure the learned reader is; nor is a hand-off to a skill
    the rules ruled out ("what happens to my open orders if I log out?")."""
    binance = read_request_rules("log me into binance")
    assert binance.intent == "unclear"
    reading = combine_request(binance, _p("login"), _p("okx-cex-portfolio"), "log me into binance")
    assert (reading.intent, reading.route) == ("unclear", None)
    dismissed = read_request_rules("never mind the login stuff")
    reading = combine_request(dismissed, _p("login"), _p("-"), "never mind the login stuff")
    assert reading.intent == "unclear"
    assert (
        combine_request(dismissed, _p("status"), _p("-"), "…").intent == "status"
    )  # not ruled out
    orders = read_request_rules("what happens to my open orders if I log out?")
    for intent in ("skill", "login", "logout"):
        reading = combine_request(orders, _p(intent), _p("okx-cex-trade"), "if I log out?")
        assert (reading.intent, reading.route) == ("unclear", None)
    login = RequestReading(intent="login", rules_intent="login", ruled_out=("skill",))
    reading = combine_request(login, _p("login"), _p("okx-cex-trade"), "log me in, …")
    assert (reading.intent, reading.route) == ("login", None)


def test_a_definite_rule_reading_of_an_act_wins_a_disagreement_becomes_a_question():
    logout = read_request_rules("log me out")
    sure = OVERRULE_CONFIDENCE - 0.01
    assert combine_request(logout, _p("status", sure), _p("-"), "log me out").intent == "logout"
    asked = read_request_rules("do I have to log in every day?")
    if asked.intent == "login":  # asked as a question: not a definite request to log in
        reading = combine_request(asked, _p("session_lifetime"), _p("-"), "do I have to…?")
        assert reading.intent == "unclear"
    earn = read_request_rules("what's the open interest on BTC perps")
    reading = combine_request(earn, _p("skill"), _p("okx-cex-market"), "open interest")
    if earn.route != "okx-cex-market":
        assert reading.intent == "unclear"  # rules and learned reader disagree: ask


def test_a_very_sure_learned_disagreement_with_a_rule_act_is_a_question():
    """D21: where the two readers disagree, clarify_request. A definite rule reading of an act
    yields only to a learned reader at least OVERRULE_CONFIDENCE sure of another intent (on the
    blind training corpora held out in turn, this removed 9-16% of the wrong acts for 0-0.4
    points of accuracy; docs/understanding.md)."""
    login = read_request_rules("log me into okx")
    assert login.intent == "login"
    text = "log me into okx"
    overruled = combine_request(login, _p("status", OVERRULE_CONFIDENCE), _p("-"), text)
    assert (overruled.intent, overruled.source) == ("unclear", "learned")
    kept = combine_request(login, _p("status", OVERRULE_CONFIDENCE - 0.01), _p("-"), text)
    assert kept.intent == "login"
    assert 0.5 < OVERRULE_CONFIDENCE < 1.0


def test_a_learned_no_route_outvotes_no_rule_route():
    trade = read_request_rules("go long on arb here")
    assert trade.route == "okx-cex-trade"
    reading = combine_request(trade, _p("skill", 0.6, False), _p("-"), "go long on arb here")
    assert (reading.intent, reading.route) == ("skill", "okx-cex-trade")
    other = combine_request(trade, _p("skill"), _p("okx-cex-market"), "go long on arb here")
    assert other.intent == "unclear"  # another route named: they disagree


def test_a_learned_act_in_a_negated_text_is_no_reading():
    waiting = read_reply_rules("await_authorization", "I have not authorized anything, ok")
    assert waiting.label == "not_yet"
    text = "I have not authorized anything, ok"
    assert combine_reply(waiting, _p("signal"), text).label == "not_yet"
    logout = read_request_rules("please don't log me out, log me in")
    assert logout.intent == "login"
    reading = combine_request(logout, _p("logout"), _p("-"), "please don't log me out, log me in")
    assert reading.intent == "login"
    assert not is_negated("不小心点了拒绝")  # by accident: no negation
    assert is_negated("不要退出")


@pytest.mark.parametrize(
    ("question", "text", "label"),
    [
        ("await_authorization", "不取消", "unclear"),
        ("choose_site", "cancel my order", "unclear"),
        ("confirm_retry", "取消重试", "cancel"),
    ],
)
def test_a_learned_cancel_is_no_reading_where_the_rules_read_the_cancel_word_as_not_ours(
    question, text, label
):
    rules = read_reply_rules(question, text)
    assert combine_reply(rules, _p("cancel"), text).label == label


@pytest.mark.parametrize("text", ["how are you", "how does this work", "gm ser", "你好，在吗"])
def test_small_talk_is_no_request_whatever_the_learned_reader_says(text):
    rules = read_request_rules(text)
    assert rules.intent == "unclear"
    assert set(rules.ruled_out) >= {"login", "logout", "skill", "status"}
    reading = combine_request(rules, _p("skill"), _p("okx-cex-portfolio"), text)
    assert (reading.intent, reading.route) == ("unclear", None)


def test_a_text_without_letters_is_the_rules_reading_alone():
    class Sure(LearnedReader):
        def __init__(self) -> None:
            pass

        def request(self, text: str) -> tuple[Prediction, Prediction]:
            return _p("skill"), _p("okx-cex-trade")

    assert read_request_offline("0", language="en", reader=Sure()).intent == "unclear"
    assert read_request_offline("✅", language="en", reader=Sure()).intent == "unclear"
    assert read_request_offline("hodl?", language="en", reader=Sure()).intent == "skill"

    class SureSignal(Sure):
        def reply(self, question: str, text: str) -> Prediction | None:
            return _p("signal", 0.999)

    assert read_reply_offline("await_authorization", "D", reader=SureSignal()).label == "unclear"
    assert read_reply_offline("await_authorization", "dn", reader=SureSignal()).label == "signal"


def test_the_threshold_counts_only_readings_that_decide_something():
    from training.train import choose_threshold

    # sure "-"/"unclear" readings are right but decide nothing; the sure routes are wrong
    tops = [("-", 0.99)] * 50 + [("okx-cex-trade", 0.4)] * 10 + [("okx-cex-trade", 0.9)] * 10
    labels = ["-"] * 50 + ["okx-cex-market"] * 10 + ["okx-cex-trade"] * 10
    threshold, _ = choose_threshold(tops, labels)
    assert threshold > 0.4


def test_a_learned_only_yes_to_a_removal_asks_again():
    rules = read_reply_rules("confirm_remove_binary", "yessir")
    if rules.label == "unclear":
        assert combine_reply(rules, _p("yes"), "yessir").label == "unclear"
        retry = read_reply_rules("confirm_retry", "yessir")
        assert combine_reply(retry, _p("yes"), "yessir").label == "yes"


def test_a_learned_reading_never_yields_a_site_or_a_clarifying_option():
    rules = read_reply_rules("choose_site", "the european one")
    assert combine_reply(rules, _p("site"), "the european one").site is None
    clarify = read_reply_rules("clarify_request", "the login one", options=4)
    assert combine_reply(clarify, _p("option"), "the login one").label == "request"


# --------------------------------------------------------------------------- figures


def test_expected_calibration_error_is_the_weighted_confidence_gap():
    assert expected_calibration_error([(0.9, True), (0.9, False)]) == pytest.approx(0.4)
    assert expected_calibration_error([(1.0, True)] * 3) == pytest.approx(0.0)
    assert expected_calibration_error([]) == 0.0


def test_a_wrong_act_is_an_unasked_side_effect_or_hand_off():
    ask = Example("requests", "request", "status/-", "am i authed", 1)
    assert wrong_act(ask, Read("logout/-"))
    assert not wrong_act(ask, Read("logout/-", asks_first=True))
    assert not wrong_act(ask, Read("unclear/-"))
    assert wrong_act(ask, Read("skill/okx-cex-earn"))
    reply = Example("replies", "confirm_remove_binary", "no", "nah", 1)
    assert wrong_act(reply, Read("yes"))
    assert not wrong_act(reply, Read("unclear"))


@functools.cache
def _scored(path: Path, reader: Reader) -> Score:
    return score(path, reader)


def scored(path: Path, reader: Reader = offline_reader) -> Score:
    """``score(path, reader)``, read once per process: the readers are fixed (the shipped
    weights and the rules), so each test of a corpus reads the same figures. Each test gets a
    copy of its own (a Score holds defaultdicts, which a lookup alone would change). The tests
    that score share one pytest-xdist group, so one worker reads each corpus once."""
    return copy.deepcopy(_scored(path, reader))


@functools.cache
def _calibrated(paths: tuple[Path, ...]) -> dict[str, dict[str, float]]:
    return calibration(paths)


def calibrated(paths: tuple[Path, ...]) -> dict[str, dict[str, float]]:
    """``calibration(paths)``, read once per process, a copy per test (as :func:`scored`)."""
    return copy.deepcopy(_calibrated(paths))


scores_corpora = pytest.mark.xdist_group("corpus-scores")


@scores_corpora
def test_calibration_is_measured_per_model_on_the_test_split():
    figures = calibrated((CORPORA / "requests.test.tsv", CORPORA / "replies.test.tsv"))
    counts: dict[str, int] = defaultdict(int)
    for name, entry in figures.items():
        counts[name] = int(entry["n"])
        assert 0.0 <= entry["ece"] <= 1.0
    assert counts["intent"] == counts["route"] == len(load_corpus(CORPORA / "requests.test.tsv"))


TEST_SPLIT = [CORPORA / "requests.test.tsv", CORPORA / "replies.test.tsv"]
REGRESSION = [CORPORA / "requests.regression.tsv", CORPORA / "replies.regression.tsv"]
FRESH = [
    CORPORA / "fresh" / "requests.fresh.tsv",
    CORPORA / "fresh" / "replies.fresh.tsv",
    CORPORA / "fresh2" / "requests.fresh2.tsv",
    CORPORA / "fresh2" / "replies.fresh2.tsv",
]
"""Written by people who never saw the rules or the other splits: ``fresh`` is now a development
set (its misreadings were turned into general rules), ``fresh2`` is used for no tuning."""
SPLIT_TRAIN = [CORPORA / "requests.train.tsv", CORPORA / "replies.train.tsv"]


@scores_corpora
def test_the_figures_in_the_docs_are_those_of_a_run():
    results = [scored(path) for path in TEST_SPLIT + FRESH + REGRESSION]
    markdown = figures_markdown(results, "offline", calibrated(tuple(TEST_SPLIT)))
    page = (ROOT / "docs" / "understanding.md").read_text(encoding="utf-8")
    block = page.split(FIGURES_BEGIN, 1)[1].split(FIGURES_END, 1)[0]
    assert block == "\n" + markdown, (
        "the readers changed: rerun the command docs/understanding.md's Figures section names"
    )


@scores_corpora
@pytest.mark.parametrize("path", TEST_SPLIT + SPLIT_TRAIN, ids=lambda p: p.name)
def test_the_learned_reader_acts_less_than_the_rules_and_turns_a_right_reading_into_a_question_only(
    path,
):
    """Beside the rules, the learned reader never adds a wrong act; where the rules alone read
    a line right and the offline reading does not, it is because the two readers disagree, and
    a disagreement is a question (``unclear``), never another act. The rules were extended with
    both splits in view, so the test split no longer measures the rules as held out; on the
    training split the learned reader reads far more than the rules."""
    offline, rules = scored(path), scored(path, rules_reader)
    assert len(offline.wrong_acts) <= len(rules.wrong_acts)
    unclear = "unclear/-" if offline.misses and offline.misses[0][0].kind == "requests" else None
    rules_right = {
        (e.question, e.text) for e in load_corpus(path) if Read(rules_reader(e)).label == e.label
    }
    for example, label in offline.misses:
        if (example.question, example.text) in rules_right:
            assert label in (unclear, "unclear", "request"), (example.text, label)
    if "train" in path.name:
        assert offline.accuracy >= rules.accuracy + 0.05


@scores_corpora
def test_the_learned_readers_confidence_is_calibrated_on_the_test_split():
    assert calibrated(tuple(TEST_SPLIT))["all"]["ece"] <= 0.05


@scores_corpora
def test_issue_21_wrong_act_target_on_the_test_split_and_the_regression_set():
    for path in TEST_SPLIT:
        result = scored(path)
        assert result.wrong_act_rate <= 0.005, (path.name, result.wrong_acts)
    for path in REGRESSION:
        assert scored(path).misses == [], path.name


@scores_corpora
def test_issue_21_accuracy_target_on_the_test_split():
    for path in TEST_SPLIT:
        assert scored(path).accuracy >= 0.95, path.name


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("don't log me out", "logout"),
        ("不要卸载okx-auth", "binary_remove"),
        ("never log in", "login"),
    ],
)
def test_a_negated_request_is_never_the_learned_readers_act(text, intent):
    rules = read_request_rules(text)
    assert rules.intent == "unclear"
    assert combine_request(rules, _p(intent), _p("-"), text).intent == "unclear"


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("do not buy btc for me", "okx-cex-trade"),
        ("never place orders for me", "okx-cex-trade"),
        ("I shouldnt log out", "-"),
        ("别帮我卖掉", "okx-cex-trade"),
    ],
)
def test_in_a_negated_text_the_learned_reader_decides_no_act_nor_hand_off(text, route):
    """D21: in a text that holds a negation the learned reader decides no act; a hand-off to a
    skill is one ("do not buy btc for me" is no trade)."""
    rules = read_request_rules(text)
    assert rules.intent == "unclear"
    for intent in ("skill", "logout", "login"):
        assert combine_request(rules, _p(intent), _p(route), text) == rules


def test_in_a_negated_text_the_learned_reader_adds_no_route_to_a_login():
    text = "log me in but don't show my balance"
    rules = read_request_rules(text)
    assert (rules.intent, rules.route) == ("login", None)
    assert combine_request(rules, _p("login"), _p("okx-cex-portfolio"), text) == rules
    plain = "log me in, then the usual"
    added = combine_request(read_request_rules(plain), _p("login"), _p("okx-cex-portfolio"), plain)
    assert added.route == "okx-cex-portfolio"  # without a negation it still may


@pytest.mark.parametrize(
    ("question", "text", "label"),
    [("await_authorization", "没拒绝", "denied"), ("await_authorization", "别弄了", "signal")],
)
def test_a_negated_reply_is_never_the_learned_readers_signal(question, text, label):
    rules = read_reply_rules(question, text)
    if rules.label == "unclear":
        assert combine_reply(rules, _p(label), text).label == "unclear"


@pytest.mark.parametrize("text", ["退出", "quit", "stop", "never mind"])
def test_a_bare_cancel_word_is_no_request_even_if_the_learned_reader_is_sure(text):
    rules = read_request_rules(text)
    assert rules.intent == "unclear"
    assert combine_request(rules, _p("logout"), _p("-"), text).intent == "unclear"
    assert read_request_offline(text, language="en").intent == "unclear"


def test_a_text_past_the_learned_readers_limit_is_read_by_the_rules_alone():
    request, reply = "how are my bags doing today", "still editing the file"
    assert read_request_offline(request, language="en").source == "learned"
    assert read_reply_offline("await_profile_removal", reply).source == "learned"
    padded = LEARNED_LIMIT - len(request) + 1  # one character past the limit
    long_request = read_request_offline(request + " " * padded, language="en")
    assert long_request == read_request_rules(request + " " * padded, language="en")
    long_reply = read_reply_offline("await_profile_removal", reply + " " * LEARNED_LIMIT)
    assert long_reply == read_reply_rules("await_profile_removal", reply + " " * LEARNED_LIMIT)
    at_limit = request + " " * (LEARNED_LIMIT - len(request))
    assert read_request_offline(at_limit, language="en").source == "learned"
    reply_at_limit = reply + " " * (LEARNED_LIMIT - len(reply))
    assert read_reply_offline("await_profile_removal", reply_at_limit).source == "learned"


def test_a_rules_request_for_the_code_stands_against_a_learned_question():
    rules = read_reply_rules("await_authorization", "链接呢?")
    assert rules.label == "ask_code"
    assert combine_reply(rules, _p("question"), "链接呢?") == rules


def test_a_learned_site_leaves_the_rules_reading_as_it_is():
    rules = read_reply_rules("choose_site", "the european one")
    assert combine_reply(rules, _p("site:eea"), "the european one") == rules
    assert combine_reply(rules, _p("site"), "the european one") == rules


def test_a_learned_route_comes_only_with_a_learned_skill_or_login():
    rules = read_request_rules("zzqx blorp")
    assert rules.intent == "unclear"
    reading = combine_request(rules, _p("status"), _p("okx-cex-market"), "zzqx blorp")
    assert (reading.intent, reading.route) == ("status", None)


def test_a_disagreement_is_unclear_for_the_rules_too():
    status = read_request_rules("what is my okx login status?")
    assert status.intent == "status"
    reading = combine_request(status, _p("skill"), _p("okx-cex-market"), "what is my status")
    assert (reading.intent, reading.rules_intent, reading.source) == (
        "unclear",
        "unclear",
        "learned",
    )


def test_only_an_act_no_rule_supports_is_confirmed_first():
    rules = read_request_rules("zzqx blorp")
    learned = combine_request(rules, _p("logout"), _p("-"), "zzqx blorp")
    assert (learned.intent, learned.source) == ("logout", "learned")
    assert needs_confirmation(learned)
    assert not needs_confirmation(read_request_rules("log me out"))


def test_a_blind_training_corpus_is_imported_without_test_lines_or_unknown_labels(tmp_path):
    from training.corpus import import_blind

    corpora, source = tmp_path / "corpora", tmp_path / "blind"
    corpora.mkdir()
    source.mkdir()
    (corpora / "requests.test.tsv").write_text("login\t-\tlog me in\tfam-a\n", encoding="utf-8")
    (corpora / "fresh2").mkdir()  # a held-out corpus: never opened
    (corpora / "fresh2" / "requests.fresh2.tsv").write_text("not a corpus line\n")
    (source / "requests.t9.tsv").write_text(
        "# header\n"
        "login\t-\tLog me in \tt9-a\n"  # a test line: dropped
        "logout\t-\tsign me out\tt9-b\n"
        "fly\t-\tfly me to the moon\tt9-c\n"  # no such intent: dropped
        "skill\tokx-cex-moon\tbuy the moon\tt9-d\n"  # no such route: dropped
        "logout\t-\tsign me out\tt9-b\n",  # a repeat: dropped
        encoding="utf-8",
    )
    (source / "replies.t9.tsv").write_text(
        "choose_site\tsite:eea\t2\tt9-e\nchoose_site\tsite:mars\t9\tt9-e\n"
        "confirm_retry\tsignal\tdone\tt9-f\nconfirm_retry\tyes\tsure\tt9-g\n",
        encoding="utf-8",
    )
    assert import_blind(source, corpora) == {
        "t9/replies.t9.tsv": (2, 2),
        "t9/requests.t9.tsv": (1, 4),
    }
    lines = load_corpus(corpora / "t9" / "requests.t9.tsv")
    assert [(e.label, e.text, e.family) for e in lines] == [("logout/-", "sign me out", "t9-b")]
