#!/usr/bin/env python3
"""Consistency checker for the labelled evaluation pages (tests/labelled, tests/heldout).

Standard library only.  Run:  python3 tests/check_labels.py [-v] --root tests/labelled  (or tests/heldout)

Checks, for every page file (*.txt, *.html, *.htm, *.jsonl, each optionally .gz):
  * a labels file `<file name>.labels.json` exists and parses (a JSON list, one object
    per line, for .jsonl pages);
  * every labels object has the expected keys and types, the code matches its
    code_system (CPT: 5 digits / 4 digits + F or T; HCPCS: letter + 4 digits), and the
    code occurs somewhere in the raw page or its URL;
  * heading sections and `items` keys are canonical section names, read from the
    'Canonical sections' table of docs/data-dictionary.md (or of the file INGEST_CONTRACT names);
  * the three string lists (headings / content / boilerplate) are disjoint;
  * coverage: every non-blank line of a text page (and every visible text block of an
    HTML page: the text between block-level tags, script/style/title excluded) equals a
    label string after whitespace normalisation, optionally after stripping a leading
    bullet marker (•, -, *, 1., 1) ...), or is a glued concatenation of a boilerplate
    string and a heading/content string (either order);
  * reverse coverage: every label string is found on the page;
  * `items` equals the number of bulleted/numbered content lines (or <li> blocks) under
    each section's headings, and `"empty": true` is set exactly on headings with no
    content under them;
  * every FAQ question/answer in the optional `faq` list is also a content string.
Exit status 0 when everything passes, 1 otherwise.
"""
import gzip
import json
import os
import re
import sys
from collections import Counter, defaultdict
from html.parser import HTMLParser

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE_EXT = ('.txt', '.html', '.htm', '.jsonl')
CONTRACT_CANDIDATES = [
    os.environ.get('INGEST_CONTRACT', ''),
    os.path.join(HERE, '..', 'docs', 'data-dictionary.md'),
]
BULLET = re.compile(r'^(?:[•◦▪‣·*\-–—>]|o|\d{1,3}[.)]|\(\d{1,3}\))\s+')
CODE_RE = {'CPT': re.compile(r'^(?:\d{5}|\d{4}[FT])$'), 'HCPCS': re.compile(r'^[A-V]\d{4}$')}

BLOCK_TAGS = {
    'address', 'article', 'aside', 'blockquote', 'body', 'br', 'button', 'caption', 'dd', 'details',
    'dialog', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3',
    'h4', 'h5', 'h6', 'header', 'hr', 'html', 'legend', 'li', 'main', 'menu', 'nav', 'ol', 'option',
    'p', 'pre', 'section', 'select', 'summary', 'table', 'tbody', 'td', 'textarea', 'tfoot', 'th',
    'thead', 'tr', 'ul',
}
VOID_BLOCKS = {'br', 'hr'}
SKIP_TAGS = {'script', 'style', 'title', 'noscript', 'template', 'svg'}


def norm(s):
    return ' '.join(s.split())


def canonical_sections():
    for path in CONTRACT_CANDIDATES:
        if path and os.path.isfile(path):
            text = open(path, encoding='utf-8').read()
            m = re.search(r'^## Canonical sections\s*$(.*?)(?=^## |\Z)', text, re.M | re.S)
            if not m:
                continue
            names = re.findall(r'^\|\s*`([a-z_]+)`\s*\|', m.group(1), re.M)
            if names:
                return set(names), path
    sys.exit('cannot find the Canonical sections table in docs/data-dictionary.md (or set INGEST_CONTRACT)')


def decode(data):
    if data[:2] == b'\x1f\x8b':
        data = gzip.decompress(data)
    if data[:2] in (b'\xff\xfe', b'\xfe\xff'):
        return data.decode('utf-16'), 'utf-16'
    try:
        return data.decode('utf-8-sig'), ('utf-8-sig' if data[:3] == b'\xef\xbb\xbf' else 'utf-8')
    except UnicodeDecodeError:
        return data.decode('cp1252'), 'cp1252'


