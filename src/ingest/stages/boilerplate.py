"""The learned boilerplate decision: general signals of a line and its neighbourhood, weighed by
a small logistic model shipped with the package (``line_model.json``).

The rule catalogue (:mod:`ingest.rules`) removes what it names with certainty; this decides the
rest. Chrome comes in runs and content in runs, so a line is judged with its neighbours: a first
pass scores each line from its own signals and its neighbours' shapes, a second pass adds the
first pass's scores of the lines around it. Nothing here names a site, a brand or a phrase of
one page: the signals are shapes (length, function words, final stop, arrows, imperative
openings, numbers with labels), the page's own topic (its code and recurring words), the site's
own name (from its host) and the site's recurring lines (templates).

The model is retrained from labelled pages by ``python -m ingest.learn`` (see docs/cleaning.md);
inference is a dot product per line, so the package needs no learning library at run time.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import chain

import numpy as np

from ingest import rules
from ingest.models import Kind, Line

from .sections import map_heading

# Words that carry grammar, not topic: prose is full of them, menus and buttons have few.
FUNCTION_WORDS = frozenset(
    [
        "a", "an", "the", "of", "to", "in", "for", "on", "at", "by", "with", "from", "as", "and", "or", "but", "if",
        "then", "than", "that", "this", "these", "those", "which", "who", "whom", "whose", "is", "are", "was", "were",
        "be", "been", "being", "has", "have", "had", "do", "does", "did", "can", "could", "may", "might", "must",
        "should", "will", "would", "it", "its", "there", "their", "they", "them", "he", "she", "his", "her", "not",
        "no", "when", "where", "while", "how", "what", "why", "also", "such", "into", "about", "after", "before",
        "during", "under", "over", "between", "through", "each", "other", "more", "most", "some", "any", "all", "both"
    ]
)
# First words of a call to action ("Start free", "Book a demo", "Run X through ...").
IMPERATIVE_OPENINGS = frozenset(
    [
        "get", "start", "try", "book", "join", "sign", "subscribe", "download", "learn", "read", "see", "run", "track",
        "discover", "contact", "call", "click", "request", "schedule", "explore", "create", "upgrade", "watch",
        "register", "shop", "buy", "chat", "ask", "follow", "share", "view", "visit", "claim", "unlock", "save", "find",
        "check", "compare", "use", "open", "go", "let", "talk", "apply", "enroll", "grab", "access", "login", "log"
    ]
)
# Words of selling and account-keeping, a sign of the site speaking about itself.
COMMERCE_WORDS = frozenset(
    [
        "free", "demo", "trial", "software", "platform", "app", "apps", "account", "toolkit", "premium", "pricing",
        "plan", "plans", "subscribe", "subscription", "signup", "login", "download", "newsletter", "tool", "tools",
        "today", "now", "instantly", "minutes", "started", "customers", "clients", "trusted", "services", "solution",
        "solutions", "team", "experts", "expert", "offer", "discount", "upgrade", "unlimited", "dashboard", "automate",
        "automates", "automation"
    ]
)
_MONTH = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(?:updated|reviewed|verified|published)\b",
    re.IGNORECASE,
)
_ARROW = re.compile(r"[→›»➔⟶➜▶←‹«]|(?:^|\s)(?:->|>>|<-)(?:\s|$)|\s[>+]$")
# Every match of _ARROW holds one of these characters: a line without any has no arrow.
_ARROW_MARKS = re.compile(r"[→›»➔⟶➜▶←‹«<>+]")
_LINK = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|org|net|io|gov)\b|@[\w-]+\.")
_NOT_DIGITS = re.compile(r"\D+")
# Every match of _LINK holds one of these, and every match of _MONTH a digit or one of _DATE_WORDS.
_LINK_MARKS = re.compile(r"http|www\.|@|\.(?:com|org|net|io|gov)")
_DATE_WORDS = ("updated", "reviewed", "verified", "published")
# Every match of _MONTH in an ASCII line holds a slash or one of these, as _MONTH's case-blind
# matching reads them (lines beyond ASCII always go to _MONTH).
_DATE_MARKS = re.compile(r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|" + "|".join(_DATE_WORDS))
# A date stated as a fact of the code ("Code Added: January 01, 1988", "Code effective date:
# ...") is the code's data, not a byline's date ("Updated: ...", "Effective date: ..." of a page).
_CODE_FACT = re.compile(r"^[^:]{0,40}\bcodes?\b[^:]{0,40}:\s*\S", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s[|·•/]\s")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")  # a line ending as a sentence does
_ALNUM = re.compile(r"[^a-z0-9]+")
# Lines of at most this many words count as short, for runs of short lines (menus, strips).
SHORT_LINE_WORDS = 4
# A line's words that also occur elsewhere on the page: only words this long count (topic words).
TOPIC_WORD_MIN_CHARS = 4
LINE_MEMO = 1 << 14

# The signals of a line on its own, in the model's order (line_model.json names them too).
TEXT_FEATURES = (
    "log_words", "log_chars", "function_share", "sentence_end", "question", "colon_end", "arrow", "imperative",
    "pronoun_share", "commerce_share", "digit_share", "starts_digit", "link", "date", "title_case", "all_caps",
    "separators", "names_section", "exclaim", "label_line", "cta",
)
PAGE_FEATURES = (
    "heading", "item", "bold", "own_code", "other_code", "brand", "template", "topic_share", "position",
    "before_content", "after_content", "short_run", "prev_function_share", "next_function_share",
    "prev_sentence", "next_sentence", "prev_short", "next_short", "code_repeats", "heads_block", "brand_in_prose",
)
CONTEXT_FEATURES = ("ctx_prev", "ctx_next", "ctx_window", "ctx_max_near")
FEATURES = TEXT_FEATURES + PAGE_FEATURES
_PRONOUNS = frozenset({"you", "your", "we", "our", "us", "you're", "we're", "yours"})
_ROW = struct.Struct(f"={len(TEXT_FEATURES)}d")  # a row of text_features as float64 in native order


def text_features(text: str) -> tuple[float, ...]:
    """The signals of a line's text alone, in TEXT_FEATURES' order."""
    return _line_facts(text)[0]


def _line_tokens(text: str) -> tuple[tuple[str, ...], frozenset[str], str]:
    """A line's codes, its topic words and its letters and digits alone."""
    return _line_facts(text)[2:]


