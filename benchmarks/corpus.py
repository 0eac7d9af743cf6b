#!/usr/bin/env python3
"""A seeded, reproducible synthetic corpus of scraped code-lookup pages (stdlib only).

The project's one corpus generator: ``benchmarks/run.py`` builds its corpora with it (text-only and
HTML-only ones for the per-format throughput, mixed ones for the end-to-end runs), and
``tests/dedup/make_synthetic_pairs.py`` renders its labelled near-duplicate pairs with
:func:`render_page`. (It replaced ``benchmarks/make_corpus.py``, which re-skinned the labelled test
pages: a benchmark on the very pages the cleaner is tuned on, with padding no site serves.)

Five invented sites, each with its own template, in the formats of the contract's landing zone:

- ``codelens``      HTML, semantic tags (header/nav/main/article/section/aside/footer, <details>
                    FAQ), schema.org JSON-LD (``MedicalCode``, ``BreadcrumbList``, ``FAQPage``).
- ``billingatlas``  HTML, div soup with generated CSS-in-JS class names, key/value rows in spans,
                    accordion FAQ, ``window.__INITIAL_STATE__`` blob.
- ``procedurenotes`` text dump with a blank line between lines and ``•`` bullets, numbered steps,
                    ``Key: value`` lines (the layout of seed 002, boilerplate of seed 001).
- ``codingcompass`` text dump without blank lines, ``-`` bullets, an intro sentence under each
                    heading, a promo block glued to the next heading now and then (seed 000).
- ``claimcoach``    text dump of a paywalled page: official + lay description, AMA copyright
                    lines, "Register to view content" blocks, a views-remaining counter (seed 003).

Both HTML sites serve 40-200 KB pages as real lookup sites do: many <meta>, a large inline
stylesheet, analytics and config scripts (the config mentions other codes), a nav of ~80 links,
cookie banner, breadcrumbs, related-codes sidebar, signup modal, a big footer, and a large JSON
state blob. Their pages can also be rendered as text dumps (``fmt="text"``).

Content is a function of (site, code): the same code on the same site always says the same
thing, as a real site does; pages about other codes share the template and differ in content
(section set, items, 3-8 items a list). The code picks a procedure family (by CPT range or HCPCS
letter) and neighbouring codes (21183/21184) share a family, so they read alike. The ``rng``
passed to :func:`render_page` only draws what changes between two fetches of one page: the
updated date, a view counter, the rotated promo, CSP nonces and tokens. ``variant`` adds
scraper/re-scrape noise on top (bit flags, combinable):

    1  NOISE_WHITESPACE  trailing spaces, indentation (text); indentation between tags (html)
    2  NOISE_MARKUP      bullet style -, •, * (text); attribute order, tracking params (html)
    4  NOISE_LINES       blank lines toggled (text); HTML comments, asset cache-busters (html)
    8  NOISE_EDIT        one content sentence lightly edited (never used by generate())

The corpus has ~5% exact duplicates (the same bytes in another file or JSONL line, maybe with
another URL query string or fetched_at) and ~15% near-duplicates (a re-fetch of an earlier page:
other volatile values plus noise bits 1, 2, 4; same code, same content otherwise).

Files, as the contract's landing zone has them: ``<site>/*.html`` and ``<site>/*.txt`` (about 1.5%
gzipped, ``.gz``), some with a ``.meta.json`` sidecar (url, fetched_at), and
``crawl/batch-NNNNN.jsonl`` scraper files of 200 records ``{"url", "fetched_at", "html" | "text"}``
(every 8th batch gzipped). ``--formats`` picks the file kinds: ``text`` alone gives text dumps of
all five sites, ``html`` alone HTML files of the two HTML sites. The manifest (every page, its
file or JSONL line, code, site and what it duplicates) is written beside the output directory,
``OUT.manifest.json``, not inside it, so the landing zone holds pages only. 10,000 pages (~380 MB)
take ~15 s on one core.

    python benchmarks/corpus.py --pages 10000 --out /tmp/c10k [--seed 0] [--formats html,text,jsonl]

The data (code systems, procedure families, wording pools, the sites' headings, navs and promos) is in
``corpus_data.py`` beside this file, as plain literals; this module is the code that turns it into pages.

API: ``generate(out_dir, n_pages, seed=0, formats=..., manifest=None, exact_share=0.05, near_share=0.15,
avoid_codes=()) -> dict``, ``read_manifest(path) -> dict``,
``render_page(code, site, rng, variant=0, fmt="html") -> str``, ``page_url(code, site)``,
``SITES``, ``random_code(rng, system)``, ``code_info(code)``.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import hashlib
import json
import os
import random
import re
import sys
import time
import zlib
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from itertools import accumulate
from pathlib import Path

from corpus_data import (
    CPT_GROUPS,
    FAMILY_ROWS,
    GROUP_CATEGORY,
    HCPCS_CATEGORY,
    HCPCS_RANGES,
    INTROS,
    KIND_NOUN,
    MODIFIERS,
    PINNED,
    POOLS,
    QUALIFIERS,
    SITE_SPECS,
    SYSTEMS,
)
from corpus_data import CSS_PROPS as _CSS_PROPS
from corpus_data import JS_LOADER as _JS_LOADER
from corpus_data import NOT_FOR_KIND as _NOT_FOR_KIND
from corpus_data import PROC_HEADING as _PROC_HEADING
from corpus_data import SYNONYMS as _SYNONYMS
from corpus_data import SYSTEM_ALIASES as _SYSTEM_ALIASES
from corpus_data import VERB as _VERB

NOISE_WHITESPACE = 1
NOISE_MARKUP = 2
NOISE_LINES = 4
NOISE_EDIT = 8
NOISE_NAMES = {NOISE_WHITESPACE: "whitespace", NOISE_MARKUP: "markup", NOISE_LINES: "lines", NOISE_EDIT: "edit"}

EXACT_SHARE = 0.05
NEAR_SHARE = 0.15
JSONL_PER_FILE = 200
MIN_HTML_BYTES = 40 * 1024 + 512  # an HTML page's size target (model.html_kb) is clamped to this range
MAX_HTML_BYTES = 200 * 1024

# --------------------------------------------------------------------------------------------
# Code systems
# --------------------------------------------------------------------------------------------

_CPT_WEIGHTS = [g[3] for g in CPT_GROUPS]


def _norm_system(system: str) -> str:
    if system in SYSTEMS:
        return system
    try:
        return _SYSTEM_ALIASES[system.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown code system {system!r}; one of {SYSTEMS}") from None


def random_code(rng: random.Random, system: str = "CPT") -> str:
    """A plausible code of ``system``: CPT (Category I, 5 digits), CPT-II (4 digits + F),
    CPT-III (4 digits + T) or HCPCS (letter + 4 digits)."""
    s = _norm_system(system)
    if s == "CPT":
        lo, hi, _, _ = rng.choices(CPT_GROUPS, weights=_CPT_WEIGHTS)[0]
        return f"{rng.randint(lo, hi):05d}"
    if s == "CPT-II":
        return f"{rng.randint(1, 9007):04d}F"
    if s == "CPT-III":
        return f"{rng.randint(42, 950):04d}T"
    letter = rng.choice(sorted(HCPCS_RANGES))
    lo, hi = HCPCS_RANGES[letter]
    return f"{letter}{rng.randint(lo, hi):04d}"


def system_of(code: str) -> str:
    if code[0].isalpha():
        return "HCPCS"
    return {"F": "CPT-II", "T": "CPT-III"}.get(code[-1], "CPT")


def neighbour_code(code: str, delta: int = 1) -> str:
    """The code ``delta`` away in the same system (21183 -> 21184, 0263T -> 0264T, J1100 -> J1101)."""
    if code[0].isalpha():
        return f"{code[0]}{(int(code[1:]) + delta) % 10000:04d}"
    if code[-1] in "FT":
        return f"{(int(code[:4]) + delta) % 10000:04d}{code[-1]}"
    return f"{(int(code) + delta) % 100000:05d}"


# --------------------------------------------------------------------------------------------
# Procedure families: what a page about a code talks about
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    group: str
    kind: str  # surgery | imaging | lab | therapy | visit | measure | drug | dme | supply
    title: str
    lay: str
    region: str
    purpose: str
    cond: tuple[str, ...]
    symp: tuple[str, ...]
    steps: tuple[str, ...]
    tests: tuple[str, ...]
    risks: tuple[str, ...]
    alts: tuple[str, ...]
    spec: str
    anes: str
    setting: str
    cost: tuple[int, int]
    dur: tuple[int, int]
    tools: str
    benefits: tuple[str, ...] = ()


def _fam(group, kind, title, lay, region, purpose, cond, symp, steps, tests, risks, alts, spec, anes, setting,
         cost, dur, tools, benefits="") -> Family:
    """A :class:`Family` from one row of ``corpus_data.FAMILY_ROWS``; its ``"; "``-separated strings become tuples."""
    def split(s: str) -> tuple[str, ...]:
        return tuple(x.strip() for x in s.split(";") if x.strip())
    return Family(group, kind, title, lay, region, purpose, split(cond), split(symp), split(steps), split(tests),
                  split(risks), split(alts), spec, anes, setting, cost, dur, tools, split(benefits))


FAMILIES = [_fam(*row) for row in FAMILY_ROWS]

FAMILIES_BY_GROUP: dict[str, list[Family]] = {}
for _f in FAMILIES:
    FAMILIES_BY_GROUP.setdefault(_f.group, []).append(_f)


@dataclass(frozen=True)
class CodeInfo:
    code: str
    system: str  # CPT | CPT-II | CPT-III | HCPCS
    label: str  # CPT | HCPCS (what pages call it)
    group: str
    family: Family
    title: str
    category: str
    is_add_on: bool


def _family_key(code: str) -> str:
    """The code without the last digit of its number: neighbours share it (2118, 026T, J110)."""
    if code[-1] in "FT":
        return code[:3] + code[-1]
    return code[:-1]


@lru_cache(maxsize=65536)
def code_info(code: str) -> CodeInfo:
    """What the corpus says about a code (deterministic): system, family, title, category, add-on."""
    system = system_of(code)
    if system == "CPT-II":
        group = "measure"
    elif system == "CPT-III":
        group = "emerging"
    elif system == "HCPCS":
        group = f"hcpcs_{code[0]}" if f"hcpcs_{code[0]}" in FAMILIES_BY_GROUP else "hcpcs_A"
    else:
        n = int(code)
        group = next((g for lo, hi, g, _ in CPT_GROUPS if lo <= n <= hi), "musculoskeletal" if n < 70000 else "medicine")
    fams = FAMILIES_BY_GROUP[group]
    fam = fams[zlib.crc32(_family_key(code).encode()) % len(fams)]
    digit = int(re.sub(r"\D", "", code)[-1])
    qualifier = QUALIFIERS[fam.kind][digit]
    if code in PINNED:
        fam = next(f for f in FAMILIES if f.title.startswith(PINNED[code]))
        group, qualifier = fam.group if fam.group in FAMILIES_BY_GROUP else group, ""
    title = fam.title + qualifier
    if group.startswith("hcpcs_"):
        category = HCPCS_CATEGORY.get(code[0], "HCPCS Level II")
    else:
        category = GROUP_CATEGORY.get(group, "Surgical Procedures")
    return CodeInfo(code, system, "HCPCS" if system == "HCPCS" else "CPT", group, fam, title, category,
                    "List separately in addition" in qualifier)


# --------------------------------------------------------------------------------------------
# Sites
# --------------------------------------------------------------------------------------------


@dataclass
class Site:
    name: str
    host: str
    brand: str
    layout: str  # html_semantic | html_divsoup | text_blank | text_dash | text_paywall
    formats: tuple[str, ...]
    headings: dict[str, str]
    order: list[str]
    core: set[str]
    optional: dict[str, float]
    intro_p: float
    item_style: str  # sentence | fragment
    wording: int  # which paraphrase this site uses
    text_bullet: str  # bullet of its text dumps
    text_blank_lines: bool
    ordered_steps: bool
    promos: list[list[str]]
    nav: list[str] = field(default_factory=list)
    footer: list[list[str]] = field(default_factory=list)
    copyright: str = ""
    url_pattern: str = ""
    weight: float = 1.0


SITES: list[Site] = [Site(**spec) for spec in SITE_SPECS]
SITE_BY_NAME = {s.name: s for s in SITES}
HTML_SITES = [s.name for s in SITES if "html" in s.formats]
TEXT_SITES = [s.name for s in SITES if "html" not in s.formats]


def _site(site: str | Site) -> Site:
    if isinstance(site, Site):
        return site
    try:
        return SITE_BY_NAME[site]
    except KeyError:
        raise ValueError(f"unknown site {site!r}; one of {sorted(SITE_BY_NAME)}") from None


def _slug(text: str, words: int = 6) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())[:words])


def page_url(code: str, site: str | Site) -> str:
    """The canonical URL of the page about ``code`` on ``site``."""
    s = _site(site)
    info = code_info(code)
    system_slug = {"CPT": "cpt", "CPT-II": "cpt", "CPT-III": "cpt", "HCPCS": "hcpcs"}[info.system]
    return s.url_pattern.format(system_slug=system_slug, code=code, code_lower=code.lower(), slug=_slug(info.family.lay))


# --------------------------------------------------------------------------------------------
# Page content model: a function of (site, code)
# --------------------------------------------------------------------------------------------


@dataclass
class Section:
    key: str
    heading: str
    paras: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    ordered: bool = False
    after: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    label: str | None = None
    faq: list[tuple[str, str]] = field(default_factory=list)
    inline: str | None = None  # rendered as one "Heading: value" line


@dataclass
class Model:
    code: str
    site: Site
    info: CodeInfo
    url: str
    sections: list[Section]
    related: list[tuple[str, str]]
    cost: tuple[int, int] | None
    duration: str | None
    html_kb: float
    glue_promo: bool
    promo_after: int
    locked: int
    technical_terms: str
    keywords: str


def _lc(s: str) -> str:
    """Lower-case the first letter unless it starts an acronym (MRI, CT)."""
    if len(s) > 1 and s[1].isupper():
        return s
    return s[:1].lower() + s[1:]


def _uc(s: str) -> str:
    return s[:1].upper() + s[1:]


def _a(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _money(x: float) -> int:
    step = 5 if x < 100 else 50 if x < 1000 else 100 if x < 10000 else 500
    return max(step, round(x / step) * step)


def _usd(x: int) -> str:
    return f"${x:,}"


def _duration_text(fam: Family) -> str | None:
    a, b = fam.dur
    if not b:
        return None
    if fam.kind == "lab" and b > 20:
        return f"{a}-{b} hours"
    if a == b:
        return f"{a} minutes"
    if a >= 60 and a % 60 == 0 and b % 60 == 0:
        return f"{a // 60}-{b // 60} hours"
    return f"{a}-{b} minutes"


class _Ctx:
    """Per (site, code) wording helpers."""

    def __init__(self, site: Site, info: CodeInfo, cr: random.Random):
        self.site, self.info, self.fam, self.cr = site, info, info.family, cr
        self.kind = info.family.kind
        self.vars = {"region": info.family.region or "treated area", "spec_lower": _lc(info.family.spec) if info.family.spec else "doctor",
                     "lay": info.family.lay}

    def pick(self, text: str) -> str:
        alts = [a.strip() for a in text.split(" | ")]
        out = alts[self.site.wording % len(alts)]
        return out.format_map(self.vars) if "{" in out else out

    def style(self, item: str) -> str:
        item = item.strip()
        if self.site.item_style == "fragment":
            return item[:-1] if item.endswith(".") and not item.endswith("etc.") else item
        return item if item[-1:] in ".?!:" else item + "."

    def pool(self, key: str) -> list[str]:
        table = POOLS.get(key, {})
        raw = table.get(self.kind, table.get("default", []))
        return [self.pick(x) for x in raw]

    def items(self, key: str, own: tuple[str, ...], lo: int = 3, hi: int = 8) -> list[str]:
        cr = self.cr
        own = [x for x in own if x]
        generic = [g for g in self.pool(key) if g.rstrip(".") not in {o.rstrip(".") for o in own}]
        n = min(cr.randint(lo, hi), len(own) + len(generic))
        k_own = min(len(own), max(n - len(generic), cr.randint(min(2, len(own)), len(own))), n)
        chosen = cr.sample(own, k_own) + cr.sample(generic, max(0, n - k_own))
        cr.shuffle(chosen)
        return [self.style(x) for x in chosen]

    def intro(self, key: str) -> list[str]:
        if key in INTROS and self.cr.random() < self.site.intro_p:
            return [self.cr.choice(INTROS[key])]
        return []


def _title_short(title: str) -> str:
    return title.split(";")[0].split(" (")[0]


def _heading(site: Site, key: str, info: CodeInfo) -> str:
    if key == "procedure" and info.family.kind in _PROC_HEADING and site.layout.startswith("html"):
        return _PROC_HEADING[info.family.kind]
    noun = KIND_NOUN[info.family.kind]
    return site.headings[key].format(label=info.label, code=info.code, title=info.title, title_short=_title_short(info.title),
                                     noun_title=noun.title(), noun=noun)


def _faq(ctx: _Ctx, model_cost, duration) -> list[tuple[str, str]]:
    info, fam, kind, cr = ctx.info, ctx.fam, ctx.kind, ctx.cr
    noun, verb = KIND_NOUN[kind], _VERB[kind]
    mods = MODIFIERS[kind]
    cands = [(f"What is {info.label} code {info.code} used for?", f"It is used to report {fam.lay}, {verb} {fam.purpose}.")]
    if duration:
        cands.append((f"How long does the {noun} take?", f"The {noun} typically takes about {duration}."))
    if kind == "surgery" and fam.anes:
        cands.append(("Will I need anesthesia?", f"Yes, {_lc(fam.anes)} is used to minimize discomfort."))
    if model_cost:
        cands.append((f"How much does {_a(noun)} {noun} like this cost?" if kind in ("surgery", "imaging", "lab", "therapy", "visit")
                      else f"How much does {fam.lay} cost?",
                      f"Without insurance, the cost usually ranges from {_usd(model_cost[0])} to {_usd(model_cost[1])}."))
    cands.append((f"Is {fam.lay} covered by insurance?",
                  "Most plans cover it when it is medically necessary; prior authorization may be required."))
    if kind in ("surgery", "imaging", "therapy", "lab"):
        cands.append((f"Can {info.code} be billed with an E/M visit on the same day?",
                      "Only when a significant, separately identifiable E/M service is documented, using modifier 25."))
    cands.append((f"Is {info.code} an add-on code?",
                  "Yes. It is reported in addition to the code for the primary procedure." if info.is_add_on
                  else f"No. {info.code} is reported on its own and is not an add-on code."))
    if kind == "surgery":
        cands.append(("What can I expect during recovery?", "You may experience some soreness but should gradually improve over the following days."))
    if fam.spec and kind in ("surgery", "imaging", "lab", "therapy"):
        cands.append((f"Who performs this {noun}?", f"It is usually {verb} by {_a(fam.spec)} {_lc(fam.spec)}."))
    cands.append((f"Which modifiers are common with {info.code}?", f"Common modifiers include {mods[0].split(' - ')[0]} and {mods[1].split(' - ')[0]}."))
    n = min(len(cands), cr.randint(3, 6))
    idx = sorted(cr.sample(range(len(cands)), n))
    return [cands[i] for i in idx]


def _section(ctx: _Ctx, key: str, m: dict) -> list[Section]:
    site, info, fam, kind, cr = ctx.site, ctx.info, ctx.fam, ctx.kind, ctx.cr
    h = _heading(site, key, info) if key in site.headings else key
    noun, verb = KIND_NOUN[kind], _VERB[kind]
    conds = [c.rstrip(".") for c in fam.cond]
    if key == "overview":
        s1 = cr.choice([
            f"{info.label} Code {info.code} refers to {fam.lay}, {_a(noun)} {noun} {verb} {fam.purpose}.",
            f"{info.label} code {info.code} describes {fam.lay}. It is {verb} {fam.purpose}.",
            f"{info.code} is the {info.label} code for {fam.lay}, {verb} {fam.purpose}.",
        ])
        paras = [s1]
        extra = []
        if fam.spec and fam.setting:
            extra.append(f"It is most often {verb} by {_a(fam.spec)} {_lc(fam.spec)} in {fam.setting}.")
        extra.append(f"The code belongs to the {info.category} section of the code set.")
        if conds:
            extra.append(f"Common reasons include {_lc(conds[0])} and {_lc(conds[-1])}.")
        if site.layout == "text_blank":
            paras = [" ".join([s1] + cr.sample(extra, min(2, len(extra))))]
        elif cr.random() < 0.7:
            paras.append(" ".join(cr.sample(extra, min(len(extra), cr.randint(1, 2)))))
        return [Section(key, h, paras=paras)]
    if key == "official_description":
        return [Section(key, h, paras=[info.title])]
    if key == "lay_description":
        steps = [s.rstrip(".") for s in fam.steps]
        sents = [f"{_uc(fam.lay)} is {_a(noun)} {noun} {verb} {fam.purpose}."]
        if len(conds) >= 2:
            sents.append(f"It is commonly used for patients with {_lc(conds[0])} or {_lc(conds[1])}.")
        if steps:
            sents.append(f"During the {noun}, {_lc(steps[0])}.")
            long = site.layout == "text_paywall"
            for s in steps[1: None if long else 3]:
                sents.append(cr.choice(["Next, ", "Then ", "", "After that, "]) + (_lc(s) if sents[-1] else s) + ".")
        if fam.tests and site.layout == "text_paywall":
            sents.append(f"Before the {noun}, {_lc(fam.tests[0].rstrip('.'))} may be performed to plan treatment.")
        if fam.setting:
            sents.append(f"The {noun} is usually done in {fam.setting}.")
        sents = [_uc(s) for s in sents]
        return [Section(key, h, paras=[" ".join(sents)])]
    if key == "purpose":
        p = f"This {noun} is used {fam.purpose}."
        if len(conds) >= 3:
            p += f" It is considered for conditions such as {_lc(conds[0])}, {_lc(conds[1])} or {_lc(conds[2])}."
        if fam.benefits:
            p += f" The goal is {_lc(fam.benefits[0].rstrip('.'))} and a safe return to daily activities."
        return [Section(key, h, paras=[p])]
    if key in ("indications", "symptoms", "diagnostic_tests", "preparation", "recovery", "complications", "follow_up",
               "alternatives", "home_care", "patient_education", "benefits", "causes_risk_factors"):
        own = {"indications": fam.cond, "symptoms": fam.symp, "diagnostic_tests": fam.tests, "complications": fam.risks,
               "alternatives": fam.alts, "benefits": fam.benefits}.get(key, ())
        items = ctx.items(key, own)
        if len(items) < 2:
            return []
        after = []
        if site.layout == "text_blank" and cr.random() < 0.5:
            after = [{
                "complications": "Management of these risks involves antibiotics, pain management, and close monitoring during the recovery period.",
                "benefits": f"Patients may begin to see benefits within a few weeks, although complete recovery can take {cr.choice(['2-3', '3-6', '6-12'])} months.",
                "alternatives": f"Each alternative has its own advantages and risks; discuss them with your {ctx.vars['spec_lower']}.",
            }.get(key, "")]
            after = [a for a in after if a]
        return [Section(key, h, paras=ctx.intro(key), items=items, after=after)]
    if key == "procedure":
        pre, post = ctx.pool("procedure_pre"), ctx.pool("procedure_post")
        core = list(fam.steps)
        n = cr.randint(max(3, len(core)), 8)
        extra = max(0, n - len(core))
        k_pre = min(len(pre), cr.randint(0, extra))
        k_post = min(len(post), extra - k_pre)
        steps = ([pre[i] for i in sorted(cr.sample(range(len(pre)), k_pre))] + core
                 + [post[i] for i in sorted(cr.sample(range(len(post)), k_post))])
        return [Section(key, h, paras=ctx.intro(key), items=[ctx.style(s) for s in steps], ordered=site.ordered_steps)]
    if key == "tools_equipment":
        return [Section(key, h, inline=fam.tools)] if fam.tools else []
    if key == "anesthesia":
        return [Section(key, h, inline=fam.anes)] if fam.anes and fam.anes != "None" else []
    if key == "duration":
        d = m["duration"]
        if not d:
            return []
        p = cr.choice([f"The {noun} typically takes around {d}, depending on the complexity and patient's condition.",
                       f"Plan for about {d}; check-in and recovery add extra time.",
                       f"Most patients spend {d} in the {noun} room."])
        return [Section(key, h, paras=[p])]
    if key == "setting":
        if not fam.setting:
            return []
        return [Section(key, h, paras=[f"The {noun} is performed in {fam.setting}" + cr.choice([" under sterile conditions.", ".", ", usually on an outpatient basis."])])]
    if key == "personnel":
        items = [fam.spec] + cr.sample(ctx.pool("personnel"), cr.randint(2, len(ctx.pool("personnel"))))
        return [Section(key, h, paras=ctx.intro(key), items=[ctx.style(x) if site.item_style == "sentence" else x for x in items])]
    if key == "patient_experience":
        anes = fam.anes if fam.anes and fam.anes != "None" else ""
        p1 = (f"During the {noun}, {_lc(anes)} keeps you comfortable." if anes else f"The {noun} is usually painless.")
        p1 += " Afterwards, there may be some discomfort at the site, managed with over-the-counter or prescribed pain medication."
        paras = [p1]
        if cr.random() < 0.6:
            paras.append("Pain management and comfort measures will include prescribed pain medications, ice packs to reduce swelling, "
                         "and specific instructions for mobility and physical activity limits.")
        return [Section(key, h, paras=paras)]
    if key == "cost_coverage":
        lo, hi = m["cost"]
        first = {
            "codelens": f"The national average price is between {_usd(lo)} and {_usd(hi)} without insurance.",
            "billingatlas": f"Typical self-pay cost: {_usd(lo)} to {_usd(hi)}.",
            "procedurenotes": f"Typical cost without insurance: {_usd(lo)} to {_usd(hi)}",
        }.get(site.name, f"Average cost ranges from {_usd(lo)} to {_usd(hi)}.")
        pool = ctx.pool("cost_coverage")
        rest = [ctx.style(x) for x in cr.sample(pool, cr.randint(2, min(5, len(pool))))]
        return [Section(key, h, paras=ctx.intro(key), items=[first] + rest)]
    if key == "billing":
        facts = [(f"{info.label} Code", info.code), ("Category", info.category)]
        if cr.random() < 0.5:
            facts.append(("Add-on Code", "Yes" if info.is_add_on else "No"))
        if kind == "surgery" and cr.random() < 0.5:
            facts.append(("Global Period", cr.choice(["000 days", "010 days", "090 days"])))
        mods = MODIFIERS[kind]
        k = min(len(mods), cr.randint(3, 5))
        picked = [mods[i] for i in sorted(cr.sample(range(len(mods)), k))]
        return [Section(key, h, facts=facts, label="Common Modifiers:", items=picked)]
    if key == "faq":
        return [Section(key, h, faq=_faq(ctx, m["cost"], m["duration"]))]
    if key == "related_codes":
        if site.name == "codingcompass" and cr.random() < 0.5:
            return [Section(key, h)]  # an empty heading, as on the seed page
        return [Section(key, h, items=[f"{c} - {t}" if site.layout != "text_blank" else f"{c}: {_title_short(t)}" for c, t in m["related"]])]
    if key == "references":
        if cr.random() < 0.4:
            return [Section(key, h)]
        pool = ctx.pool("references")
        return [Section(key, h, items=cr.sample(pool, cr.randint(2, 4)))]
    if key == "policies":
        return [Section(key, h), Section(key, "Related policies from health plans")]
    raise KeyError(key)


@lru_cache(maxsize=512)
def _model(code: str, site_name: str) -> Model:
    site = SITE_BY_NAME[site_name]
    info = code_info(code)
    fam = info.family
    cr = random.Random(f"{site_name}|{code}|content")
    ctx = _Ctx(site, info, cr)
    excluded = _NOT_FOR_KIND[fam.kind]
    if not fam.cost[1]:
        excluded = excluded | {"cost_coverage"}
    keys = [k for k in site.order if k not in excluded and (k in site.core or cr.random() < site.optional.get(k, 0.5))]
    cost = None
    if fam.cost[1]:
        f = cr.uniform(0.85, 1.15)
        lo, hi = _money(fam.cost[0] * f), _money(fam.cost[1] * cr.uniform(0.9, 1.2))
        cost = (lo, max(hi, lo * 2))
    related_codes = sorted({neighbour_code(code, d) for d in cr.sample([-3, -2, -1, 1, 2, 3, 4], cr.randint(3, 6))})
    m = {"cost": cost, "duration": _duration_text(fam),
         "related": [(c, code_info(c).title) for c in related_codes]}
    sections: list[Section] = []
    for k in keys:
        sections.extend(_section(ctx, k, m))
    terms = ", ".join(cr.sample([_title_short(info.title).split(",")[0], fam.lay, fam.region or info.category, fam.spec or "coding"],
                                3))
    return Model(code=code, site=site, info=info, url=page_url(code, site), sections=sections, related=m["related"],
                 cost=cost, duration=m["duration"], html_kb=40.0 * 5.0 ** cr.random(), glue_promo=cr.random() < 0.3,
                 promo_after=cr.randint(4, 8), locked=cr.randint(3, 6), technical_terms=terms,
                 keywords=", ".join([info.code, f"{info.label} {info.code}", _title_short(info.title).lower(), fam.lay]))


def _edit_model(model: Model, rng: random.Random) -> Model:
    """A copy of the model with one content sentence lightly edited (a word swapped, dropped or added)."""
    model = copy.copy(model)
    model.sections = [copy.copy(s) for s in model.sections]
    slots = [(i, "paras", j) for i, s in enumerate(model.sections) if s.key != "official_description"
             for j, p in enumerate(s.paras) if len(p.split()) >= 6]
    slots += [(i, "items", j) for i, s in enumerate(model.sections) if s.key not in ("billing", "related_codes")
              for j, p in enumerate(s.items) if len(p.split()) >= 6]
    if not slots:
        return model
    i, attr, j = rng.choice(slots)
    sec = model.sections[i]
    values = list(getattr(sec, attr))
    words = values[j].split(" ")
    for a, b in rng.sample(_SYNONYMS, len(_SYNONYMS)):
        if a in words:
            words[words.index(a)] = b
            break
    else:
        if "the" in words[1:]:
            words.pop(words.index("the", 1))
        else:
            words.insert(min(2, len(words) - 1), rng.choice(["usually", "often", "generally"]))
    values[j] = " ".join(words)
    setattr(sec, attr, values)
    return model


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(s: str) -> str:
    return _esc(s).replace('"', "&quot;")


def _volatile(rng: random.Random) -> dict:
    """What differs between two fetches of one page. Drawn in a fixed order."""
    return {
        "date": date(2025, 7, 1) + timedelta(days=rng.randrange(270)),
        "views": rng.randint(150, 250000),
        "promo": rng.randrange(1 << 30),
        "nonce": f"{rng.getrandbits(64):016x}",
        "csrf": f"{rng.getrandbits(128):032x}",
        "req": f"{rng.getrandbits(32):08x}",
        "remaining": rng.randint(0, 5),
        "ms": rng.randint(20, 400),
        "ab": rng.choice(["control", "variant_a", "variant_b"]),
        "server": rng.randint(1, 24),
    }


def _long_date(d: date) -> str:
    return f"{d.strftime('%B')} {d.day}, {d.year}"


def _class_name(r: random.Random, prefix: str = "css") -> str:
    return f"{prefix}-{r.getrandbits(30):x}"[:12]


def _css(r: random.Random, classes: list[str], kb: int) -> str:
    def prop() -> str:
        return r.choice(_CSS_PROPS).format(a=r.randint(0, 32), b=r.randint(0, 48), hex=f"{r.randrange(1 << 24):06x}",
                                           n=r.randint(10, 40), d=r.randint(1, 9), w=r.choice([400, 500, 600, 700]),
                                           m=r.choice([320, 640, 960, 1200, 1440]))
    rules = [f":root{{--brand:#{r.randrange(1 << 24):06x};--ink:#1d2433;--muted:#5b6475;--radius:8px}}",
             "*,*::before,*::after{box-sizing:border-box}", "body{margin:0;font-family:Inter,system-ui,-apple-system,Segoe UI,Roboto,sans-serif}"]
    size = sum(len(x) for x in rules)
    pseudo = ["", ":hover", ":focus-visible", " > a", " li", "::before", " h2", " p", ".is-active", " .icon"]
    while size < kb * 1024:
        if r.random() < 0.04:
            bp = r.choice([480, 640, 768, 1024, 1280])
            inner = "".join(f".{r.choice(classes)}{{{prop()}}}" for _ in range(r.randint(3, 8)))
            rule = f"@media (max-width:{bp}px){{{inner}}}"
        else:
            sel = ",".join(f".{r.choice(classes)}{r.choice(pseudo)}" for _ in range(r.randint(1, 3)))
            rule = sel + "{" + ";".join(prop() for _ in range(r.randint(2, 6))) + "}"
        rules.append(rule)
        size += len(rule) + 1
    return "\n".join(rules)


@cache
def _chrome(site_name: str) -> dict:
    """Per-site HTML chrome, built once: stylesheet, nav, footer, modal, search-index pool for the state blob."""
    site = SITE_BY_NAME[site_name]
    r = random.Random(f"chrome|{site_name}")
    ch: dict = {"build": f"{r.getrandbits(40):010x}", "ga": f"G-{r.getrandbits(40):X}"[:12]}
    semantic = site.layout == "html_semantic"
    if semantic:
        cls = {k: k for k in ["site-header", "logo", "search-form", "main-nav", "nav-group", "nav-link", "breadcrumbs", "promo-bar",
                              "layout", "code-article", "article-meta", "quick-facts", "code-section", "bullets", "steps", "note",
                              "fact", "faq-list", "faq-item", "faq-answer", "sidebar", "related-codes", "sidebar-ad", "newsletter",
                              "modal", "site-footer", "footer-col", "legal", "cookie-banner", "btn", "btn-primary", "views"]}
    else:
        keys = ["hdr", "logo", "search", "nav", "navgrp", "navlink", "crumbs", "promo", "layout", "article", "meta", "h1", "sec",
                "sechead", "h2", "secbody", "p", "ul", "ol", "li", "kv", "k", "v", "label", "acc", "accq", "acca", "sidebar",
                "related", "ad", "newsletter", "modal", "footer", "fcol", "legal", "cookie", "btn", "btn2", "views", "dot", "wrap"]
        cls = {k: _class_name(r) for k in keys}
    ch["cls"] = cls
    extra = [_class_name(r, r.choice(["u", "sc", "jsx", "tw"])) for _ in range(120)]
    ch["css"] = _css(r, list(cls.values()) + extra, kb=r.randint(16, 20))
    c = cls
    # navigation
    nav_html, nav_text = [], []
    if semantic:
        nav_html.append(f'<nav class="{c["main-nav"]}" aria-label="Main"><ul class="nav-root">')
        group = None
        for label in site.nav:
            if label in ("CPT Codes", "HCPCS Level II", "ICD-10", "Tools", "Resources"):
                if group:
                    nav_html.append("</ul></li>")
                group = label
                nav_html.append(f'<li class="{c["nav-group"]}"><button aria-expanded="false">{_esc(label)}</button><ul class="submenu">')
            else:
                href = "/" + _slug(label, 4)
                nav_html.append(f'<li><a href="{href}" class="{c["nav-link"]}" data-track="nav-{_slug(label, 2)}">{_esc(label)}</a></li>')
            nav_text.append(label)
        nav_html.append("</ul></li></ul></nav>")
    else:
        nav_html.append(f'<div class="{c["nav"]}" role="navigation"><div class="{c["wrap"]}">')
        for i, label in enumerate(site.nav):
            if i % 12 == 0:
                nav_html.append(("</div>" if i else "") + f'<div class="{c["navgrp"]}">')
            href = "/" + _slug(label.split(": ")[-1], 4)
            nav_html.append(f'<a href="{href}" class="{c["navlink"]}" data-track="nav">{_esc(label)}</a>')
            nav_text.append(label)
        nav_html.append("</div></div></div>")
    ch["nav_html"], ch["nav_text"] = "\n".join(nav_html), nav_text
    # footer
    foot_html, foot_text = [], []
    if semantic:
        foot_html.append(f'<footer class="{c["site-footer"]}"><div class="footer-grid">')
        for col in site.footer:
            foot_html.append(f'<div class="{c["footer-col"]}"><h4>{_esc(col[0])}</h4><ul>'
                             + "".join(f'<li><a href="/{_slug(x, 3)}" class="footer-link">{_esc(x)}</a></li>' for x in col[1:]) + "</ul></div>")
        foot_html.append(f'</div><div class="{c["legal"]}"><p>{_esc(site.copyright)}</p>'
                         "<p>Fee data and descriptors are provided for reference only and do not guarantee payment. Always verify codes "
                         "against the official code books and payer policies.</p><p>CodeLens Health Data, Inc. · 500 Market Street, Suite 1200 · "
                         "San Francisco, CA 94105</p></div></footer>")
    else:
        foot_html.append(f'<div class="{c["footer"]}"><div class="{c["wrap"]}">')
        for col in site.footer:
            foot_html.append(f'<div class="{c["fcol"]}"><div class="{c["label"]}">{_esc(col[0])}</div>'
                             + "".join(f'<a href="/{_slug(x, 3)}" class="{c["navlink"]}">{_esc(x)}</a>' for x in col[1:]) + "</div>")
        foot_html.append(f'</div><div class="{c["legal"]}">{_esc(site.copyright)}</div><div class="{c["legal"]}">BillingAtlas is not '
                         "affiliated with CMS or the AMA. Information is for educational purposes and is not coding advice.</div></div>")
    for col in site.footer:
        foot_text.extend(col)
    ch["footer_html"], ch["footer_text"] = "\n".join(foot_html), foot_text
    # search index pool for the state blob
    entries = []
    for _ in range(2600):
        code = random_code(r, r.choices(SYSTEMS, weights=[80, 4, 6, 10])[0])
        info = code_info(code)
        entries.append(json.dumps({"c": code, "t": info.title[:90], "u": page_url(code, site).split(site.host, 1)[-1],
                                   "s": info.label.lower(), "w": r.randint(1, 99999)}, separators=(",", ":")) + ",\n")
    ch["pool"] = "".join(entries)
    ch["pool_off"] = [0] + list(accumulate(len(e) for e in entries))
    ch["popular"] = ["99213", "99214", "G2211", "97110", "36415", "93000", "80053", "J3490", "20610", "11721", "99203", "90471"]
    return ch


def _blob_slice(ch: dict, frac: float, need: int) -> str:
    off = ch["pool_off"]
    total = off[-1]
    need = max(800, min(need, total - 10))
    start_i = bisect_left(off, int(frac * (total - need)))
    end_i = max(start_i + 1, min(len(off) - 1, bisect_right(off, off[start_i] + need) - 1))  # at most ``need`` chars
    return ch["pool"][off[start_i]: off[end_i]].rstrip(",\n")


# ---- text dumps ------------------------------------------------------------------------------
# tokens: (kind, text, tight) with kind in line | bullet | num | glue | blank


def _content_tokens(model: Model, numbered_bullets: bool = True) -> list[tuple]:
    toks: list[tuple] = []
    for s in model.sections:
        if s.inline is not None:
            toks.append(("line", f"{s.heading}: {s.inline}", False))
            continue
        toks.append(("line", s.heading, False))
        for p in s.paras:
            toks.append(("line", p, False))
        for k, v in s.facts:
            toks.append(("line", f"{k}: {v}", False))
        if s.label:
            toks.append(("line", s.label, False))
        for i, it in enumerate(s.items, 1):
            toks.append(("num", f"{i}. {it}", False) if s.ordered and numbered_bullets else ("bullet", it, False))
        for p in s.after:
            toks.append(("line", p, False))
        for q, a in s.faq:
            toks.append(("line", q, False))
            toks.append(("line", a, False))
    return toks


def _finish_text(toks: list[tuple], site: Site, variant: int, rng: random.Random, blank: bool, bullet: str) -> str:
    if variant & NOISE_MARKUP:
        options = [b for b in ("- ", "  • ", "• ", "* ") if b.strip() != bullet.strip()]
        bullet = rng.choice(options)
    if variant & NOISE_LINES:
        blank = not blank
    out: list[str] = []
    glue = ""
    for kind, text, tight in toks:
        if kind == "glue":
            glue += text
            continue
        if kind == "blank":
            out.append("")
            continue
        if kind == "bullet":
            text = bullet + text
        elif kind == "num":
            text = ("  " if bullet.startswith(" ") else "") + text
        if variant & NOISE_WHITESPACE:
            x = rng.random()
            if x < 0.12:
                text += " "
            elif x < 0.16:
                text += "  "
            elif x < 0.2 and kind in ("bullet", "num"):
                text = " " + text
            elif x < 0.22:
                text = text.replace(". ", ".  ", 1)
        text = glue + text
        glue = ""
        if blank and out and not tight and out[-1] != "":
            out.append("")
        out.append(text)
    if glue:
        out.append(glue)
    s = "\n".join(out)
    if variant & NOISE_WHITESPACE and rng.random() < 0.5:
        s += "\n"
    return s


def _text_dash(model: Model, vol: dict, variant: int, rng: random.Random) -> str:
    site = model.site
    toks: list[tuple] = [("line", x, True) for x in site.nav]
    toks.append(("line", f"Updated: {vol['date'].isoformat()}", True))
    toks.append(("line", f"{vol['views']:,} views", True))
    body = _content_tokens(model, numbered_bullets=False)
    promo = site.promos[vol["promo"] % len(site.promos)]
    # the promo block lands after the n-th heading; its "Learn more" is glued to the next heading on some pages
    heads = [i for i, t in enumerate(body) if t[0] == "line" and any(t[1] == s.heading for s in model.sections)]
    at = heads[min(model.promo_after, len(heads) - 1)] if heads else len(body)
    block: list[tuple] = [("blank", "", True), ("blank", "", True)] + [("line", x, True) for x in promo[:-1]]
    block.append(("glue", promo[-1], True) if model.glue_promo else ("line", promo[-1], True))
    body[at:at] = block
    toks += body
    toks += [("line", "Get started with your 20 free notes", False), ("line", "Sign up", True),
             ("line", site.copyright, False)] + [("line", x, True) for col in site.footer for x in col]
    return _finish_text(toks, site, variant, rng, blank=False, bullet="- ")


def _text_blank(model: Model, vol: dict, variant: int, rng: random.Random) -> str:
    site, info = model.site, model.info
    toks: list[tuple] = [("line", "main-logo", False), ("line", "Search all medical codes", False),
                         ("line", f"Updated {_long_date(vol['date'])}", False), ("line", info.title, False),
                         ("line", "CPT4 code" if info.label == "CPT" else "HCPCS Level II code", False),
                         ("line", "Name of the Procedure:", False), ("line", info.title, False),
                         ("line", f"Technical Terms: {model.technical_terms}", True)]
    body = _content_tokens(model)
    promo = site.promos[vol["promo"] % len(site.promos)]
    heads = [i for i, t in enumerate(body) if t[0] == "line" and any(t[1] == s.heading for s in model.sections)]
    at = heads[min(model.promo_after, len(heads) - 1)] if heads else len(body)
    body[at:at] = [("line", promo[0], True)] + [("line", x, False) for x in promo[1:]]
    toks += body
    toks += [("line", "diamond-bg", False), ("line", "diamond-bg", True), ("line", "Get started with your 20 free notes", False),
             ("line", "Sign up", False), ("line", site.copyright, False)] + [("line", x, True) for col in site.footer for x in col]
    return _finish_text(toks, site, variant, rng, blank=True, bullet="  • ")


def _text_paywall(model: Model, vol: dict, variant: int, rng: random.Random) -> str:
    site, info = model.site, model.info
    toks: list[tuple] = [("line", x, True) for x in site.nav]
    left = vol["remaining"]
    toks.append(("line", (f"{left} code page view{'s' if left != 1 else ''} remaining. Guest accounts are limited to 1 page view. "
                          "Register free account to get 5 more views."), True))
    toks.append(("line", "Log in Register free account", True))
    for s in model.sections:
        toks.append(("line", s.heading, False))
        toks += [("line", p, False) for p in s.paras]
        toks += [("line", it, False) for it in s.items]
        if s.key == "official_description":
            toks.append(("line", "© Copyright 2026 American Medical Association. All rights reserved.", False))
        if s.key == "lay_description":
            toks.append(("line", site.copyright, False))
    promo = site.promos[vol["promo"] % len(site.promos)]
    toks.append(("line", promo[0], False))
    toks += [("line", x.format(label=info.label, code=info.code), i == 0) for i, x in enumerate(promo[1:])]
    for _ in range(model.locked):
        toks += [("line", "Register to view content", False), ("line", "Create a free account to unlock this content", False)]
    toks += [("line", "CodePilot", False), ("line", "Get instant expert-level medical coding assistance.", False),
             ("line", "Ask about:", False), ("line", "CPT Codes Guidelines Modifiers Crosswalks NCCI Edits Compliance Medicare Coverage", True),
             ("line", 'Example: "What is CPT code 99213?" or "Guidelines for E/M services"', True)]
    toks += [("line", x, i > 0) for i, x in enumerate(x for col in site.footer for x in col)]
    return _finish_text(toks, site, variant, rng, blank=True, bullet="")


def _text_of_html_site(model: Model, vol: dict, variant: int, rng: random.Random) -> str:
    """A crawler's text dump of an HTML site's page: every visible line, chrome included."""
    site, info = model.site, model.info
    ch = _chrome(site.name)
    promo = site.promos[vol["promo"] % len(site.promos)]
    semantic = site.layout == "html_semantic"
    toks: list[tuple] = [("line", f"{site.brand} logo" if semantic else "logo-dark", True), ("line", "Log in", True),
                         ("line", "Start free trial" if semantic else "Get a Demo", True)]
    toks += [("line", x, True) for x in ch["nav_text"]]
    toks += [("line", "We use cookies to personalise content and analyse our traffic. By clicking “Accept all”, you consent to our use of cookies.", False),
             ("line", "Accept all", True), ("line", "Manage preferences", True)]
    toks.append(("line", " › ".join(["Home", f"{info.label} Codes", info.category, info.code]), False))
    toks += [("line", x, True) for x in promo]
    toks.append(("line", f"{info.label}® Code {info.code} - {_title_short(info.title)}" if semantic
                 else f"{info.label} {info.code}: {_title_short(info.title)}", False))
    toks.append(("line", f"Updated {_long_date(vol['date'])} · {vol['views']:,} views" if semantic
                 else f"Last reviewed: {vol['date'].strftime('%m/%d/%Y')} • {vol['views']:,} views", True))
    toks += _content_tokens(model)
    if model.related:
        toks.append(("line", f"Related {info.label} Codes" if semantic else "Similar Codes", False))
        toks += [("bullet", f"{c} {t}", True) for c, t in model.related]
    toks += [("line", "Get coding updates in your inbox", False), ("line", "Weekly tips, payer changes and new codes. No spam.", True),
             ("line", "Subscribe", True), ("line", "Create your free account", False),
             ("line", "Unlock unlimited code lookups, modifiers and fee schedules.", True), ("line", "Continue with Google", True),
             ("line", "Already have an account? Log in", True)]
    toks += [("line", x, True) for x in ch["footer_text"]]
    toks.append(("line", site.copyright, True))
    return _finish_text(toks, site, variant, rng, blank=site.text_blank_lines, bullet=site.text_bullet)


# ---- HTML -------------------------------------------------------------------------------------


def _html_content_semantic(model: Model, vol: dict, c: dict) -> list[str]:
    info = model.info
    out = [f'<article class="{c["code-article"]}" data-code="{info.code}">',
           f'<h1>{info.label}® Code {info.code} – {_esc(_title_short(info.title))}</h1>',
           (f'<p class="{c["article-meta"]}">Updated <time datetime="{vol["date"].isoformat()}">{_long_date(vol["date"])}</time> · '
            f'<span class="{c["views"]}">{vol["views"]:,} views</span></p>')]
    facts = [("Code", info.code), ("Category", info.category)] + ([("Duration", model.duration)] if model.duration else [])
    out.append(f'<div class="{c["quick-facts"]}"><ul>' + "".join(f"<li><strong>{k}:</strong> {_esc(v)}</li>" for k, v in facts) + "</ul></div>")
    for s in model.sections:
        if s.inline is not None:
            out.append(f'<p class="{c["fact"]}"><strong>{_esc(s.heading)}:</strong> {_esc(s.inline)}</p>')
            continue
        out.append(f'<section id="{s.key.replace("_", "-")}" class="{c["code-section"]}">')
        out.append(f"<h2>{_esc(s.heading)}</h2>")
        out += [f"<p>{_esc(p)}</p>" for p in s.paras]
        out += [f"<p><strong>{_esc(k)}:</strong> {_esc(v)}</p>" for k, v in s.facts]
        if s.label:
            out.append(f"<h3>{_esc(s.label.rstrip(':'))}</h3>")
        if s.items:
            tag = "ol" if s.ordered else "ul"
            out.append(f'<{tag} class="{c["steps"] if s.ordered else c["bullets"]}">')
            out += [f"<li>{_esc(it)}</li>" for it in s.items]
            out.append(f"</{tag}>")
        out += [f'<p class="{c["note"]}">{_esc(p)}</p>' for p in s.after]
        if s.faq:
            out.append(f'<div class="{c["faq-list"]}">')
            for q, a in s.faq:
                out.append(f'<details class="{c["faq-item"]}"><summary>{_esc(q)}</summary><div class="{c["faq-answer"]}"><p>{_esc(a)}</p></div></details>')
            out.append("</div>")
        out.append("</section>")
    out.append("</article>")
    out.append("</main>")
    out.append(f'<aside class="{c["sidebar"]}">')
    if model.related:
        out.append(f'<section class="{c["related-codes"]}"><h3>Related {info.label} Codes</h3><ul>')
        out += [f'<li><a href="{page_url(code, model.site).split(model.site.host, 1)[-1]}" class="code-link">{code}</a> '
                f"<span>{_esc(t)}</span></li>" for code, t in model.related]
        out.append("</ul></section>")
    out.append(f'<div class="{c["sidebar-ad"]}" data-ad-slot="sidebar-1"><a href="/pro?src=sidebar" class="ad-link">Go Pro: export codes to your EHR</a></div>')
    out.append("</aside>")
    return out


def _html_content_divsoup(model: Model, vol: dict, c: dict) -> list[str]:
    info = model.info
    out = [f'<div class="{c["article"]}" id="code-page">', f'<div class="{c["wrap"]}">',
           f'<h1 class="{c["h1"]}">{info.label} {info.code}: {_esc(_title_short(info.title))}</h1>',
           (f'<div class="{c["meta"]}">Last reviewed: {vol["date"].strftime("%m/%d/%Y")} <span class="{c["dot"]}">•</span> '
            f'<span class="{c["views"]}">{vol["views"]:,} views</span></div></div>')]
    for s in model.sections:
        if s.inline is not None:
            out.append(f'<div class="{c["kv"]}"><span class="{c["k"]}">{_esc(s.heading)}:</span> <span class="{c["v"]}">{_esc(s.inline)}</span></div>')
            continue
        out.append(f'<div class="{c["sec"]}" data-section="{s.key}"><div class="{c["sechead"]}"><h2 class="{c["h2"]}">{_esc(s.heading)}</h2></div>'
                   f'<div class="{c["secbody"]}">')
        out += [f'<div class="{c["p"]}">{_esc(p)}</div>' for p in s.paras]
        out += [f'<div class="{c["kv"]}"><span class="{c["k"]}">{_esc(k)}:</span> <span class="{c["v"]}">{_esc(v)}</span></div>' for k, v in s.facts]
        if s.label:
            out.append(f'<div class="{c["label"]}"><b>{_esc(s.label)}</b></div>')
        if s.items:
            tag = "ol" if s.ordered else "ul"
            out.append(f'<{tag} class="{c[tag]}">' + "".join(f'<li class="{c["li"]}"><span>{_esc(it)}</span></li>' for it in s.items) + f"</{tag}>")
        out += [f'<div class="{c["p"]}"><i>{_esc(p)}</i></div>' for p in s.after]
        for q, a in s.faq:
            out.append(f'<div class="{c["acc"]}"><h3 class="{c["accq"]}" role="button" aria-expanded="false">{_esc(q)}</h3>'
                       f'<div class="{c["acca"]}">{_esc(a)}</div></div>')
        out.append("</div></div>")
    out.append("</div>")
    out.append(f'<div class="{c["sidebar"]}">')
    if model.related:
        out.append(f'<div class="{c["related"]}"><h3 class="{c["h2"]}">Similar Codes</h3>')
        out += [f'<div class="{c["li"]}"><a href="{page_url(code, model.site).split(model.site.host, 1)[-1]}" class="{c["navlink"]}">{code}</a>'
                f' <span>{_esc(t)}</span></div>' for code, t in model.related]
        out.append("</div>")
    out.append(f'<div class="{c["ad"]}" data-slot="rail-300x600"><div class="{c["label"]}">Advertisement</div></div>')
    out.append("</div>")
    return out


def _render_html(model: Model, vol: dict, variant: int, rng: random.Random, html_kb: float | None) -> str:
    site, info = model.site, model.info
    ch = _chrome(site.name)
    c = ch["cls"]
    semantic = site.layout == "html_semantic"
    path = model.url.split(site.host, 1)[-1]
    short = _title_short(info.title)
    desc = (model.sections[0].paras[0] if model.sections and model.sections[0].paras else info.title)[:155]
    promo = site.promos[vol["promo"] % len(site.promos)]
    n = vol["nonce"]
    head = ["<!DOCTYPE html>", '<html lang="en-US">', "<head>", '<meta charset="utf-8">',
            f"<title>{info.label}® Code {info.code} - {_esc(short)} | {site.brand}</title>",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="description" content="{_attr(desc)}">',
            f'<meta name="keywords" content="{_attr(model.keywords)}">',
            '<meta name="robots" content="index, follow, max-image-preview:large">',
            f'<meta property="og:title" content="{info.label} {info.code}: {_attr(short)}">',
            f'<meta property="og:description" content="{_attr(desc)}">', f'<meta property="og:url" content="{model.url}">',
            '<meta property="og:type" content="article">', f'<meta property="og:site_name" content="{site.brand}">',
            f'<meta property="og:image" content="https://{site.host}/static/og/{info.code.lower()}.png">',
            '<meta name="twitter:card" content="summary_large_image">', f'<meta name="twitter:site" content="@{site.name}">',
            f'<meta name="theme-color" content="#{zlib.crc32(site.name.encode()) & 0xFFFFFF:06x}">',
            f'<meta name="google-site-verification" content="{ch["build"]}-verify">',
            f'<meta property="article:modified_time" content="{vol["date"].isoformat()}T00:00:00Z">',
            f'<link rel="canonical" href="{model.url}">',
            '<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>',
            '<link rel="preconnect" href="https://www.googletagmanager.com">',
            '<link rel="icon" href="/favicon.ico" sizes="any"><link rel="apple-touch-icon" href="/apple-touch-icon.png">',
            f'<link rel="stylesheet" href="/static/css/app.css?v={ch["build"]}">',
            "<style>", ch["css"], "</style>",
            f'<script async src="https://www.googletagmanager.com/gtag/js?id={ch["ga"]}" nonce="{n}"></script>',
            (f"<script nonce=\"{n}\">window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}gtag('js',new Date());"
             f"gtag('config','{ch['ga']}',{{page_type:'code',code_system:'{info.label}',ab:'{vol['ab']}'}});</script>")]
    config = {"env": "production", "release": f"2026.{ch['build'][:4]}", "csrfToken": vol["csrf"], "requestId": vol["req"],
              "experiments": {"paywall_v2": vol["ab"], "related_rail": "on"}, "popularCodes": ch["popular"],
              "recentlyUpdated": [neighbour_code(info.code, d) for d in (7, 11, 19)],
              "paywall": {"freeViews": 3, "cookie": "_pv"}, "ads": {"slots": ["top-728x90", "rail-300x600"], "lazy": True}}
    var = "__CL_CONFIG__" if semantic else "__ATLAS_CFG__"
    head.append(f'<script nonce="{n}">window.{var}={json.dumps(config, separators=(",", ":"))};</script>')
    if semantic:
        ld = {"@context": "https://schema.org", "@type": "MedicalCode", "codeValue": info.code,
              "codingSystem": "HCPCS" if info.label == "HCPCS" else "CPT", "name": info.title, "url": model.url,
              "description": desc}
        crumbs = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": i + 1, "name": nm, "item": f"https://{site.host}{u}"}
            for i, (nm, u) in enumerate([("Home", "/"), (f"{info.label} Codes", f"/{info.label.lower()}"), (info.code, path)])]}
        head.append(f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>')
        head.append(f'<script type="application/ld+json">{json.dumps(crumbs, ensure_ascii=False)}</script>')
        faq = next((s.faq for s in model.sections if s.faq), None)
        if faq:
            fq = {"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": [
                {"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": a}} for q, a in faq]}
            head.append(f'<script type="application/ld+json">{json.dumps(fq, ensure_ascii=False)}</script>')
    head.append("</head>")
    body_top = []
    if semantic:
        body_top.append(f'<body class="page page-code system-{info.label.lower()}">')
        body_top.append(f'<div id="cookie-consent" class="{c["cookie-banner"]}" role="dialog" aria-live="polite"><p>We use cookies to personalise '
                        "content and analyse our traffic. By clicking “Accept all”, you consent to our use of cookies.</p>"
                        f'<button class="{c["btn"]} {c["btn-primary"]}" data-consent="all">Accept all</button>'
                        f'<button class="{c["btn"]}" data-consent="manage">Manage preferences</button></div>')
        body_top.append(f'<header class="{c["site-header"]}"><a href="/" class="{c["logo"]}"><img src="/static/img/logo.svg" alt="{site.brand} logo" '
                        f'width="148" height="32"></a><form class="{c["search-form"]}" role="search" action="/search"><input type="search" name="q" '
                        f'placeholder="Search 10,000+ CPT, HCPCS and ICD-10 codes" aria-label="Search codes"><input type="hidden" name="csrf" '
                        f'value="{vol["csrf"]}"></form><a href="/login" class="{c["btn"]}">Log in</a> <a href="/signup" class="{c["btn"]} '
                        f'{c["btn-primary"]}">Start free trial</a></header>')
        body_top.append(ch["nav_html"])
        body_top.append(f'<nav class="{c["breadcrumbs"]}" aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li><li><a href="/{info.label.lower()}">'
                        f'{info.label} Codes</a></li><li><a href="/{info.label.lower()}/{_slug(info.category, 3)}">{_esc(info.category)}</a></li>'
                        f'<li aria-current="page">{info.code}</li></ol></nav>')
        body_top.append(f'<div class="{c["promo-bar"]}" role="region" aria-label="Promotion"><p>{_esc(promo[0])}</p>'
                        f'<a href="/pro?src=promobar" class="{c["btn"]}">{_esc(promo[1])}</a></div>')
        body_top.append(f'<div class="{c["layout"]}"><main id="main-content">')
        content = _html_content_semantic(model, vol, c)
        content.append("</div>")
        tail = [(f'<section class="{c["newsletter"]}"><h2>Get coding updates in your inbox</h2><p>Weekly tips, payer changes and new codes. No spam.</p>'
                 f'<form action="/newsletter" method="post"><input type="email" name="email" placeholder="you@practice.com"><input type="hidden" '
                 f'name="csrf" value="{vol["csrf"]}"><button class="{c["btn"]}">Subscribe</button></form></section>'),
                (f'<div class="{c["modal"]}" id="signup-modal" role="dialog" aria-modal="true" hidden><div class="modal-card"><button class="modal-close" '
                 'aria-label="Close">×</button><h2>Create your free account</h2><p>Unlock unlimited code lookups, modifiers and fee schedules.</p>'
                 '<form action="/signup" method="post"><input type="email" name="email" placeholder="Work email"><button>Continue</button></form>'
                 '<button class="google-btn">Continue with Google</button><p>Already have an account? <a href="/login">Log in</a></p></div></div>'),
                ch["footer_html"]]
    else:
        body_top.append(f'<body><div id="__atlas" class="{c["wrap"]}">')
        body_top.append(f'<div class="{c["cookie"]}"><div class="{c["p"]}">We use cookies to personalise content and analyse our traffic. '
                        "By clicking “Accept all”, you consent to our use of cookies.</div>"
                        f'<div class="{c["btn"]}" role="button" tabindex="0">Accept all</div><div class="{c["btn2"]}" role="button" tabindex="0">Manage preferences</div></div>')
        body_top.append(f'<div class="{c["hdr"]}"><div class="{c["logo"]}"><a href="/" class="{c["navlink"]}"><img src="/img/atlas-logo-dark.svg" alt="logo-dark"></a></div>'
                        f'<div class="{c["search"]}"><input type="text" placeholder="Search by code or keyword" data-csrf="{vol["csrf"]}"></div>'
                        f'<div class="{c["btn2"]}"><a href="/signin" class="{c["navlink"]}">Log in</a></div>'
                        f'<div class="{c["btn"]}"><a href="/demo" class="{c["navlink"]}">Get a Demo</a></div></div>')
        body_top.append(ch["nav_html"])
        body_top.append(f'<div class="{c["crumbs"]}"><a href="/" class="{c["navlink"]}">Home</a> <span>›</span> <a href="/codes/{info.label.lower()}" '
                        f'class="{c["navlink"]}">{info.label} Codes</a> <span>›</span> <span>{_esc(info.category)}</span> <span>›</span> <span>{info.code}</span></div>')
        body_top.append(f'<div class="{c["promo"]}">' + "".join(f'<div class="{c["p"]}">{_esc(x)}</div>' for x in promo) + "</div>")
        body_top.append(f'<div class="{c["layout"]}">')
        content = _html_content_divsoup(model, vol, c)
        content.append("</div>")
        tail = [(f'<div class="{c["newsletter"]}"><div class="{c["h2"]}">Join 40,000 billers who read Atlas Weekly</div>'
                 f'<div class="{c["p"]}">Weekly tips, payer changes and new codes. No spam.</div><input type="email" placeholder="Email">'
                 f'<div class="{c["btn"]}">Subscribe</div></div>'),
                (f'<div class="{c["modal"]}" data-modal="signup" style="display:none"><div class="{c["h2"]}">Create your free account</div>'
                 f'<div class="{c["p"]}">Unlock unlimited code lookups, modifiers and fee schedules.</div><div class="{c["btn"]}">Continue with Google</div>'
                 f'<div class="{c["p"]}">Already have an account? <a href="/signin" class="{c["navlink"]}">Log in</a></div></div>'),
                ch["footer_html"]]
    end = [f'<script nonce="{n}">' + _JS_LOADER.replace("{build}", ch["build"]).replace("{delay}", str(vol["ms"] * 10))
           .replace("{modal}", "15000") + "</script>", "</body>", "</html>"]
    if not semantic:
        end.insert(0, "</div>")

    # noise
    if variant & NOISE_WHITESPACE:
        content = [("  " * rng.randint(1, 3) + x if rng.random() < 0.4 else x) + (" " if rng.random() < 0.1 else "") for x in content]
    if variant & NOISE_MARKUP:
        src = rng.choice(["newsletter", "google", "bing", "sitemap", "related"])
        swap = re.compile(r'<a href="([^"]*)" class="([^"]*)"')
        track = re.compile(r'href="(/[^"?#]*)"')
        content = [track.sub(lambda m: f'href="{m.group(1)}?utm_source={src}&amp;utm_medium=referral"', swap.sub(r'<a class="\2" href="\1"', x))
                   for x in content]
        body_top = [swap.sub(r'<a class="\2" href="\1"', x) for x in body_top]
    if variant & NOISE_LINES:
        head.insert(1, f"<!-- served by web-{vol['server']:02d} in {vol['ms']}ms, cache {rng.choice(['HIT', 'MISS', 'STALE'])} -->")
        head = [x.replace(f"app.css?v={ch['build']}", f"app.css?v={ch['build']}&amp;t={vol['req']}") for x in head]
        content = [x + "<!-- /section -->" if x.startswith("</section>") or x.endswith("</div></div>") else x for x in content]
        tail.insert(0, f"<!-- ad refresh {vol['req']} -->")

    parts = head + body_top + content + tail
    props = {"code": info.code, "system": info.label, "title": info.title, "sections": [s.key for s in model.sections],
             "views": vol["views"], "updated": vol["date"].isoformat()}
    if semantic:
        blob_open = ('<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":' + json.dumps(props, separators=(",", ":"))
                     + '},"page":"/' + info.label.lower() + '/[code]","query":{"code":"' + info.code + '"},"buildId":"' + ch["build"]
                     + '","searchIndex":[\n')
        blob_close = "\n]}</script>"
    else:
        blob_open = f'<script nonce="{n}">window.__INITIAL_STATE__={{"page":' + json.dumps(props, separators=(",", ":")) + ',"lookup":{"recent":[\n'
        blob_close = "\n]}};</script>"
    # The state blob fills the page up to its size target (UTF-8 bytes, 40-200 KB): the page never exceeds it and
    # falls short by at most one search-index entry (the target's floor keeps even that above 40 KB).
    target = min(max(int((html_kb or model.html_kb) * 1024), MIN_HTML_BYTES), MAX_HTML_BYTES)
    base = sum(len(x.encode("utf-8")) + 1 for x in parts + end) + len((blob_open + blob_close).encode("utf-8")) + 1
    blob_frac = random.Random(f"{site.name}|{info.code}|blob").random()
    index = _blob_slice(ch, blob_frac, target - base)
    return "\n".join(parts + [blob_open + index + blob_close] + end)


def render_page(code: str, site: str | Site, rng: random.Random, variant: int = 0, fmt: str = "html",
                html_kb: float | None = None) -> str:
    """One page about ``code`` on ``site`` as served (``fmt="html"``) or as a crawler's text dump (``"text"``).

    Content depends only on (site, code). ``rng`` draws the per-fetch values (date, view counter, promo,
    nonces); ``variant`` adds noise bits (NOISE_WHITESPACE | NOISE_MARKUP | NOISE_LINES | NOISE_EDIT).
    ``html_kb`` overrides the page's size target (40-200 KB by default) for HTML.
    """
    s = _site(site)
    if fmt not in s.formats:
        raise ValueError(f"site {s.name!r} serves {s.formats}, not {fmt!r}")
    model = _model(code, s.name)
    vol = _volatile(rng)
    if variant & NOISE_EDIT:
        model = _edit_model(model, rng)
    if fmt == "html":
        return _render_html(model, vol, variant, rng, html_kb)
    return {"text_dash": _text_dash, "text_blank": _text_blank, "text_paywall": _text_paywall}.get(
        s.layout, _text_of_html_site)(model, vol, variant, rng)


# --------------------------------------------------------------------------------------------
# Corpus writer
# --------------------------------------------------------------------------------------------

_EPOCH = datetime(2025, 9, 1, tzinfo=UTC)


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Recipe:
    pid: str
    code: str
    site: str
    fmt: str
    seed: int
    variant: int
    url: str
    fetched: datetime


class _Writer:
    """Writes page files, sidecars and JSONL batches as pages come; counts files and bytes."""

    def __init__(self, out: Path):
        self.out = out
        self.files = self.sidecars = self.bytes = 0
        self.batch_no = 0
        self.batch: gzip.GzipFile | None = None
        self.batch_fh = None
        self.batch_rel = ""
        self.batch_lines = 0

    def _write(self, rel: str, data: bytes) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
        self.bytes += len(data)

    def page_file(self, rel: str, content: str, gz: bool, meta: dict | None) -> str:
        data = content.encode("utf-8")
        if gz:
            rel += ".gz"
            data = gzip.compress(data, compresslevel=6, mtime=0)
        self._write(rel, data)
        self.files += 1
        if meta is not None:
            self._write(rel + ".meta.json", json.dumps(meta).encode())
            self.sidecars += 1
        return rel

    def jsonl_line(self, record: dict) -> tuple[str, int]:
        if self.batch_fh is None:
            gz = self.batch_no % 8 == 5
            self.batch_rel = f"crawl/batch-{self.batch_no:05d}.jsonl" + (".gz" if gz else "")
            path = self.out / self.batch_rel
            path.parent.mkdir(parents=True, exist_ok=True)
            self.batch_fh = open(path, "wb")  # noqa: SIM115 (stays open across calls; closed by close_batch)
            self.batch = gzip.GzipFile(filename="", mode="wb", fileobj=self.batch_fh, compresslevel=6, mtime=0) if gz else None
            self.batch_lines = 0
            self.files += 1
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        (self.batch or self.batch_fh).write(line)
        self.batch_lines += 1
        at = (self.batch_rel, self.batch_lines)
        if self.batch_lines >= JSONL_PER_FILE:
            self.close_batch()
        return at

    def close_batch(self) -> None:
        if self.batch_fh is None:
            return
        if self.batch is not None:
            self.batch.close()
        self.bytes += self.batch_fh.tell()
        self.batch_fh.close()
        self.batch_fh = self.batch = None
        self.batch_no += 1


def _choose_site(rng: random.Random, formats: tuple[str, ...]) -> tuple[str, str]:
    """(site, content format) for a new page, respecting which containers are allowed."""
    html_ok = "html" in formats or "jsonl" in formats
    text_ok = "text" in formats or "jsonl" in formats
    sites = [s for s in SITES if (html_ok and "html" in s.formats) or (text_ok and "text" in s.formats)]
    site = rng.choices(sites, weights=[s.weight for s in sites])[0]
    if "html" in site.formats and html_ok and (not text_ok or rng.random() < 0.8):
        return site.name, "html"
    return site.name, "text"


def _choose_container(rng: random.Random, fmt: str, formats: tuple[str, ...]) -> str:
    own = "html" if fmt == "html" else "text"
    if own in formats and "jsonl" in formats:
        return own if rng.random() < (0.6 if fmt == "html" else 0.55) else "jsonl"
    return own if own in formats else "jsonl"


def manifest_path(out_dir: Path | str) -> Path:
    """Where :func:`generate` writes the manifest by default: beside the landing zone, never in it
    (a file in the landing zone would be read as a page)."""
    out = Path(out_dir)
    return out.parent / f"{out.name}.manifest.json"


def read_manifest(path: Path | str) -> dict:
    """A manifest written by :func:`generate`: ``{"generator", "seed", "formats", "pages": [...], "summary", "notes"}``."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


