"""Build the labelled near-duplicate pair set from the labelled pages (tests/labelled).

    python tests/dedup/make_pairs.py > tests/dedup/pairs.jsonl

Deterministic (seeded). Kinds, and why each is hard:
- rescrape (true): the same page saved again with the noise scrapers see: an "Updated" or
  "Last crawled" timestamp line, a view counter, a rotated promo line, whitespace and blank
  lines, bullet style (`-` / `•` / `*`), a tracking query string, HTML comments and attribute
  noise, one sentence lightly edited. Must be merged.
- same_site_other_code (false): two pages of one site about different codes: same template,
  different content. Never merged.
- adjacent_code_same_text (false): a page copied with its code replaced by a neighbouring code
  (21183 -> 21184) and nothing else changed: text near-identical, but about another code.
  Never merged: the code is part of the key.
- same_code_other_site (false): one code described by two sites in their own words.
"""

from __future__ import annotations

import gzip
import itertools
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELLED = HERE.parent / "labelled"
PROMOS = [
    "Try our coding assistant free for 14 days.",
    "Sign up for the weekly coding newsletter.",
    "New: compare payer policies side by side.",
    "Book a demo of our claim scrubber today.",
]


def _pages() -> list[dict]:
    """Every labelled page: site, content, format, url, code."""
    out = []
    for labels_path in sorted(LABELLED.rglob("*.labels.json")):
        page_path = Path(str(labels_path)[: -len(".labels.json")])
        labels = json.loads(labels_path.read_text(encoding="utf-8"))
        data = page_path.read_bytes()
        if page_path.suffix == ".gz":
            data = gzip.decompress(data)
        name = page_path.name.removesuffix(".gz")
        if name.endswith(".jsonl"):
            for obj, lab in zip((json.loads(x) for x in data.decode().splitlines() if x.strip()), labels, strict=False):
                fmt = "html" if "html" in obj else "text"
                out.append({"site": page_path.parent.name, "format": fmt, "content": obj.get("html") or obj.get("text"),
                            "url": obj.get("url"), "code": lab.get("code")})
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
        meta = Path(str(page_path) + ".meta.json")
        url = json.loads(meta.read_text())["url"] if meta.exists() else None
        fmt = "html" if name.endswith(".html") else "text"
        out.append({"site": page_path.parent.name, "format": fmt, "content": text, "url": url, "code": labels.get("code")})
    return out


def _edit_sentence(text: str, rng: random.Random) -> str:
    sentences = [m for m in re.finditer(r"[A-Z][^.!?<>\n]{40,200}[.!?]", text)]
    if not sentences:
        return text
    m = rng.choice(sentences)
    words = m.group(0).split(" ")
    if len(words) < 2:
        return text
    i = rng.randrange(1, len(words))
    words[i] = rng.choice(["usually", "often", "typically", "generally"])
    return text[: m.start()] + " ".join(words) + text[m.end() :]


def _rescrape(page: dict, rng: random.Random, variant: int) -> dict:
    text = page["content"]
    stamp = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if page["format"] == "html":
        text = text.replace("<body", f"<!-- cached {stamp} --><body", 1)
        text = text.replace("</body>", f"<p class='meta'>Last updated {stamp}</p><div class='promo'>{rng.choice(PROMOS)}</div></body>", 1)
        text = re.sub(r">\s+<", lambda m: ">" + rng.choice([" ", "\n", "\n  "]) + "<", text)
        if variant % 2:
            text = _edit_sentence(text, rng)
    else:
        lines = text.splitlines()
        lines.insert(rng.randrange(0, min(3, len(lines)) + 1), f"Updated: {stamp}")
        lines.append(f"{rng.randint(100, 99999):,} views")
        lines.append(rng.choice(PROMOS))
        if variant % 3 == 0:
            lines = [re.sub(r"^(\s*)[-•*]\s", lambda m: m.group(1) + rng.choice(["- ", "• ", "* "]), ln) for ln in lines]
        if variant % 3 == 1:
            lines = [x for ln in lines for x in (ln, "")] if rng.random() < 0.5 else [ln for ln in lines if ln.strip()]
        text = "\n".join(ln.rstrip() + (" " if rng.random() < 0.2 else "") for ln in lines)
        if variant % 2:
            text = _edit_sentence(text, rng)
    url = page["url"] and page["url"] + f"?utm_source=feed&v={variant}"
    return {**page, "content": text, "url": url}


def _side(page: dict, fetched: str) -> dict:
    return {"format": page["format"], "url": page["url"], "fetched_at": fetched, "content": page["content"]}


def _neighbour(code: str) -> str | None:
    if re.fullmatch(r"\d{5}", code):
        return f"{(int(code) + 1) % 100000:05d}"
    if re.fullmatch(r"\d{4}[FT]", code):
        return f"{(int(code[:4]) + 1) % 10000:04d}{code[4]}"
    if re.fullmatch(r"[A-V]\d{4}", code):
        return f"{code[0]}{(int(code[1:]) + 1) % 10000:04d}"
    return None


def make_pairs(seed: int = 20261122) -> list[dict]:
    rng = random.Random(seed)
    pages = [p for p in _pages() if p["code"]]
    pairs: list[dict] = []

    def add(kind: str, label: bool, a: dict, b: dict) -> None:
        pairs.append({"id": f"{kind}-{len(pairs):04d}", "kind": kind, "label": label,
                      "a": _side(a, "2026-01-01T00:00:00Z"), "b": _side(b, "2026-02-01T00:00:00Z")})

    for page in pages:
        for variant in range(3):
            add("rescrape", True, page, _rescrape(page, rng, variant))
    by_site: dict[str, list[dict]] = {}
    for page in pages:
        by_site.setdefault(page["site"], []).append(page)
    for site_pages in by_site.values():
        for a, b in itertools.combinations(site_pages, 2):
            if a["code"] != b["code"]:
                add("same_site_other_code", False, a, b)
    for page in pages:
        other = _neighbour(page["code"])
        if other and page["code"] in page["content"]:
            twin = {**page, "content": page["content"].replace(page["code"], other),
                    "url": page["url"] and page["url"].replace(page["code"].lower(), other.lower()).replace(page["code"], other)}
            add("adjacent_code_same_text", False, page, twin)
    by_code: dict[str, list[dict]] = {}
    for page in pages:
        by_code.setdefault(page["code"], []).append(page)
    for same in by_code.values():
        for a, b in itertools.combinations(same, 2):
            if a["site"] != b["site"]:
                add("same_code_other_site", False, a, b)
    return pairs


if __name__ == "__main__":
    for pair in make_pairs():
        sys.stdout.write(json.dumps(pair, ensure_ascii=False) + "\n")