@lru_cache(maxsize=LINE_MEMO)
def _line_facts(
    text: str,
) -> tuple[tuple[float, ...], bytes, tuple[str, ...], frozenset[str], str]:
    """Everything the line model needs of a line's text alone, found in one pass over its words
    and memoised (a site's template lines recur): its text_features, the same as the bytes of a
    row of float64 (a page's rows join into one array at once), and its _line_tokens."""
    words = _WORD.findall(text)
    low = [w.casefold() for w in words]
    n = max(len(words), 1)
    alpha = [c for c in (w[0] for w in words) if c.isalpha()]  # first letters of the words that open with one
    stripped = text.strip()
    folded = stripped.casefold()
    digits = len(_NOT_DIGITS.sub("", stripped))
    # Cheap substring tests first: most lines hold no arrow, link or date, and their patterns cost more.
    arrow = _ARROW_MARKS.search(stripped) is not None and _ARROW.search(stripped) is not None
    link = _LINK_MARKS.search(folded) is not None and _LINK.search(stripped) is not None
    if digits:  # a month's name, a date word or a slash: an ASCII line without any holds no date
        may_date = not stripped.isascii() or "/" in stripped or _DATE_MARKS.search(folded) is not None
    else:
        may_date = any(m in folded for m in _DATE_WORDS)
    date = may_date and _MONTH.search(stripped) is not None and not _CODE_FACT.match(stripped)
    imperative = bool(low) and low[0] in IMPERATIVE_OPENINGS
    features = (
        math.log1p(len(words)),
        math.log1p(len(stripped)),
        sum(map(FUNCTION_WORDS.__contains__, low)) / n,
        float(bool(SENTENCE_END.search(stripped))),
        float(stripped.endswith("?")),
        float(stripped.endswith(":")),
        float(arrow),
        float(imperative),
        sum(map(_PRONOUNS.__contains__, low)) / n,
        sum(map(COMMERCE_WORDS.__contains__, low)) / n,
        digits / max(len(stripped), 1),
        float(stripped[:1].isdigit()),
        float(link),
        float(date),
        sum(map(str.isupper, alpha)) / len(alpha) if len(alpha) >= 2 else 0.0,
        float(len(alpha) >= 1 and stripped.upper() == stripped and any(c.isalpha() for c in stripped)),
        float(len(_SEPARATORS.findall(stripped)) >= 2),
        float(len(words) <= 12 and map_heading(stripped)[1] >= 1.0),
        float(stripped.endswith("!")),
        float(len(words) <= 8 and stripped.endswith(":")),
        float(arrow or imperative),
    )
    codes = (tuple(m.group(1).upper() for m in rules.CODE_PATTERN.finditer(text))
             if rules.FOUR_DIGITS.search(text) else ())
    topic = frozenset([w for w in low if len(w) >= TOPIC_WORD_MIN_CHARS]) - FUNCTION_WORDS
    return features, _ROW.pack(*features), codes, topic, compact(text)


@lru_cache(maxsize=LINE_MEMO)
def compact(text: str) -> str:
    """A line's letters and digits alone, case-folded: how a brand name is matched in a line
    (memoised: cleaning asks it of every line, and the line model again)."""
    return _ALNUM.sub("", text.casefold())


