"""The canonical sections and how a heading maps onto one, by meaning rather than wording."""

from __future__ import annotations

import re
from functools import lru_cache

from ingest import rules

CANONICAL_SECTIONS: tuple[str, ...] = (*rules.SECTION_SYNONYMS.keys(), "other")

# A token is all letters or all digits: digits (codes, years, counts) never name a section.
_WORD = re.compile(r"[a-z]+|\d+")


def _stem(word: str) -> str:
    """Plural and simple-suffix folding, enough to make 'complications' meet 'complication'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=1 << 15)
def _token(word: str) -> str:
    """A word's token in a heading, or "" for a number or a stop word (memoised: headings share
    a small vocabulary)."""
    return "" if word.isdigit() or word in rules.HEADING_STOPWORDS else _stem(word)


def heading_tokens(text: str) -> tuple[str, ...]:
    words = _WORD.findall(text.lower().replace("®", " ").replace("™", " "))
    return tuple(t for t in map(_token, words) if t)


def _phrase_weight(tokens: tuple[str, ...]) -> float:
    return sum(rules.GENERIC_WEIGHT if t in rules.GENERIC_WORDS else 1.0 for t in tokens)


@lru_cache(maxsize=1)
def _phrases() -> tuple[tuple[str, tuple[str, ...], float], ...]:
    out = []
    for section, phrases in rules.SECTION_SYNONYMS.items():
        for phrase in phrases:
            tokens = heading_tokens(phrase)
            out.append((section, tokens, _phrase_weight(tokens)))
    return tuple(out)


@lru_cache(maxsize=65536)
def map_heading(text: str) -> tuple[str, float]:
    """The canonical section a heading names and how strongly, or ("other", 0.0).

    Only the part before a colon is used when it names a section on its own
    ("Overview of CPT Code 21183: Injection of ..." -> overview). Phrases match as
    contiguous word sequences; each section scores the sum of its matched phrases.
    """
    head, sep, _ = text.partition(":")
    if sep:
        found = _score(heading_tokens(head))
        if found[1] > 0:
            return found
    return _score(heading_tokens(text))


@lru_cache(maxsize=1)
def _phrase_index() -> dict[str, tuple[tuple[int, str, tuple[str, ...], float], ...]]:
    """The phrases by their first token: (position in _phrases(), section, tokens, weight)."""
    index: dict[str, list] = {}
    for pos, (section, phrase, weight) in enumerate(_phrases()):
        if phrase:
            index.setdefault(phrase[0], []).append((pos, section, phrase, weight))
    return {first: tuple(entries) for first, entries in index.items()}


def _score(tokens: tuple[str, ...]) -> tuple[str, float]:
    if not tokens:
        return "other", 0.0
    index = _phrase_index()
    found: dict[int, tuple[str, tuple[str, ...], float]] = {}  # each phrase counts once
    for i, token in enumerate(tokens):
        for pos, section, phrase, weight in index.get(token, ()):
            if pos not in found and tokens[i : i + len(phrase)] == phrase:
                found[pos] = (section, phrase, weight)
    scores: dict[str, float] = {}
    for pos in sorted(found):  # summed in the catalogue's order, as always
        section, phrase, weight = found[pos]
        if phrase == tokens:  # the heading is exactly the phrase: "Procedure" alone is clear
            weight = max(weight, 1.0)
        scores[section] = scores.get(section, 0.0) + weight
    if not scores:
        return "other", 0.0
    best = max(scores.items(), key=lambda kv: (kv[1], -CANONICAL_SECTIONS.index(kv[0])))
    # A heading that is mostly about something else (a long title that happens to contain
    # "procedure") does not map: the matched words must be a fair share of the heading.
    if best[1] < 1.0 and len(tokens) > 2:
        return "other", 0.0
    return best


def clear_memos() -> None:
    """Forget the headings already mapped."""
    map_heading.cache_clear()
    _token.cache_clear()