@dataclass
class Page:
    """One page of a corpus as :func:`iter_pages` makes it, and where :func:`generate` puts it."""

    pid: str
    code: str
    site: str
    fmt: str  # the content: html or text
    container: str  # the file kind: html, text or jsonl
    url: str
    fetched_at: str
    variant: int
    duplicate_of: str | None
    duplicate_kind: str | None  # exact | near | None
    content: str
    path: str | None  # relative file path (before any .gz) of an html/text page; None for a JSONL record
    gz: bool
    sidecar: dict | None  # the .meta.json sidecar of an html/text page, if it has one


def _formats(formats) -> tuple[str, ...]:
    if isinstance(formats, str):
        formats = tuple(f.strip() for f in formats.split(",") if f.strip())
    formats = tuple(formats)
    bad = set(formats) - {"html", "text", "jsonl"}
    if bad or not formats:
        raise ValueError(f"formats must be a subset of html,text,jsonl; got {formats}")
    return formats


def iter_pages(n_pages: int, seed: int = 0, formats=("html", "text", "jsonl"), exact_share: float = EXACT_SHARE,
               near_share: float = NEAR_SHARE, avoid_codes=()) -> Iterator[Page]:
    """The pages of a corpus, in order, in memory: what :func:`generate` writes (same arguments, same pages).
    A page is made when it is asked for; only small recipes of recent originals are kept."""
    return _iter_pages(n_pages, seed, _formats(formats), exact_share, near_share, set(avoid_codes))