def brand_of(site: str) -> str | None:
    """The site's own name as it is written in its lines: the host's first label ("payerready"
    of payerready.com), when long enough not to be a word of content."""
    label = site.removeprefix("www.").split(".")[0] if "." in site else site
    label = compact(label)
    return label if len(label) >= 5 else None


def _shifted(values: np.ndarray, by: int, fill: float) -> np.ndarray:
    """values[k - by] at k (the line ``by`` before; negative: after), ``fill`` past the page's ends."""
    out = np.full(len(values), fill, dtype=np.float64)
    if by > 0:
        out[by:] = values[:-by]
    elif by < 0:
        out[:by] = values[-by:]
    return out


def _run_lengths(short: np.ndarray) -> np.ndarray:
    """The length of the run of short lines each short line belongs to (0 for the others)."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0.0], short, [0.0]])))
    lengths = edges[1::2] - edges[::2]
    runs = np.zeros(len(short))
    runs[short > 0] = np.repeat(lengths, lengths)  # the short lines are the runs' lines, in order
    return runs


def _put_shifted(out: np.ndarray, column: int, values: np.ndarray, by: int, fill: float) -> None:
    """out[:, column] = _shifted(values, by, fill), written in place."""
    if by > 0:
        out[by:, column] = values[:-by]
        out[:by, column] = fill
    else:
        out[:by, column] = values[-by:]
        out[by:, column] = fill


_SENTENCE_END_COLUMN = TEXT_FEATURES.index("sentence_end")
_FUNCTION_SHARE_COLUMN = TEXT_FEATURES.index("function_share")
_PAGE_COLUMN = {name: len(TEXT_FEATURES) + k for k, name in enumerate(PAGE_FEATURES)}
_KIND_CODE = {kind: k for k, kind in enumerate(Kind)}


def page_features(lines: Sequence[Line], own_code: str | None, site: str, template: Sequence[bool]) -> np.ndarray:
    """The first pass's input: one row of FEATURES per line (``template``: the line recurs across
    the site's pages, see clean.template_mask). Built column by column over the whole page: the
    per-line work is a memo look-up, and only lines holding a code are visited one by one."""
    n = len(lines)
    out = np.empty((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return out
    facts = [_line_facts(ln.text) for ln in lines]
    texts = out[:, : len(TEXT_FEATURES)]
    texts[:] = np.frombuffer(b"".join([f[1] for f in facts]), dtype=np.float64).reshape(n, len(TEXT_FEATURES))
    words = [f[3] for f in facts]
    # A topic word recurs when another line of the page holds it too (each line counts a word once).
    recurring = {w for w, count in Counter(chain.from_iterable(words)).items() if count > 1}
    sentence = texts[:, _SENTENCE_END_COLUMN] * (texts[:, 0] >= math.log1p(8))
    is_sentence = sentence > 0
    anchors = np.flatnonzero(is_sentence)
    first, last = (anchors[0], anchors[-1]) if len(anchors) else (n, -1)
    short = (texts[:, 0] <= math.log1p(SHORT_LINE_WORDS)).astype(np.float64)
    fn = texts[:, _FUNCTION_SHARE_COLUMN]
    col = _PAGE_COLUMN
    shape = np.array([(_KIND_CODE[ln.kind], ln.level) for ln in lines]).reshape(n, 2)
    out[:, col["heading"]] = shape[:, 0] == _KIND_CODE[Kind.HEADING]
    out[:, col["item"]] = shape[:, 0] == _KIND_CODE[Kind.ITEM]
    out[:, col["bold"]] = shape[:, 1] > 0
    out[:, [col["own_code"], col["other_code"], col["code_repeats"]]] = 0.0
    for i, f in enumerate(facts):
        codes = f[2]
        if codes:
            out[i, col["own_code"]] = own_code is not None and own_code in codes
            out[i, col["other_code"]] = any(c != own_code for c in codes)
            out[i, col["code_repeats"]] = own_code is not None and codes.count(own_code) >= 2
    brand = brand_of(site)
    out[:, col["brand"]] = [brand in f[4] for f in facts] if brand is not None else 0.0
    out[:, col["template"]] = np.asarray(template, dtype=np.float64)
    out[:, col["topic_share"]] = [len(w & recurring) / len(w) if w else 0.0 for w in words]
    k = np.arange(n)
    out[:, col["position"]] = k / max(n - 1, 1)
    out[:, col["before_content"]] = k < first
    out[:, col["after_content"]] = k > last
    out[:, col["short_run"]] = np.log1p(_run_lengths(short))
    _put_shifted(out, col["prev_function_share"], fn, 1, 0.0)
    _put_shifted(out, col["next_function_share"], fn, -1, 0.0)
    _put_shifted(out, col["prev_sentence"], sentence, 1, 0.0)
    _put_shifted(out, col["next_sentence"], sentence, -1, 0.0)
    _put_shifted(out, col["prev_short"], short, 1, 1.0)
    _put_shifted(out, col["next_short"], short, -1, 1.0)
    next_leads = np.maximum(out[:, col["next_sentence"]], _shifted(out[:, col["item"]], -1, 0.0))
    out[:, col["heads_block"]] = short * (1 - is_sentence) * next_leads
    out[:, col["brand_in_prose"]] = out[:, col["brand"]] * is_sentence
    return out


def context_features(p: np.ndarray) -> np.ndarray:
    """The second pass's extra input: the first pass's scores of the lines around each line."""
    n = len(p)
    if n == 0:
        return np.zeros((0, len(CONTEXT_FEATURES)))
    padded = np.concatenate([[0.5, 0.5, 0.5], p, [0.5, 0.5, 0.5]])
    prev, nxt = padded[2 : n + 2], padded[4 : n + 4]
    window = (np.convolve(padded, np.ones(7), mode="valid") - p) / 6
    near = np.maximum(prev, nxt)
    return np.column_stack([prev, nxt, window, near])


@dataclass(frozen=True, slots=True)
class Logistic:
    """A standardised logistic regression: p = sigmoid(((x - mean) / scale) . weights + bias)."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return np.zeros(0)
        return self.probability((x - self.mean) / self.scale)

    def probability(self, standardised: np.ndarray) -> np.ndarray:
        """predict's answer from rows already standardised, ``(x - mean) / scale``."""
        z = standardised @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def to_json(self) -> dict:
        return {
            "features": list(self.names),
            "mean": self.mean.round(6).tolist(),
            "scale": self.scale.round(6).tolist(),
            "weights": self.weights.round(6).tolist(),
            "bias": round(float(self.bias), 6),
        }

    @classmethod
    def from_json(cls, data: dict) -> Logistic:
        return cls(
            tuple(data["features"]),
            np.array(data["mean"], dtype=np.float64),
            np.array(data["scale"], dtype=np.float64),
            np.array(data["weights"], dtype=np.float64),
            float(data["bias"]),
        )


