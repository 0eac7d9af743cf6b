"""Build a labelled near-duplicate pair set from the synthetic corpus (benchmarks/corpus.py).

    python tests/dedup/make_synthetic_pairs.py            # writes tests/dedup/synthetic_pairs.jsonl
    python tests/dedup/make_synthetic_pairs.py --check    # exit 1 if the file differs from what the generator makes

Deterministic (fixed seed). 270 pairs, three kinds of 90, ~20% of each kind in HTML, the rest
text dumps. See tests/dedup/README.md for how each kind is made and why it is hard.

- rescrape (true): one page fetched twice. The second fetch has other per-fetch values
  (updated date, view counter, rotated promo, CSP nonce, CSRF token, views-remaining counter)
  plus scraper noise: whitespace, bullet style, blank lines, attribute order, tracking params,
  HTML comments; half of them also have one content sentence lightly edited. The URL of the
  second fetch carries a tracking query string. Same code on both sides.
- same_site_other_code (false): two pages of one site about different codes. 30 of them are
  about codes one digit apart (21183 / 21184) rendered with the same per-fetch values, so
  everything but the content is byte-identical and the content comes from the same family.
- same_code_other_site (false): one code on two sites: other template, other wording.

Record: {"id", "kind", "label", "a": {"format", "url", "fetched_at", "content"}, "b": {...},
"meta": {"site_a", "site_b", "code_a", "code_b", "variant_b", "hard"}}.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import corpus  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "synthetic_pairs.jsonl"
SEED = 20261122
PER_KIND = 90
ADJACENT = 30
HTML_EVERY = 5  # every 5th pair of a kind is HTML (20%)
HTML_KB = (40, 46)  # pair pages sit at the small end of the 40-200 KB range to keep the file small
SYSTEM_WEIGHTS = {"CPT": 70, "CPT-II": 6, "CPT-III": 10, "HCPCS": 14}
TRACKING = ["?utm_source=newsletter&utm_medium=email&utm_campaign=weekly", "?utm_source=google&utm_medium=organic",
            "?ref=related&src=sidebar", "?fbclid=IwAR2x{n}", "?gclid=Cj0KCQ{n}", "?v={n}"]


def _code(rng: random.Random) -> str:
    systems, weights = zip(*SYSTEM_WEIGHTS.items())
    return corpus.random_code(rng, rng.choices(systems, weights=weights)[0])


def _one_digit_neighbour(code: str) -> str:
    """The code differing only in its last digit (21183 -> 21184, 21189 -> 21188, 0263T -> 0264T)."""
    i = max(k for k, ch in enumerate(code) if ch.isdigit())
    d = int(code[i])
    return code[:i] + str(d + 1 if d < 9 else d - 1) + code[i + 1:]


def _when(rng: random.Random, after: datetime | None = None) -> datetime:
    if after is None:
        return datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randrange(60 * 86400))
    return after + timedelta(seconds=rng.randrange(3600, 45 * 86400))


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _side(code: str, site: str, fmt: str, page_seed: int, variant: int, url: str, fetched: datetime, html_kb: float) -> dict:
    content = corpus.render_page(code, site, random.Random(page_seed), variant, fmt, html_kb=html_kb if fmt == "html" else None)
    return {"format": fmt, "url": url, "fetched_at": _iso(fetched), "content": content}


def make_pairs(seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    pairs: list[dict] = []
    html_sites = corpus.HTML_SITES
    all_sites = [s.name for s in corpus.SITES]

    def add(kind: str, label: bool, a: dict, b: dict, meta: dict) -> None:
        n = sum(1 for p in pairs if p["kind"] == kind)
        pairs.append({"id": f"{kind}-{n:04d}", "kind": kind, "label": label, "a": a, "b": b, "meta": meta})

    # rescrape: the same page fetched twice
    for k in range(PER_KIND):
        fmt = "html" if k % HTML_EVERY == 0 else "text"
        site = rng.choice(html_sites if fmt == "html" else all_sites)
        code = _code(rng)
        kb = rng.uniform(*HTML_KB)
        variant = rng.randint(0, 7) | (corpus.NOISE_EDIT if k % 2 else 0)
        t_a = _when(rng)
        url = corpus.page_url(code, site)
        tracked = url + rng.choice(TRACKING).format(n=rng.randrange(10**6))
        a = _side(code, site, fmt, rng.getrandbits(64), 0, url, t_a, kb)
        b = _side(code, site, fmt, rng.getrandbits(64), variant, tracked, _when(rng, t_a), kb)
        if a["content"] == b["content"]:
            raise AssertionError("a rescrape pair must differ")
        add("rescrape", True, a, b, {"site_a": site, "site_b": site, "code_a": code, "code_b": code, "variant_b": variant,
                                     "hard": bool(variant & corpus.NOISE_EDIT)})

    # same_site_other_code: one template, two codes (the first ADJACENT one digit apart, same per-fetch values)
    for k in range(PER_KIND):
        fmt = "html" if k % HTML_EVERY == 0 else "text"
        site = rng.choice(html_sites if fmt == "html" else all_sites)
        code_a = _code(rng)
        kb = rng.uniform(*HTML_KB)
        t_a = _when(rng)
        if k < ADJACENT:
            code_b = _one_digit_neighbour(code_a)
            page_seed = rng.getrandbits(64)
            seeds, variant = (page_seed, page_seed), 0
            t_b = t_a + timedelta(seconds=rng.randrange(5, 600))  # the next page of the same crawl
        else:
            code_b = _code(rng)
            while code_b == code_a:
                code_b = _code(rng)
            seeds, variant = (rng.getrandbits(64), rng.getrandbits(64)), rng.randint(0, 7)
            t_b = _when(rng, t_a)
        a = _side(code_a, site, fmt, seeds[0], 0, corpus.page_url(code_a, site), t_a, kb)
        b = _side(code_b, site, fmt, seeds[1], variant, corpus.page_url(code_b, site), t_b, kb)
        add("same_site_other_code", False, a, b, {"site_a": site, "site_b": site, "code_a": code_a, "code_b": code_b,
                                                  "variant_b": variant, "hard": k < ADJACENT})

    # same_code_other_site: one code, two templates and wordings
    for k in range(PER_KIND):
        fmt = "html" if k % HTML_EVERY == 0 else "text"
        site_a, site_b = rng.sample(html_sites if fmt == "html" else all_sites, 2)
        code = _code(rng)
        kb = rng.uniform(*HTML_KB)
        t_a = _when(rng)
        variant = rng.randint(0, 7)
        a = _side(code, site_a, fmt, rng.getrandbits(64), 0, corpus.page_url(code, site_a), t_a, kb)
        b = _side(code, site_b, fmt, rng.getrandbits(64), variant, corpus.page_url(code, site_b), _when(rng, t_a), kb)
        add("same_code_other_site", False, a, b, {"site_a": site_a, "site_b": site_b, "code_a": code, "code_b": code,
                                                  "variant_b": variant, "hard": False})
    return pairs


def _lines(pairs: list[dict]) -> str:
    return "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare --out with a fresh build instead of writing it")
    args = parser.parse_args(argv)
    text = _lines(make_pairs())
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'DIFFERS from the generator'}")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    pairs = [json.loads(x) for x in text.splitlines()]
    kinds: dict[str, list[int]] = {}
    for p in pairs:
        k = kinds.setdefault(p["kind"], [0, 0, 0])
        k[0] += 1
        k[1] += p["a"]["format"] == "html"
        k[2] += p["meta"]["hard"]
    print(f"{len(pairs)} pairs, {len(text.encode()) / 1e6:.2f} MB -> {args.out}")
    for kind, (n, html, hard) in kinds.items():
        print(f"  {kind:22s} {n:4d}  (html {html}, hard {hard})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
