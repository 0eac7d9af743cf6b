"""Which site a page comes from: its URL or sidecar when it has one, else its own fingerprint.

Pages without a URL are grouped by the boilerplate they share (two pages carrying the same
two boilerplate lines come from the same template), and each group is named after the best
evidence its pages carry: a URL host, a contact e-mail's domain, the copyright holder. A
page's strong evidence (URL host, sidecar ``site``) does not relabel a page whose group names
its own site by a contact e-mail's domain, unless both name one site (one template, one name).
A sidecar's ``site`` names its template's pages for learning the template, but the published
site of a page without evidence of its own never (assign_sites_and_labels).
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from urllib.parse import urlsplit

from ingest.models import Removed

from .clean import normalize_key

# Rules whose removed lines make up a site's fingerprint. Structural rules (duplicates, empty
# headings) and two-word calls to action ("Learn more") are on every site and identify none.
FINGERPRINT_RULES = frozenset(
    {"copyright", "trademark", "login_signup", "paywall", "view_limit", "call_to_action", "promo_question",
     "trust_marketing", "image_alt", "asset_token", "contact_email", "nav_menu", "page_tail", "footer_link",
     "newsletter", "app_download", "cookie_banner", "search_box", "promo_example", "popular_links",
     "html_nav", "html_header", "html_footer", "html_aside", "html_chrome", "html_hidden", "html_form"}
)
# A boilerplate line must have this many words to identify a template ("Learn more" does not).
FINGERPRINT_MIN_WORDS = 3
# Pages are the same site when they share this many fingerprint lines; one shared line is
# often a third party's notice that many sites carry (the AMA's CPT copyright).
FINGERPRINT_MIN_SHARED = 2
# Per page, the fingerprint lines used for linking (most distinctive = longest first).
FINGERPRINT_MAX_KEYS = 12

_COPYRIGHT_HOLDER = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:©|copyright)?\s*(?:(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)\d\d)?\s*)?"
    r"(?P<holder>[A-Za-z][\w&' .-]{1,60}?)\s*(?:,?\s*(?:inc|llc|ltd)\.?)?\s*(?:(?:19|20)\d\d)?\s*"
    r"(?:[.,|]\s*)?(?:all rights reserved|$)",
    re.IGNORECASE,
)
_EMAIL_DOMAIN = re.compile(r"@([\w-]+(?:\.[\w-]+)+)")
_SLUG = re.compile(r"[^a-z0-9]+")


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    host = host.removeprefix("www.")
    return host or None


def slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")


def weak_evidence(removed: Sequence[Removed]) -> str | None:
    """A site name from the page's own boilerplate: a contact e-mail domain, else the holder
    of the last copyright line (the site's own notice comes last, after third parties')."""
    for rem in removed:
        m = _EMAIL_DOMAIN.search(rem.text) if "@" in rem.text else None
        if m:
            return m.group(1).lower()
    holders = _holders(removed)
    holders = [h for h in holders if slug(h) and not slug(h).isdigit()]
    return slug(holders[-1]) if holders else None


def _may_name_a_holder(text: str) -> bool:
    """A cheap test every line _COPYRIGHT_HOLDER matches passes: it holds "©", "(c)" or, in any
    case, "copyright" (a line with letters beyond ASCII always goes to the pattern, whose
    case-blind matching knows more equivalent letters than lower() does)."""
    return "©" in text or "(" in text or not text.isascii() or "copyright" in text.lower()


def _holders(removed: Sequence[Removed]) -> list[str]:
    """The holder named by each copyright line among the removed lines, in order."""
    return [
        m.group("holder") for rem in removed
        if _may_name_a_holder(rem.text) and (m := _COPYRIGHT_HOLDER.search(rem.text))
    ]


def fingerprint_keys(removed: Sequence[Removed]) -> list[str]:
    keys = {
        normalize_key(r.text)
        for r in removed
        if r.rule in FINGERPRINT_RULES and len(r.text.split()) >= FINGERPRINT_MIN_WORDS
    }
    return sorted(keys, key=lambda k: (-len(k), k))[:FINGERPRINT_MAX_KEYS]


def assign_sites(
    strong: Sequence[str | None], weak: Sequence[str | None], fingerprints: Sequence[list[str]]
) -> list[str]:
    """One site per page. ``strong`` is a URL host or sidecar site; ``weak`` a name from the
    page's boilerplate; ``fingerprints`` its boilerplate keys. Deterministic for the same input.

    A page is named by its strong evidence; else, where it or its group carries a contact
    e-mail's domain, by that domain (written as a group-mate's strong name when both name one
    site: _same_site); else by its group's strong names, then weak evidence, then fingerprint.
    A copyright holder does not outweigh a group-mate's host: the last copyright line is often
    a third party's."""
    return _name_pages(_groups(fingerprints), strong, strong, weak, fingerprints)


