"""The learned reader: character n-gram models behind the rules (docs/spec.md D21).

Linear models over character n-grams (1 to 4 characters inside word boundaries) and words,
trained with scikit-learn by ``python -m training.train`` on the training split of
``evals/understanding/`` and shipped as plain JSON (``learned_reader.json``): per model its
classes, vocabulary, idf weights, coefficients, a temperature that calibrates its
probabilities and a confidence threshold chosen by cross-validation on the training families.
This module applies them in pure Python; scikit-learn is never imported at run time.

How a reading is decided (the rules stay the safety layer):

- the rules read unclear: the learned reader decides when it is confident (at or above the
  threshold) — but never an act (a login, logout, install, removal, site switch or start-over;
  a signal, denial or yes) in a text that holds a negation, which n-grams cannot read — else
  the reading stays unclear (the graph asks ``clarify_request``, or asks the
  question again). A logout, a binary install or removal or a site switch that only the learned
  reader supports is confirmed through ``clarify_request`` first (see :data:`CONFIRM_FIRST`);
  a yes to removing the binary or switching site that only it supports asks again;
- the rules read something and the learned reader agrees, or is not confident: the rules;
- they disagree: a definite rule reading of a side-effecting act (a login, logout, binary
  install or removal, site switch or start-over that is not asked as a question; for replies a
  completion signal, denial, yes, option or site) wins; otherwise the reading is unclear.

A site is never read here: a ``site`` reading always comes from the rules of D4.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from operator import mul
from typing import Any, Final

from okx_auth_graph.reading.rules import (
    QUESTION_LABELS,
    YES_NO_QUESTIONS,
    ReplyLabel,
    ReplyReading,
    RequestReading,
    cancel_is_not_ours,
    is_cancel,
    normalize,
    read_reply_rules,
    read_request_rules,
    too_long,
)
from okx_auth_graph.state import Intent, Language, Route

WEIGHTS: Final = "learned_reader.json"
"""The weights' file name inside the package."""

LEARNED_LIMIT: Final = 1_000
"""The longest text the learned reader reads, in characters; a longer one the rules read alone.

The corpora it learned from hold no line over 230 characters, so a reading of a longer text would
be a guess; and reading only this much keeps its cost flat (docs/benchmarks.md).
"""

SIDE_EFFECT_INTENTS: Final[frozenset[str]] = frozenset(
    {"login", "logout", "binary_install", "binary_remove", "switch_site", "start_over"}
)
"""Intents whose flow runs a side-effecting okx command (or leads to one through the menu)."""

CONFIRM_FIRST: Final[frozenset[str]] = frozenset(
    {"logout", "binary_install", "binary_remove", "switch_site"}
)
"""Intents asked about through ``clarify_request`` when only a model or this reader reads them."""

SIDE_EFFECT_LABELS: Final[frozenset[str]] = frozenset(
    {"signal", "denied", "yes", "start_over", "switch_site", "option", "site"}
)
"""Reply labels whose flow calls okx or moves towards a side effect."""

CALLING_CONFIDENCE: Final = 0.97
"""How sure the learned reader must be, alone, of a reply that makes an okx call (a completion
signal or a denial: one ``auth status``); other readings need the model's own threshold."""

OVERRULE_CONFIDENCE: Final = 0.9
"""How sure the learned reader must be of another intent to turn a definite rule reading of a
side-effecting act into a question (above 1: never)."""

CONFIRM_YES: Final[frozenset[str]] = frozenset({"confirm_remove_binary", "confirm_switch_site"})
"""Yes/no questions whose yes only the rules may give (a removal, a site switch)."""

GROUPS: Final[dict[str, str]] = {
    "await_authorization": "wait",
    "await_profile_removal": "wait",
    "confirm_retry": "yes_no",
    "confirm_remove_binary": "yes_no",
    "confirm_switch_site": "yes_no",
    "confirm_start_over": "yes_no",
    "choose_api_key_fix": "fix",
    "clarify_request": "clarify",
    "choose_site": "site",
}
"""The reply model each question type is read with."""

_NO_ANSWER: Final[dict[str, str]] = {"clarify_request": "request"}
"""What the rules read when a reply answers nothing (``unclear`` unless named here)."""

_SPLIT = re.compile(r"([^\w\s'-])")
_WORD = re.compile(r"[a-z][a-z'-]*")
_QUESTION_START = re.compile(
    r"^(?:\W*)(?:what|why|how|when|where|which|who|do|does|did|is|are|am|can|could|will|would|"
    r"should|shall|may|must)\b"
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|nope|nah|dont|didnt|doesnt|wont|cant|cannot|without|shouldnt|wouldnt"
    r"|couldnt|mustnt|neednt|isnt|arent|wasnt|werent|havent|hasnt|hadnt|aint)\b|n't"
    r"|不(?!小心|好意思|错|过)|没|别|未|勿|甭|莫"
)
_LATIN = re.compile(r"[a-z]")
_CHINESE = re.compile(r"[\u3400-\u9fff]")