class Blocks(HTMLParser):
    """Visible text blocks: text between block-level tags; records whether inside <li>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self.buf, self.skip, self.li = [], [], 0, 0
        self.divs = []     # open non-<li> block elements: True when role="listitem"

    def flush(self):
        t = norm(''.join(self.buf))
        if t:
            self.blocks.append((t, self.li > 0))
        self.buf = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skip += 1
        elif tag in BLOCK_TAGS:
            self.flush()
            if tag == 'li':
                self.li += 1
            elif tag not in VOID_BLOCKS:
                is_item = dict(attrs).get('role') == 'listitem'
                self.divs.append((tag, is_item))
                if is_item:
                    self.li += 1

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self.flush()

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCK_TAGS:
            self.flush()
            if tag == 'li':
                self.li = max(0, self.li - 1)
            elif tag not in VOID_BLOCKS:
                # pop up to the matching open element (tolerates unclosed inner tags)
                for k in range(len(self.divs) - 1, -1, -1):
                    if self.divs[k][0] == tag:
                        for _, was_item in self.divs[k:]:
                            if was_item:
                                self.li = max(0, self.li - 1)
                        del self.divs[k:]
                        break

    def handle_data(self, data):
        if not self.skip:
            self.buf.append(data)

    def close(self):
        super().close()
        self.flush()


def html_lines(doc):
    p = Blocks()
    p.feed(doc)
    p.close()
    return p.blocks


def text_lines(doc):
    return [(ln, False) for ln in doc.splitlines() if ln.strip()]


class Page:
    def __init__(self, where, labels, lines, raw, url, sections):
        self.where, self.lab, self.lines, self.raw, self.url, self.sections = where, labels, lines, raw, url, sections
        self.errors = []
        self.stats = Counter()

    def err(self, msg):
        self.errors.append(f'{self.where}: {msg}')

    # ------------------------------------------------------------ schema
    def check_schema(self):
        lab = self.lab
        if not isinstance(lab, dict):
            self.err('labels object is not a JSON object')
            return False
        for key, typ in (('code', (str, type(None))), ('code_system', (str, type(None))), ('headings', list),
                         ('content', list), ('boilerplate', list), ('items', dict), ('notes', str)):
            if key not in lab:
                self.err(f'missing key {key!r}')
                return False
            if not isinstance(lab[key], typ):
                self.err(f'key {key!r} has type {type(lab[key]).__name__}')
                return False
        code, system = lab['code'], lab['code_system']
        if code is None:
            if system is not None:
                self.err('code is null but code_system is not')
        else:
            if system not in CODE_RE:
                self.err(f'code_system {system!r} is not CPT or HCPCS')
            elif not CODE_RE[system].match(code):
                self.err(f'code {code!r} does not look like a {system} code')
            hay = (self.raw + ' ' + (self.url or '')).lower()
            if code.lower() not in hay:
                self.err(f'code {code} appears neither in the raw page nor in its URL')
        for h in lab['headings']:
            if not isinstance(h, dict) or not isinstance(h.get('text'), str) or not h['text'].strip():
                self.err(f'bad heading entry {h!r}')
                continue
            if h.get('section') not in self.sections:
                self.err(f'heading {h["text"]!r}: section {h.get("section")!r} is not canonical')
            if 'empty' in h and not isinstance(h['empty'], bool):
                self.err(f'heading {h["text"]!r}: "empty" must be a boolean')
            extra = set(h) - {'text', 'section', 'empty'}
            if extra:
                self.err(f'heading {h["text"]!r}: unexpected keys {sorted(extra)}')
        for key in ('content', 'boilerplate'):
            for s in lab[key]:
                if not isinstance(s, str) or not s.strip():
                    self.err(f'{key}: bad entry {s!r}')
                elif s != norm(s):
                    self.err(f'{key}: entry not whitespace-normalised: {s!r}')
        for sec, n in lab['items'].items():
            if sec not in self.sections:
                self.err(f'items: section {sec!r} is not canonical')
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                self.err(f'items[{sec!r}] must be a non-negative integer')
        H = [norm(h['text']) for h in lab['headings'] if isinstance(h, dict) and isinstance(h.get('text'), str)]
        C = [norm(s) for s in lab['content'] if isinstance(s, str)]
        B = [norm(s) for s in lab['boilerplate'] if isinstance(s, str)]
        for name, lst in (('headings', H), ('content', C), ('boilerplate', B)):
            dup = [s for s, k in Counter(lst).items() if k > 1]
            if dup:
                self.err(f'{name}: duplicate entries {dup[:3]}')
        for a_name, a, b_name, b in (('headings', H, 'content', C), ('headings', H, 'boilerplate', B),
                                     ('content', C, 'boilerplate', B)):
            both = set(a) & set(b)
            if both:
                self.err(f'strings in both {a_name} and {b_name}: {sorted(both)[:3]}')
        for qa in lab.get('faq', []) or []:
            if not isinstance(qa, dict) or set(qa) != {'question', 'answer'}:
                self.err(f'bad faq entry {qa!r}')
                continue
            for part in ('question', 'answer'):
                if norm(qa[part]) not in C:
                    self.err(f'faq {part} not among content strings: {qa[part]!r}')
        return not self.errors

    # ------------------------------------------------------------ coverage
    def check_coverage(self):
        lab = self.lab
        sec_of = {norm(h['text']): h['section'] for h in lab['headings']}
        H, C, B = set(sec_of), {norm(s) for s in lab['content']}, {norm(s) for s in lab['boilerplate']}
        used = set()
        cur_sec, cur_head = None, None
        filled = {}            # heading text -> has content under it
        items = Counter()
        order = []

        def start_heading(text):
            nonlocal cur_sec, cur_head
            if text == cur_head:      # repeated (duplicated) title line: same heading
                return
            cur_head, cur_sec = text, sec_of[text]
            filled.setdefault(text, False)
            order.append(text)

        def add_content(is_item):
            if cur_head is not None:
                filled[cur_head] = True
            if is_item:
                items[cur_sec] += 1

        for line, in_li in self.lines:
            n = norm(line)
            cands = [(n, False)]
            m = BULLET.match(n)
            if m:
                cands.append((n[m.end():], True))
            hit = None
            for c, bulleted in cands:
                if c in H:
                    hit = [('h', c, bulleted)]
                elif c in C:
                    hit = [('c', c, bulleted)]
                elif c in B:
                    hit = [('b', c, bulleted)]
                if hit:
                    break
            if not hit:
                for c, bulleted in cands:
                    for k in range(1, len(c)):
                        a, b = c[:k], c[k:]
                        if a in B and (b in H or b in C):
                            hit = [('b', a, False), ('h' if b in H else 'c', b, False)]
                        elif (a in H or a in C) and b in B:
                            hit = [('h' if a in H else 'c', a, bulleted), ('b', b, False)]
                        if hit:
                            break
                    if hit:
                        break
            if not hit:
                self.err(f'line not covered by labels: {n[:100]!r}')
                continue
            if len(hit) == 2:
                self.stats['glued'] += 1
            for kind, s, bulleted in hit:
                used.add(s)
                if kind == 'h':
                    start_heading(s)
                elif kind == 'c':
                    add_content(bulleted or in_li)
        for s in sorted((H | C | B) - used):
            self.err(f'label string not found on the page: {s[:100]!r}')
        # empty headings
        for h in lab['headings']:
            t = norm(h['text'])
            if t not in filled:
                continue
            want_empty = not filled[t]
            if bool(h.get('empty', False)) != want_empty:
                self.err(f'heading {t!r}: "empty" should be {want_empty}')
        # items
        declared = {k: v for k, v in lab['items'].items()}
        for sec in set(declared) | set(items):
            if declared.get(sec, 0) != items.get(sec, 0):
                self.err(f'items[{sec!r}] = {declared.get(sec, 0)} but the page has {items.get(sec, 0)} '
                         f'bulleted/numbered content lines there')
        nonempty = {sec_of[t] for t, f in filled.items() if f}
        for sec in declared:
            if sec not in nonempty:
                self.err(f'items has section {sec!r} but no non-empty heading maps to it')
        self.stats['lines'] = len(self.lines)
        self.stats['empty_headings'] = sum(1 for h in lab['headings'] if h.get('empty'))
        self.stats['other_headings'] = sum(1 for h in lab['headings'] if h['section'] == 'other')


def find_pages(root):
    pages = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(('.', '__')))
        for fn in sorted(filenames):
            if fn.endswith(('.labels.json', '.meta.json')):
                continue
            base = fn[:-3] if fn.endswith('.gz') else fn
            if base.endswith(PAGE_EXT):
                pages.append(os.path.join(dirpath, fn))
    return pages


def main(argv):
    verbose = '-v' in argv
    root = HERE
    if '--root' in argv:
        root = os.path.abspath(argv[argv.index('--root') + 1])
    sections, contract = canonical_sections()
    print(f'canonical sections: {len(sections)} (from {os.path.relpath(contract)})')
    errors, summary = [], defaultdict(lambda: {'pages': 0, 'formats': set()})
    totals = Counter()
    for path in find_pages(root):
        rel = os.path.relpath(path, root)
        site = rel.split(os.sep)[0] if os.sep in rel else '.'
        lab_path = path + '.labels.json'
        if not os.path.isfile(lab_path):
            errors.append(f'{rel}: no labels file {os.path.basename(lab_path)}')
            continue
        try:
            labels = json.load(open(lab_path, encoding='utf-8'))
        except (ValueError, UnicodeDecodeError) as exc:
            errors.append(f'{rel}.labels.json: does not parse: {exc}')
            continue
        raw_bytes = open(path, 'rb').read()
        doc, enc = decode(raw_bytes)
        base = path[:-3] if path.endswith('.gz') else path
        url = None
        meta_path = path + '.meta.json'
        if os.path.isfile(meta_path):
            try:
                meta = json.load(open(meta_path, encoding='utf-8'))
                url = meta.get('url')
            except ValueError as exc:
                errors.append(f'{rel}.meta.json: does not parse: {exc}')
        units = []   # (where, labels, lines, raw, url)
        if base.endswith('.jsonl'):
            recs = [json.loads(ln) for ln in doc.splitlines() if ln.strip()]
            if not isinstance(labels, list) or len(labels) != len(recs):
                errors.append(f'{rel}: labels must be a list with one object per line ({len(recs)} lines)')
                continue
            for i, (rec, lab) in enumerate(zip(recs, labels), 1):
                if 'fetched_at' not in rec or 'url' not in rec:
                    errors.append(f'{rel}:{i}: record lacks url/fetched_at')
                if 'html' in rec:
                    units.append((f'{rel}:{i}', lab, html_lines(rec['html']), rec['html'], rec.get('url'), 'jsonl/html'))
                else:
                    units.append((f'{rel}:{i}', lab, text_lines(rec.get('text', '')), rec.get('text', ''), rec.get('url'), 'jsonl/text'))
        elif base.endswith(('.html', '.htm')):
            units.append((rel, labels, html_lines(doc), doc, url, 'html'))
        else:
            units.append((rel, labels, text_lines(doc), doc, url, 'txt'))
        for where, lab, lines, raw, u, fmt in units:
            pg = Page(where, lab, lines, raw, u, sections)
            if pg.check_schema():
                pg.check_coverage()
            errors.extend(pg.errors)
            summary[site]['pages'] += 1
            summary[site]['formats'].add(fmt + ('.gz' if path.endswith('.gz') else '') +
                                         (f' ({enc})' if enc not in ('utf-8',) else ''))
            if isinstance(lab, dict):
                totals['pages'] += 1
                totals['null_code'] += lab.get('code') is None
                totals['hcpcs'] += lab.get('code_system') == 'HCPCS'
                totals['headings'] += len(lab.get('headings', []))
                totals['content'] += len(lab.get('content', []))
                totals['boilerplate'] += len(lab.get('boilerplate', []))
                for k in ('glued', 'empty_headings', 'other_headings'):
                    totals[k] += pg.stats[k]
            if verbose and not pg.errors:
                print(f'  ok  {where}  ({pg.stats["lines"]} lines/blocks)')
    print('sites:')
    for site, s in sorted(summary.items()):
        print(f'  {site:16s} {s["pages"]:2d} pages  {", ".join(sorted(s["formats"]))}')
    print('totals: ' + ', '.join(f'{k}={v}' for k, v in totals.items()))
    if errors:
        print(f'\n{len(errors)} problem(s):')
        for e in errors:
            print('  ' + e)
        return 1
    print('OK: all labels consistent')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