def assign_sites_and_labels(
    hints: Sequence[str | None], hosts: Sequence[str | None], weak: Sequence[str | None],
    fingerprints: Sequence[list[str]],
) -> tuple[list[str], list[str]]:
    """Per page, the site its template is learned under and the site it is published as.
    ``hints`` are sidecar or JSONL ``site`` values, ``hosts`` URL hosts, given apart.

    Templates are learned under assign_sites' names, with a page's hint, else its host, as its
    strong evidence. A page is published under its own hint or host too; a page with neither
    may take a group-mate's URL host but never a group-mate's hint (a sidecar speaks for its
    own page only): where the group sends no URL host, the page is named by its own or its
    group's boilerplate, as a group without strong evidence is."""
    strong = [hint or host for hint, host in zip(hints, hosts, strict=True)]
    groups = _groups(fingerprints)
    return (_name_pages(groups, strong, strong, weak, fingerprints),
            _name_pages(groups, strong, hosts, weak, fingerprints))


def _name_pages(
    groups: list[list[int]], own: Sequence[str | None], shared: Sequence[str | None], weak: Sequence[str | None],
    fingerprints: Sequence[list[str]],
) -> list[str]:
    """assign_sites' naming of the pages of ``groups``, where a page's strong name is ``own``
    and the strong names its group-mates may take from it are ``shared``."""
    sites: list[str] = [""] * len(own)
    for group in groups:
        group_strong = Counter(s for s in (shared[i] for i in group) if s)
        group_weak = Counter(w for w in (weak[i] for i in group) if w)
        fallback = _fingerprint_name([fingerprints[i] for i in group])
        group_domain = _most_common(Counter({w: c for w, c in group_weak.items() if _is_domain(w)}))
        for i in group:
            domain = weak[i] if _is_domain(weak[i]) else group_domain
            sites[i] = (
                own[i]
                or (_same_site(domain, group_strong) if domain and group_strong else None)
                or _most_common(group_strong)
                or weak[i]
                or _most_common(group_weak)
                or (fallback if fingerprints[i] else f"unknown-page-{i}")
            )
    return sites


def _groups(fingerprints: Sequence[list[str]]) -> list[list[int]]:
    """The pages linked by FINGERPRINT_MIN_SHARED shared fingerprint lines (transitively), in
    the order of their first page."""
    n = len(fingerprints)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owners: dict[tuple[str, ...], int] = {}
    for i, keys in enumerate(fingerprints):
        for pair in itertools.combinations(sorted(set(keys)), FINGERPRINT_MIN_SHARED):  # the same pair in any order
            j = owners.setdefault(pair, i)
            if j != i:
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        members[find(i)].append(i)
    return list(members.values())


def _is_domain(name: str | None) -> bool:
    """Whether weak evidence is a contact e-mail's domain (a copyright holder's slug has no dot)."""
    return name is not None and "." in name


def _same_site(own: str, group_strong: Counter[str]) -> str:
    """The name of a page without strong evidence of its own whose group names ``own`` (a
    contact e-mail's domain): a group-mate's strong name (URL host, sidecar ``site``) where
    that names the same site ("payorpath" for "payorpath.io": one site, one template); else
    ``own``. A page speaks for itself: one page's sidecar cannot relabel its template-mates."""
    core = _name_core(own)
    agreeing = Counter({s: n for s, n in group_strong.items() if core and _name_core(s) == core})
    return _most_common(agreeing) or own


def _name_core(name: str) -> str:
    """A site name without its host's dressing: "www.Payor-Path.co.uk" and "payorpath" give
    "payorpath" (the label before the public suffix, letters and digits only). Too short a
    core ("", "ab") names no site."""
    labels = [label for label in name.lower().removeprefix("www.").split(".") if label]
    if len(labels) > 1:
        labels.pop()  # the top-level domain
        if len(labels) > 1 and labels[-1] in _SECOND_LEVEL:
            labels.pop()
    core = re.sub(r"[^a-z0-9]", "", labels[-1]) if labels else ""
    return core if len(core) >= 3 else ""


# Second-level labels of country domains ("example.co.uk", "example.com.au").
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"})


def _most_common(counter: Counter[str]) -> str | None:
    if not counter:
        return None
    return min(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _fingerprint_name(fingerprints: list[list[str]]) -> str:
    keys = sorted({k for fp in fingerprints for k in fp})
    digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:10]
    return f"unknown-{digest}"


def brand_names(url: str | None, site_hint: str | None, removed: Sequence[Removed]) -> list[str]:
    """Names the site goes by, for spotting its logo text among the page's lines."""
    names = []
    for host in (host_of(url), site_hint, weak_evidence(removed)):
        if host:
            names.append(host.split(".")[0] if "." in host else host)
    holders = _holders(removed)
    names += holders
    names += [h.split()[0] for h in holders if h.split()]
    return names