def readable(text: str) -> bool:
    """Whether ``text`` holds a word the learned reader can read.

    Two Latin letters or one Chinese character: "0", "✅" and "D" hold none (the rules read
    them alone).
    """
    folded = normalize(text)
    return bool(_CHINESE.search(folded)) or len(_LATIN.findall(folded)) >= 2


_QUESTION_END = re.compile(r"(?:[?？]|[吗呢嘛么])\W*$")


def features(text: str) -> list[str]:
    """The features of ``text``: character n-grams (1-4, inside word boundaries) and words.

    The text is normalised as the rules normalise it (NFKC, case folded, a space between
    Latin and Chinese runs), and each punctuation mark or emoji stands as a word of its own.
    """
    folded = _SPLIT.sub(r" \1 ", normalize(text))
    out: list[str] = []
    for word in folded.split():
        padded = f" {word} "
        size = len(padded)
        out += padded
        out += [padded[i : i + 2] for i in range(size - 1)]
        out += [padded[i : i + 3] for i in range(size - 2)]
        out += [padded[i : i + 4] for i in range(size - 3)]
    out += ["w:" + w for w in _WORD.findall(folded)]
    return out


def is_negated(text: str) -> bool:
    """Whether ``text`` holds a negation anywhere ("don't", "never", 不, 没, 别, …)."""
    return bool(_NEGATION.search(normalize(text)))


def is_question_form(text: str) -> bool:
    """Whether ``text`` is put as a question (a question mark, a question word, 吗/呢)."""
    folded = normalize(text)
    return bool(_QUESTION_END.search(folded) or _QUESTION_START.search(folded))


@dataclass(frozen=True)
class Prediction:
    """A model's reading: its best class, the calibrated probability, and whether it is sure."""

    label: str
    probability: float
    confident: bool


