"""A seeded, reproducible benchmark corpus of N pages, built from the labelled pages' layouts.

Each page takes one of the 50 labelled or sample pages (7 invented sites and the seeds: text
dumps, div-soup and semantic HTML, JSONL records) as its layout and becomes a page about a new
code: the template's code is replaced, its items shuffled and trimmed. HTML pages get what real
code-lookup sites serve around their content (a large inline stylesheet, analytics and config
scripts, a navigation of a hundred links, a footer of link columns) to reach 40-200 KB. About
5% of pages are exact copies (another file or JSONL line) and 15% re-scrapes with scraper
noise (timestamp line, view counter, rotated promo, whitespace, bullet style, one word edited).

    python benchmarks/make_corpus.py --pages 10000 --out /tmp/corpus [--seed 0] [--formats text,html,jsonl]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "dedup"))
from make_pairs import _pages, _rescrape  # noqa: E402  (the labelled pages and scraper noise)

JSONL_PER_FILE = 200


def _templates() -> dict[str, list[dict]]:
    by_format: dict[str, list[dict]] = {"text": [], "html": []}
    for page in _pages():
        if page["code"]:
            by_format[page["format"]].append(page)
    return by_format


def _new_code(rng: random.Random, old: str) -> str:
    if old[0].isalpha():
        return f"{old[0]}{rng.randint(1000, 9999)}"
    if old[-1] in "FT":
        return f"{rng.randint(0, 9999):04d}{old[-1]}"
    return f"{rng.randint(10000, 99999)}"


def _chrome(rng: random.Random, target_kb: int) -> tuple[str, str, str]:
    """(head extras, nav, footer) padding a page to about ``target_kb`` KB as real sites do."""
    css = "".join(f".c{i}{{margin:{i % 7}px;padding:{i % 5}px;color:#{rng.randrange(0xFFFFFF):06x}}}\n" for i in range(target_kb * 12))
    script = "window.__CONFIG__=" + json.dumps({"popular": [f"{rng.randint(10000, 99999)}" for _ in range(50)],
                                                 "ab": {f"t{i}": rng.random() for i in range(200)}}) + ";"
    nav = "<nav class='site-nav'><ul>" + "".join(f"<li><a href='/c/{i}'>Category {i}</a></li>" for i in range(120)) + "</ul></nav>"
    footer = "<footer class='site-footer'>" + "".join(
        f"<div class='col'><h4>Links {j}</h4>" + "".join(f"<a href='/f/{j}/{i}'>Footer link {i}</a>" for i in range(25)) + "</div>"
        for j in range(6)) + "<p>© 2026 Example Health Media. All rights reserved.</p></footer>"
    return f"<style>{css}</style><script>{script}</script><script>(function(){{var a=1;}})();</script>", nav, footer


def _page_for(template: dict, rng: random.Random, index: int) -> dict:
    code = _new_code(rng, template["code"])
    text = template["content"].replace(template["code"], code)
    lines = text.splitlines()
    bullets = [i for i, ln in enumerate(lines) if re.match(r"\s*([-•*o>]|\d+[.)])\s", ln)]
    if len(bullets) > 4:  # vary the items: drop one, swap two
        lines.pop(rng.choice(bullets))
    text = "\n".join(lines)
    if template["format"] == "html":
        head, nav, footer = _chrome(rng, rng.randint(40, 190))
        text = text.replace("</head>", head + "</head>", 1)
        text = re.sub(r"<body[^>]*>", lambda m: m.group(0) + nav, text, count=1)
        text = text.replace("</body>", footer + "</body>", 1)
    url = (template["url"] or f"https://www.{template['site']}.example/code/").rsplit("/", 1)[0] + f"/{code.lower()}-{index}"
    return {**template, "code": code, "content": text, "url": url}


def generate(out: Path, n_pages: int, seed: int = 0, formats: tuple[str, ...] = ("text", "html", "jsonl")) -> dict:
    """Write ``n_pages`` pages into ``out``; return a manifest with the duplicate counts."""
    rng = random.Random(seed)
    templates = _templates()
    out.mkdir(parents=True, exist_ok=True)
    originals: list[dict] = []
    jsonl: list[str] = []
    counts = {"pages": 0, "exact_duplicates": 0, "near_duplicates": 0, "files": 0, "bytes": 0}
    by_format = {f: 0 for f in formats}

    def write_file(name: str, data: str) -> None:
        (out / name).write_text(data, encoding="utf-8")
        counts["files"] += 1
        counts["bytes"] += len(data.encode("utf-8"))

    for i in range(n_pages):
        roll = rng.random()
        if originals and roll < 0.05:
            page, counts["exact_duplicates"] = rng.choice(originals), counts["exact_duplicates"] + 1
        elif originals and roll < 0.20:
            page, counts["near_duplicates"] = _rescrape(rng.choice(originals), rng, i), counts["near_duplicates"] + 1
        else:
            fmt = rng.choice([f for f in formats if f != "jsonl"] or ["text"])
            page = _page_for(rng.choice(templates[fmt]), rng, i)
            originals.append(page)
        fmt = "jsonl" if "jsonl" in formats and rng.random() < 0.3 else page["format"]
        by_format[fmt] = by_format.get(fmt, 0) + 1
        counts["pages"] += 1
        if fmt == "jsonl":
            jsonl.append(json.dumps({"url": page["url"], page["format"]: page["content"],
                                     "fetched_at": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T00:00:00Z"}))
            if len(jsonl) == JSONL_PER_FILE:
                write_file(f"feed-{counts['files']:05d}.jsonl", "\n".join(jsonl) + "\n")
                jsonl = []
        else:
            write_file(f"page-{i:06d}.{'html' if page['format'] == 'html' else 'txt'}", page["content"])
    if jsonl:
        write_file(f"feed-{counts['files']:05d}.jsonl", "\n".join(jsonl) + "\n")
    manifest = {**counts, "by_format": by_format, "seed": seed}
    (out.parent / f"{out.name}.manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--formats", default="text,html,jsonl")
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.pages, args.seed, tuple(args.formats.split(","))), indent=1))


if __name__ == "__main__":
    main()
