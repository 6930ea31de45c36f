"""Write the understanding corpora from the phrasing families (``python -m training.corpus``).

Each family of :mod:`training.families` is expanded (slots, then the surface noise traders type:
filler words, emoji, a one-letter slip, case) and goes **whole** into one split: within the
families of one label, the second, fourth, … go to ``test``, the others to ``train``. Lines
that were in the corpora before the families (family ``v1-test`` / ``v1-train``) stay where
they were. The fourth column of every line is its family.

Deterministic: the same families write the same files.
"""

from __future__ import annotations

import argparse
import random
import re
import zlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final

from okx_auth_graph.evals.reading_scores import load_corpus
from okx_auth_graph.okx.sites import SITE_IDS
from okx_auth_graph.reading.rules import INTENTS, QUESTION_LABELS, ROUTES
from training.families import REPLIES, REQUESTS, Family

CORPORA = Path(__file__).resolve().parents[1] / "evals" / "understanding"
COINS = ("BTC", "ETH", "SOL", "doge", "xrp", "PEPE", "arb", "LINK", "btc", "eth")
COINS_ZH = ("比特币", "以太坊", "大饼", "姨太", "狗狗币", "SOL")
AMOUNTS = ("0.1", "50", "200", "1k", "0.5", "25")
CJK = re.compile(r"[\u3400-\u9fff]")

EN_PREFIX = ("", "hey ", "gm ", "yo ", "hi, ", "ser ", "quick q: ", "pls ", "ok so ", "bro ")
EN_SUFFIX = ("", " pls", " please", " thx", " 🙏", " asap", " 🚀", " lol", " ty", " 😅", " rn")
ZH_PREFIX = ("", "你好，", "麻烦", "请", "哥们，", "在吗，", "帮忙")
ZH_SUFFIX = ("", "谢谢", "哈", "😂", "呀", "，谢了", "🙏", "啊")
REPLY_EN_SUFFIX = ("", "!", ".", " 🙂", "…", "!!", " 😅")
REPLY_ZH_SUFFIX = ("", "！", "。", "哈", "啊", "~")
HEADERS = {
    "requests": "intent<TAB>route-or-dash<TAB>text<TAB>family",
    "replies": "question_type<TAB>label<TAB>text<TAB>family",
}


def _rng(*parts: str) -> random.Random:
    return random.Random(zlib.crc32("|".join(parts).encode()))  # noqa: S311 - not crypto


def expand(family: Family) -> list[str]:
    """The family's phrasings with their slots filled (two values per slot)."""
    texts: list[str] = []
    for i, line in enumerate(family.lines):
        if "{" not in line:
            texts.append(line)
            continue
        for k in range(2):
            texts.append(
                line.format(
                    coin=COINS[(i * 3 + k * 5) % len(COINS)],
                    coinzh=COINS_ZH[(i + k * 2) % len(COINS_ZH)],
                    amt=AMOUNTS[(i + k) % len(AMOUNTS)],
                )
            )
    return texts


def _slip(text: str, rng: random.Random) -> str:
    """Swap two neighbouring inner letters of one longer plain word (a typing slip)."""
    words = [
        (m.start(), m.group()) for m in re.finditer(r"[A-Za-z]{5,}", text) if m.group() != "okx"
    ]
    if not words:
        return text
    start, word = rng.choice(words)
    i = rng.randrange(1, len(word) - 2)
    slipped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return text[:start] + slipped + text[start + len(word) :]


def noisy(text: str, family: Family, index: int, *, reply: bool) -> str:
    """One variant of ``text`` as a trader might type it."""
    rng = _rng(family.name, text, str(index))
    chinese = bool(CJK.search(text))
    if reply:
        suffix = rng.choice(REPLY_ZH_SUFFIX if chinese else REPLY_EN_SUFFIX)
        out = text if text.endswith(("?", "?")) else text + suffix
    elif chinese:
        out = rng.choice(ZH_PREFIX) + text + rng.choice(ZH_SUFFIX)
    else:
        out = rng.choice(EN_PREFIX) + text + rng.choice(EN_SUFFIX)
    roll = rng.random()
    if roll < 0.25:
        out = _slip(out, rng)
    elif roll < 0.4:
        out = out.upper() if len(out) < 20 else out.capitalize()
    elif roll < 0.6:
        out = out[:1].upper() + out[1:]
    return out


def family_lines(family: Family, *, reply: bool) -> Iterator[tuple[str, str]]:
    """(question or '', text) for each line the family writes."""
    for i, text in enumerate(expand(family)):
        variants = [text]
        if family.noise:
            variants.append(noisy(text, family, i, reply=reply))
            if reply:
                variants.append(noisy(text, family, i + 1000, reply=reply))
        for j, variant in enumerate(variants):
            if reply:
                question = family.questions[(i + j) % len(family.questions)]
                yield question, variant
            else:
                yield "", variant


def test_families(families: Sequence[Family], *, reply: bool) -> set[str]:
    """The families that go to the test split: every second family of each label."""
    groups: dict[str, list[str]] = defaultdict(list)
    for family in families:
        key = family.label.split(":")[0] + ("|" + family.questions[0] if reply else "")
        groups[key].append(family.name)
    return {name for names in groups.values() for name in names[1::2]}


def _legacy(path: Path, family: str) -> list[list[str]]:
    """The lines a file held before the families (those of the ``v1-*`` families)."""
    rows = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) == 3 or parts[3].startswith("v1-"):
            rows.append([*parts[:3], family])
    return rows


