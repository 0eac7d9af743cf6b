"""The labelling machinery the held-out sets' make_labels.py share: each of them holds its
annotations (SITE: per-site boilerplate patterns and glued strings; PAGES and JSONL: per page
its code, headings with their sections, FAQ pairs and notes) and calls write_labels(). Lines
are read exactly as tests/check_labels.py reads them (same decoding, block splitting and
bullet rule); a line is a heading when annotated as one, boilerplate when a pattern matches,
split when a glued string starts or ends it, and content otherwise."""

import json
import os
import re
from collections import Counter

import check_labels as ck

RE = 're:'  # prefix for a regular-expression boilerplate pattern


def matcher(patterns):
    exact = {ck.norm(p) for p in patterns if not p.startswith(RE)}
    regs = [re.compile(p[len(RE):]) for p in patterns if p.startswith(RE)]
    return lambda s: s in exact or any(r.search(s) for r in regs)


def label_unit(where, lines, ann, s, show=False):
    is_b = matcher(s['boilerplate'] + ann.get('boilerplate', []))
    glue = [ck.norm(g) for g in s['glue'] + ann.get('glue', [])]
    sec_of = {ck.norm(t): sec for t, sec in ann['headings']}
    heads, content, boiler = [], [], []
    filled, items = {}, Counter()
    cur = None

    def add(lst, x):
        if x not in lst:
            lst.append(x)

    def on_heading(t):
        nonlocal cur
        add(heads, t)
        if t != cur:
            cur = t
            filled.setdefault(t, False)

    def on_content(t, is_item):
        assert cur is not None, f'{where}: content before the first heading: {t!r}'
        add(content, t)
        filled[cur] = True
        if is_item:
            items[sec_of[cur]] += 1

    for line, in_li in lines:
        n = ck.norm(line)
        m = ck.BULLET.match(n)
        bare = n[m.end():] if m else n
        tag = None
        if n in sec_of or bare in sec_of:
            on_heading(n if n in sec_of else bare)
            tag = 'H'
        elif is_b(n) or is_b(bare):
            add(boiler, n if is_b(n) else bare)
            tag = 'B'
        else:
            for g in glue:
                if n.startswith(g) and n != g:
                    add(boiler, g)
                    rest = n[len(g):]
                    if rest in sec_of:
                        on_heading(rest)
                    else:
                        on_content(rest, in_li)
                    tag = 'B+' + ('H' if rest in sec_of else 'C')
                    break
                if n.endswith(g) and n != g:
                    front = n[:-len(g)]
                    fm = ck.BULLET.match(front)
                    fbare = front[fm.end():] if fm else front
                    if front in sec_of:
                        on_heading(front)
                    else:
                        on_content(fbare, bool(fm) or in_li)
                    add(boiler, g)
                    tag = ('H' if front in sec_of else 'C') + '+B'
                    break
        if tag is None:
            on_content(bare, bool(m) or in_li)
            tag = 'I' if (m or in_li) else 'C'
        if show:
            print(f'  {tag:4s} {n[:110]}')
    missing = set(sec_of) - set(heads)
    assert not missing, f'{where}: annotated headings not on the page: {missing}'
    for q, a in ann.get('faq', []):
        assert q in content and a in content, f'{where}: FAQ pair not in content: {q!r}'
    headings = []
    for t in heads:
        h = {'text': t, 'section': sec_of[t]}
        if not filled[t]:
            h['empty'] = True
        headings.append(h)
    nonempty = []
    for t in heads:
        if filled[t] and sec_of[t] not in nonempty:
            nonempty.append(sec_of[t])
    return {
        'code': ann['code'], 'code_system': ann['code_system'],
        'headings': headings, 'content': content, 'boilerplate': boiler,
        'items': {sec: items.get(sec, 0) for sec in nonempty},
        'faq': [{'question': q, 'answer': a} for q, a in ann.get('faq', [])],
        'notes': ann['notes'],
    }


def write_labels(here, site, pages, jsonl, argv):
    """Write the .labels.json of every annotated page file and JSONL file below ``here``."""
    show = '--show' in argv
    for rel, ann in pages.items():
        path = os.path.join(here, rel)
        doc, _ = ck.decode(open(path, 'rb').read())
        base = path[:-3] if path.endswith('.gz') else path
        lines = ck.html_lines(doc) if base.endswith(('.html', '.htm')) else ck.text_lines(doc)
        if show:
            print(rel)
        lab = label_unit(rel, lines, ann, site[rel.split('/')[0]], show)
        json.dump(lab, open(path + '.labels.json', 'w', encoding='utf-8'), ensure_ascii=False, indent=2)
    n_lines = 0
    for rel, anns in jsonl.items():
        path = os.path.join(here, rel)
        recs = [json.loads(ln) for ln in open(path, encoding='utf-8') if ln.strip()]
        assert len(recs) == len(anns), f'{rel}: {len(recs)} lines but {len(anns)} annotations'
        labs = []
        for i, (rec, ann) in enumerate(zip(recs, anns), 1):
            if show:
                print(f'{rel}:{i}')
            lines = ck.html_lines(rec['html']) if 'html' in rec else ck.text_lines(rec['text'])
            labs.append(label_unit(f'{rel}:{i}', lines, ann, site[rel.split('/')[0]], show))
        json.dump(labs, open(path + '.labels.json', 'w', encoding='utf-8'), ensure_ascii=False, indent=2)
        n_lines += len(anns)
    print(f'wrote labels for {len(pages)} page files and {n_lines} JSONL lines')