class LinearModel:
    """One calibrated multinomial logistic regression over :func:`features` (from JSON)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.classes: list[str] = list(spec["classes"])
        self.threshold: float = float(spec["threshold"])
        self.temperature: float = float(spec["temperature"])
        self.vocabulary: list[str] = list(spec["vocabulary"])
        self.index: dict[str, int] = {gram: i for i, gram in enumerate(self.vocabulary)}
        self.idf: list[float] = [float(v) for v in spec["idf"]]
        scale = float(spec["scale"])
        # idf folded into the coefficients: score = Σ tf·idf·w / ‖tf·idf‖, one tuple per feature
        self.by_feature: list[tuple[float, ...]] = [
            tuple(c * scale * idf for c in column)
            for column, idf in zip(zip(*spec["coefficients"], strict=True), self.idf, strict=True)
        ]
        self.intercepts: list[float] = [float(b) for b in spec["intercepts"]]

    def columns(self, grams: list[str]) -> list[int]:
        """The vocabulary columns of ``grams`` (a gram seen twice, twice)."""
        lookup = self.index.get
        return [j for j in map(lookup, grams) if j is not None]

    def scores(
        self, columns: list[int], table: list[tuple[float, ...]] | None = None
    ) -> list[float]:
        """The raw class scores of a text given as its :meth:`columns`.

        ``table`` (per feature, the weights of several models side by side) scores models
        that share this vocabulary in one pass; its scores come without intercepts.
        """
        weights = table or self.by_feature
        if not columns:
            return list(self.intercepts) if table is None else [0.0] * len(weights[0])
        counted = Counter(columns)
        idfs = [self.idf[j] for j in counted]
        norm = math.sqrt(
            sum(map(mul, map(mul, counted.values(), counted.values()), map(mul, idfs, idfs)))
        )
        sums = map(sum, zip(*map(weights.__getitem__, columns), strict=True))
        if table is not None:
            return [s / norm for s in sums]
        return [b + s / norm for b, s in zip(self.intercepts, sums, strict=True)]

    def from_scores(
        self, scores: list[float], allowed: frozenset[str] | None = None
    ) -> Prediction | None:
        """The prediction raw ``scores`` make (``None`` when no class is allowed)."""
        probabilities = self.calibrated(scores, allowed)
        if not probabilities:
            return None
        label = max(probabilities, key=lambda k: probabilities[k])
        p = probabilities[label]
        return Prediction(label, p, p >= self.threshold)

    def calibrated(
        self, scores: list[float], allowed: frozenset[str] | None = None
    ) -> dict[str, float]:
        """Softmax of ``scores`` over the temperature, among the ``allowed`` classes."""
        logits = {
            label: score / self.temperature
            for label, score in zip(self.classes, scores, strict=True)
            if allowed is None or label in allowed
        }
        if not logits:
            return {}
        top = max(logits.values())
        exps = {label: math.exp(v - top) for label, v in logits.items()}
        total = sum(exps.values())
        return {label: e / total for label, e in exps.items()}

    def probabilities(self, text: str, allowed: frozenset[str] | None = None) -> dict[str, float]:
        """The calibrated probability of each class (of the ``allowed`` ones, renormalised)."""
        return self.calibrated(self.scores(self.columns(features(text))), allowed)

    def predict(self, text: str, allowed: frozenset[str] | None = None) -> Prediction | None:
        """The best class and its probability; ``None`` when no class is allowed."""
        return self.from_scores(self.scores(self.columns(features(text))), allowed)


class LearnedReader:
    """The learned reader's models: ``intent``, ``route`` and one per reply group."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.models = {name: LinearModel(m) for name, m in spec["models"].items()}
        intent, route = self.models["intent"], self.models["route"]
        self.joint: list[tuple[float, ...]] | None = None
        """Intent and route weights side by side, when they read the same features."""
        if intent.vocabulary == route.vocabulary and intent.idf == route.idf:
            self.joint = [a + b for a, b in zip(intent.by_feature, route.by_feature, strict=True)]

    @classmethod
    def from_json(cls, text: str) -> LearnedReader:
        """A reader from the JSON the training script writes."""
        return cls(json.loads(text))

    def request(self, text: str) -> tuple[Prediction, Prediction]:
        """The intent and the route (``-`` for none) a request reads as."""
        intent_model, route_model = self.models["intent"], self.models["route"]
        if self.joint is None:
            intent, route = intent_model.predict(text), route_model.predict(text)
        else:  # one look-up, one pass over the features for both models
            raw = intent_model.scores(intent_model.columns(features(text)), self.joint)
            size = len(intent_model.classes)
            intent = intent_model.from_scores(
                [b + s for b, s in zip(intent_model.intercepts, raw[:size], strict=True)]
            )
            route = route_model.from_scores(
                [b + s for b, s in zip(route_model.intercepts, raw[size:], strict=True)]
            )
        assert intent is not None
        assert route is not None
        return intent, route

    def reply(self, question: str, text: str) -> Prediction | None:
        """The label a reply to ``question`` reads as, among the labels the question allows."""
        group = GROUPS.get(question)
        if group is None:
            return None
        model = self.models[group]
        allowed = QUESTION_LABELS.get(question, frozenset())
        return model.predict(
            text, frozenset(c for c in model.classes if c.split(":")[0] in allowed)
        )


@cache
def shipped_reader() -> LearnedReader:
    """The reader shipped with the package (loaded once)."""
    text = resources.files("okx_auth_graph.reading").joinpath(WEIGHTS).read_text(encoding="utf-8")
    return LearnedReader.from_json(text)


# --------------------------------------------------------------------------- requests


def combine_request(
    rules: RequestReading, intent: Prediction, route: Prediction, text: str
) -> RequestReading:
    """The offline reading of a request from the rules' and the learned reader's.

    See the module docstring for the order; the result's ``rules_intent`` is always what the
    rules read, so the graph confirms an act only the learned reader supports.
    """
    learned_intent: str | None = intent.label if intent.confident else None
    learned_route: str | None = route.label if route.confident else None
    if learned_intent in rules.ruled_out:
        learned_intent = None  # the rules read these words and found no such act asked for
    acts = learned_intent in SIDE_EFFECT_INTENTS or learned_intent == "skill"
    if acts and is_negated(text):  # "don't log me out", "never place orders for me": no act (D21)
        learned_intent = None  # n-grams do not see a negation, the rules do
    if "skill" in rules.ruled_out:
        learned_route = None  # nor a hand-off ("what happens to my orders if i log out?")
    if rules.intent == "unclear":
        if learned_intent is None or learned_intent == "unclear":
            return rules
        if is_cancel(text):
            return rules  # a bare "quit" / "退出" is no request: the graph asks what is wanted
        picked: Route | None = None
        if learned_intent in ("skill", "login") and learned_route not in (None, "-"):
            picked = learned_route  # type: ignore[assignment]
        if learned_intent == "skill" and picked is None:
            return rules  # a skill with no route it is sure of: still unclear
        return rules.model_copy(
            update={
                "intent": learned_intent,
                "route": picked,
                "source": "learned",
                "rules_intent": "unclear",
            }
        )
    # the learned reader's "unclear" is no reading at all: it never outvotes one
    disagree = learned_intent not in (None, "unclear", rules.intent)
    new_route: Route | None = rules.route
    if rules.route is not None:  # the learned "-" (no route) is no reading either
        disagree = disagree or learned_route not in (None, "-", rules.route)
    elif rules.intent == "login" and learned_route not in (None, "-") and not is_negated(text):
        new_route = learned_route  # type: ignore[assignment]  # the rules found no skill
    if not disagree:
        if new_route != rules.route:
            return rules.model_copy(update={"route": new_route, "source": "learned"})
        return rules
    if (
        rules.intent in SIDE_EFFECT_INTENTS
        and not is_question_form(text)
        and intent.probability < OVERRULE_CONFIDENCE
    ):
        return rules  # a definite rule reading of a side-effecting act wins
    return rules.model_copy(
        update={"intent": "unclear", "route": None, "source": "learned", "rules_intent": "unclear"}
    )