def build(directory: Path = CORPORA) -> dict[str, list[list[str]]]:
    """The rows of each corpus file, legacy lines first."""
    out: dict[str, list[list[str]]] = {}
    for kind, families in (("requests", REQUESTS), ("replies", REPLIES)):
        reply = kind == "replies"
        testing = test_families(families, reply=reply)
        for split in ("train", "test"):
            rows = _legacy(directory / f"{kind}.{split}.tsv", f"v1-{split}")
            for family in families:
                if (family.name in testing) != (split == "test"):
                    continue
                for question, text in family_lines(family, reply=reply):
                    if reply:
                        rows.append([question, family.label, text, family.name])
                    else:
                        intent, route = family.label.split("/")
                        rows.append([intent, route, text, family.name])
            out[f"{kind}.{split}.tsv"] = rows
    _dedupe(out)
    return out


def _dedupe(files: dict[str, list[list[str]]]) -> None:
    """Drop a line whose text (and question) an earlier line already has, in any file."""
    seen: set[tuple[str, str]] = set()
    for name in sorted(files, key=lambda n: (n.split(".")[0], n.endswith("train.tsv"))):
        kept = []
        for row in files[name]:
            key = (row[0] if name.startswith("repl") else "", row[2].casefold().strip())
            if key not in seen:
                seen.add(key)
                kept.append(row)
        files[name] = kept


def write(directory: Path = CORPORA) -> dict[str, int]:
    """Write the corpus files; returns the line count of each."""
    files = build(directory)
    counts = {}
    for name, rows in files.items():
        kind, split = name.split(".")[:2]
        header = (
            f"# {kind.capitalize()[:-1]} corpus, {split} split: {HEADERS[kind]}."
            " Written by training/corpus.py from training/families.py; split by family."
        )
        lines = [header, *("\t".join(row) for row in rows)]
        (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        counts[name] = len(rows)
    return counts


BLIND_HEADER = (
    "# {kind} corpus {name}: {header}. Written blind (the writer saw only the spec and the label"
    " sets); imported by python -m training.corpus --blind, for training only; lines whose text"
    " another corpus file already holds were dropped."
)


def _valid(kind: str, row: list[str]) -> bool:
    """Whether a blind corpus line carries a label the readers know."""
    first, second = row[0], row[1]
    if kind == "requests":
        return first in INTENTS and (second == "-" or second in ROUTES)
    label, _, value = second.partition(":")
    if first not in QUESTION_LABELS or label not in QUESTION_LABELS[first]:
        return False
    if label == "site":
        return value in SITE_IDS
    return label != "option" or value.isdigit()


BLIND: Final = ("train2", "train3")
"""The folders of the blind training corpora under the corpora's folder (``train2/``, …)."""


def visible_corpora(directory: Path, kind: str) -> list[Path]:
    """The corpus files of ``kind`` the readers may see; never a held-out corpus.

    The splits, the regression set, the development set ``fresh/`` and the blind training
    corpora.
    """
    folders = [directory, directory / "fresh", *(directory / name for name in BLIND)]
    return sorted(path for folder in folders for path in folder.glob(f"{kind}.*.tsv"))


def import_blind(source: Path, directory: Path = CORPORA) -> dict[str, tuple[int, int]]:
    """Copy a blind training corpus (``requests.NAME.tsv``, ``replies.NAME.tsv``) to ``NAME/``.

    A line is kept when its label is one the readers know and no other corpus file the readers
    may see (:func:`visible_corpora`) holds its text (for a reply, its question and text): a
    test line never reaches training. The held-out corpora (``fresh2/``) are not opened.
    Returns, per file written, the lines kept and dropped.
    """
    counts: dict[str, tuple[int, int]] = {}
    for path in sorted(source.glob("*.tsv")):
        kind, name = path.name.split(".")[:2]
        target = directory / name / path.name
        target.parent.mkdir(exist_ok=True)
        seen = {
            (e.question if kind == "replies" else "", e.text.casefold().strip())
            for other in visible_corpora(directory, kind)
            if other.resolve() != target.resolve()
            for e in load_corpus(other)
        }
        kept, dropped = [], 0
        for raw in path.read_text(encoding="utf-8").splitlines():
            if not raw.strip() or raw.startswith("#"):
                continue
            row = raw.split("\t")
            key = (row[0] if kind == "replies" else "", row[2].casefold().strip())
            if len(row) != 4 or not all(row) or not _valid(kind, row) or key in seen:
                dropped += 1
                continue
            seen.add(key)
            kept.append("\t".join(row))
        header = BLIND_HEADER.format(kind=kind.capitalize()[:-1], name=name, header=HEADERS[kind])
        target.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8")
        counts[f"{name}/{path.name}"] = (len(kept), dropped)
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    """Write the corpora and print their sizes (or import a blind training corpus)."""
    parser = argparse.ArgumentParser(prog="python -m training.corpus", description=__doc__)
    parser.add_argument("--dir", type=Path, default=CORPORA)
    parser.add_argument(
        "--blind", type=Path, help="a folder holding a blind training corpus to import"
    )
    args = parser.parse_args(argv)
    if args.blind is not None:
        for name, (kept, dropped) in import_blind(args.blind, args.dir).items():
            print(f"{name}: {kept} lines ({dropped} dropped)")
        return 0
    for name, count in write(args.dir).items():
        print(f"{name}: {count} lines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