@dataclass(frozen=True, slots=True)
class LineModel:
    """Two passes and the score above which a line is boilerplate."""

    first: Logistic
    second: Logistic
    threshold: float

    def scores(
        self, lines: Sequence[Line], own_code: str | None, site: str, template: Sequence[bool]
    ) -> tuple[np.ndarray, list[str]]:
        """Each line's probability of being boilerplate, and the signal that weighed most towards it."""
        x = page_features(lines, own_code, site, template)
        if len(x) == 0:
            return np.zeros(0), []
        x2 = np.hstack([x, context_features(self.first.predict(x))])
        standardised = (x2 - self.second.mean) / self.second.scale  # once, for the score and its reason
        top = (standardised * self.second.weights).argmax(axis=1)
        names = self.second.names
        return self.second.probability(standardised), [names[k] for k in top.tolist()]

    def to_json(self) -> dict:
        return {"threshold": self.threshold, "first": self.first.to_json(), "second": self.second.to_json()}

    @classmethod
    def from_json(cls, data: dict) -> LineModel:
        model = cls(Logistic.from_json(data["first"]), Logistic.from_json(data["second"]), float(data["threshold"]))
        if model.first.names != FEATURES or model.second.names != FEATURES + CONTEXT_FEATURES:
            raise ValueError("line_model.json was trained on other features: retrain it (python -m ingest.learn)")
        return model


MODEL_FILE = "line_model.json"
_override: list[LineModel | None] = []


@contextmanager
def using(model: LineModel | None) -> Iterator[None]:
    """Decide with ``model`` instead of the shipped one inside the block (leave-one-site-out
    evaluation runs the real pipeline with a model trained without the site it scores)."""
    _override.append(model)
    try:
        yield
    finally:
        _override.pop()


def active_model() -> LineModel | None:
    return _override[-1] if _override else shipped_model()


@lru_cache(maxsize=1)
def shipped_model() -> LineModel | None:
    """The model in the package, or None before one has been trained."""
    path = resources.files(__package__).joinpath(MODEL_FILE)
    if not path.is_file():
        return None
    return LineModel.from_json(json.loads(path.read_text(encoding="utf-8")))


def model_digest() -> str:
    """What the parse cache keys on: the shipped model's file, as text."""
    path = resources.files(__package__).joinpath(MODEL_FILE)
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def clear_memos() -> None:
    """Forget the per-line signals already computed (the shipped model stays loaded)."""
    _line_facts.cache_clear()
    compact.cache_clear()