def read_request_offline(
    text: str, *, language: Language, reader: LearnedReader | None = None
) -> RequestReading:
    """Read a request with the rules and the learned reader (docs/spec.md D21)."""
    rules = read_request_rules(text, language=language)
    if too_long(text) or len(text) > LEARNED_LIMIT:
        return rules  # not read at all (D21's limit), or past what the learned reader reads
    if not readable(text):
        return rules  # "0", "✅", "D": no word to read; a number is an answer, not a request
    intent, route = (reader or shipped_reader()).request(text)
    return combine_request(rules, intent, route, text)


def needs_confirmation(reading: RequestReading) -> bool:
    """Whether a reading's act is to be confirmed through ``clarify_request`` before it runs.

    A logout, a binary install or removal or a site switch read by a model or by the learned
    reader but not by the rules (D2, D21).
    """
    intent: Intent = reading.intent
    return (
        intent in CONFIRM_FIRST
        and reading.source in ("model", "learned")
        and reading.rules_intent not in (intent, None)
    )


# --------------------------------------------------------------------------- replies


def combine_reply(rules: ReplyReading, learned: Prediction | None, text: str) -> ReplyReading:
    """The offline reading of a reply (``text``) from the rules' and the learned reader's."""
    if learned is None or not learned.confident:
        return rules
    question = rules.question
    no_answer = _NO_ANSWER.get(question, "unclear")
    label, _, value = learned.label.partition(":")
    if label in SIDE_EFFECT_LABELS and is_negated(text):
        return rules  # "没拒绝", "别弄了": a negation the n-grams do not see; no reading
    if label == "cancel" and rules.label != "cancel" and cancel_is_not_ours(text):
        return rules  # "不取消", "cancel my order": the rules read the cancel word, its object
    if rules.label == no_answer:
        if label in ("site", no_answer) or (label == "option" and not value):
            return rules  # a site or an option number comes from the rules only
        if question in YES_NO_QUESTIONS and _is_signal(text):
            return rules  # "done" answers no yes/no question: the graph checks the login
        if label == "yes" and question in CONFIRM_YES:
            return rules  # a removal or a site switch only the learned reader supports
        if label in SIDE_EFFECT_LABELS and learned.probability < CALLING_CONFIDENCE:
            return rules  # an okx call on the learned reader's word alone: surer than usual
        option = int(value) if label == "option" else None
        reply_label: ReplyLabel = label  # type: ignore[assignment]
        return rules.model_copy(
            update={"label": reply_label, "option": option, "source": "learned"}
        )
    if learned.label == rules.value or (label == rules.label and not value) or label == no_answer:
        return rules  # agreeing, or no reading at all: the learned "unclear" never outvotes one
    if rules.label in SIDE_EFFECT_LABELS or rules.label in ("cancel", "ask_code"):
        return rules  # a definite rule reading of a side-effecting answer, a cancel or a
        # request for the code (shown again, no okx call: "链接呢?") wins
    return rules.model_copy(
        update={"label": no_answer, "site": None, "option": None, "source": "learned"}
    )


def _is_signal(text: str) -> bool:
    """Whether the rules read ``text`` as a completion signal while waiting ("done", "好了")."""
    return read_reply_rules("await_authorization", text).label == "signal"


def read_reply_offline(
    question: str, text: str, *, options: int = 2, reader: LearnedReader | None = None
) -> ReplyReading:
    """Read a reply with the rules and the learned reader (docs/spec.md D21)."""
    rules = read_reply_rules(question, text, options=options)
    if too_long(text) or len(text) > LEARNED_LIMIT or not readable(text):
        return rules  # not read at all (D21's limit), past what the learned reader reads, no word
    learned = (reader or shipped_reader()).reply(question, text)
    return combine_reply(rules, learned, text)