def _iter_pages(n_pages: int, seed: int, formats: tuple[str, ...], exact_share: float, near_share: float,
                avoid: set[str]) -> Iterator[Page]:
    rng = random.Random(seed)
    recent: deque[_Recipe] = deque(maxlen=5000)
    recent_codes: deque[str] = deque(maxlen=2000)
    used: set[tuple[str, str]] = set()
    seen: set[bytes] = set()

    def digest(s: str) -> bytes:
        return hashlib.blake2b(s.encode("utf-8"), digest_size=12).digest()

    def new_code(site: str) -> str:
        for _ in range(100):
            r = rng.random()
            if r < 0.25 and recent_codes:
                code = rng.choice(recent_codes)  # a code another site also covers
            elif r < 0.35 and recent_codes:
                code = neighbour_code(rng.choice(recent_codes), rng.choice([-2, -1, 1, 2]))  # sites publish neighbours
            else:
                code = random_code(rng, rng.choices(SYSTEMS, weights=[72, 5, 9, 14])[0])
            if (site, code) not in used and code not in avoid:
                return code
        raise RuntimeError("could not find an unused code")

    for i in range(n_pages):
        pid = f"p{i:06d}"
        roll = rng.random()
        dup_kind = None
        src: _Recipe | None = None
        if recent and roll < exact_share:
            dup_kind, src = "exact", rng.choice(recent)
        elif recent and roll < exact_share + near_share:
            dup_kind, src = "near", rng.choice(recent)
        if src is None:
            site, fmt = _choose_site(rng, formats)
            code = new_code(site)
            used.add((site, code))
            recent_codes.append(code)
            page_seed, variant = rng.getrandbits(64), 0
            content = render_page(code, site, random.Random(page_seed), 0, fmt)
            url = page_url(code, site)
            fetched = _EPOCH + timedelta(seconds=rng.randrange(150 * 86400))
            seen.add(digest(content))  # unique (site, code): never the same bytes as an earlier original
            recent.append(_Recipe(pid, code, site, fmt, page_seed, 0, url, fetched))
        elif dup_kind == "exact":
            code, site, fmt, variant = src.code, src.site, src.fmt, src.variant
            content = render_page(code, site, random.Random(src.seed), variant, fmt)
            url = src.url + rng.choice(["", "", "?ref=sitemap", "?page=1", "?utm_source=google&utm_medium=organic"])
            fetched = src.fetched + timedelta(seconds=rng.choice([0, rng.randrange(1, 30 * 86400)]))
        else:
            code, site, fmt = src.code, src.site, src.fmt
            for _ in range(10):
                variant = rng.randint(0, 7)  # 0 = only the per-fetch values differ
                content = render_page(code, site, random.Random(rng.getrandbits(64)), variant, fmt)
                h = digest(content)
                if h not in seen:
                    break
            seen.add(h)
            url = src.url + rng.choice(["", "", "?utm_source=newsletter&utm_medium=email", f"?v={rng.randint(1, 99)}", "?ref=related"])
            fetched = src.fetched + timedelta(seconds=rng.randrange(3600, 60 * 86400))
        container = _choose_container(rng, fmt, formats)
        ts = _iso(fetched)
        path, gz, sidecar = None, False, None
        if container != "jsonl":
            ext = "html" if fmt == "html" else "txt"
            name = f"{rng.getrandbits(64):016x}"
            path = f"{site}/{name}.{ext}" if fmt == "html" else f"{site}/{i:06d}_{name}.{ext}"
            gz = rng.random() < 0.015
            sidecar = {"url": url, "fetched_at": ts} if rng.random() < (0.6 if fmt == "html" else 0.25) else None
        yield Page(pid, code, site, fmt, container, url, ts, variant, src.pid if src else None, dup_kind, content, path, gz, sidecar)


def generate(out_dir: Path | str, n_pages: int, seed: int = 0, formats=("html", "text", "jsonl"),
             manifest: Path | str | None = None, exact_share: float = EXACT_SHARE, near_share: float = NEAR_SHARE,
             avoid_codes=()) -> dict:
    """Write ``n_pages`` pages into ``out_dir`` and the manifest; return the summary.

    ``formats`` is the file kinds to write, a subset of html, text, jsonl: ``("text",)`` gives a corpus of
    text dumps only (all five sites), ``("html",)`` one of HTML files only (the two HTML sites). The
    manifest goes to ``manifest`` (default :func:`manifest_path`, beside ``out_dir``). ``avoid_codes``:
    codes no new page may be about (to add pages about new codes to an existing corpus, write them into
    a subdirectory of it with another seed and ``avoid_codes`` = the codes of its manifest).

    Pages stream to disk as they are made (memory stays flat: only small recipes of recent
    originals are kept, to draw duplicates from). Reproducible: same arguments, same bytes.
    """
    formats = _formats(formats)
    pages = iter_pages(n_pages, seed, formats, exact_share, near_share, avoid_codes)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest = Path(manifest) if manifest is not None else manifest_path(out)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out)
    counts = {"exact": 0, "near": 0}
    by_format = {"html": 0, "text": 0, "jsonl": 0}
    by_site = {s.name: 0 for s in SITES}
    by_system = {s: 0 for s in SYSTEMS}
    html_bytes: list[int] = []
    tmp = manifest.with_name(manifest.name + ".part")
    with open(tmp, "w", encoding="utf-8") as mf:
        mf.write(f'{{"generator": "benchmarks/corpus.py", "seed": {seed:d}, "formats": {json.dumps(list(formats))}, "pages": [\n')
        for i, page in enumerate(pages):
            if page.fmt == "html":
                html_bytes.append(len(page.content.encode("utf-8")))
            line = None
            if page.container == "jsonl":
                rel, line = writer.jsonl_line({"url": page.url, "fetched_at": page.fetched_at, page.fmt: page.content})
                in_input = True
            else:
                rel = writer.page_file(page.path, page.content, page.gz, page.sidecar)
                in_input = page.sidecar is not None
            if page.duplicate_kind:
                counts[page.duplicate_kind] += 1
            by_format[page.container] += 1
            by_site[page.site] += 1
            by_system[system_of(page.code)] += 1
            entry = {"id": page.pid, "file": rel, "line": line, "code": page.code, "site": page.site, "format": page.fmt,
                     "container": page.container, "url": page.url, "fetched_at": page.fetched_at, "url_in_input": in_input,
                     "variant": page.variant, "duplicate_of": page.duplicate_of, "duplicate_kind": page.duplicate_kind}
            mf.write(("" if i == 0 else ",\n") + json.dumps(entry))
        writer.close_batch()
        summary = {"pages": n_pages, "files": writer.files, "sidecars": writer.sidecars, "bytes": writer.bytes,
                   "exact_duplicates": counts["exact"], "near_duplicates": counts["near"],
                   "originals": n_pages - counts["exact"] - counts["near"],
                   "by_format": by_format, "by_site": by_site, "by_system": by_system,
                   "html_kb": [round(min(html_bytes) / 1024, 1), round(max(html_bytes) / 1024, 1)] if html_bytes else None,
                   "seed": seed}
        mf.write("\n],\n" + '"summary": ' + json.dumps(summary) + ",\n")
        mf.write('"notes": "format = the page content (html or text dump); container = the file kind (html, text, jsonl). line is '
                 '1-based within a JSONL file. duplicate_of points to an original page id; duplicate_kind exact = same bytes, '
                 'near = a re-fetch of that page (same code and content; per-fetch values and noise bits in variant differ). '
                 'url and fetched_at are what the page was fetched as; url_in_input tells whether the input carries them (JSONL record or '
                 'sidecar) or not (a bare .html/.txt file, whose HTML may still hold a canonical link)."}\n')
    os.replace(tmp, manifest)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--formats", default="html,text,jsonl", help="comma-separated subset of html,text,jsonl")
    parser.add_argument("--manifest", type=Path, default=None, help="manifest path (default: OUT.manifest.json beside --out)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    summary = generate(args.out, args.pages, args.seed, tuple(args.formats.split(",")), args.manifest)
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
