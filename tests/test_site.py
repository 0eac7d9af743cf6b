"""Unit tests for ingest.stages.site: host and slug helpers, the weak evidence a page's boilerplate
carries, fingerprints, and the clustering that names every page's site. Sites are invented."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.stages.clean import normalize_key
from ingest.models import Removed
from ingest.stages.site import (
    FINGERPRINT_MAX_KEYS, assign_sites, brand_names, fingerprint_keys, host_of, slug, weak_evidence,
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def rem(text: str, rule: str = "copyright", line_no: int = 1) -> Removed:
    return Removed(line_no, text, rule)


# --- host_of and slug ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.maple.example/cpt/29881", "maple.example"),
        ("HTTPS://WWW.Maple.Example:8080/a?b=1", "maple.example"),
        ("http://notes.oak.example", "notes.oak.example"),
        (None, None),
        ("", None),
        ("not a url", None),
        ("http://[bad", None),
    ],
)
def test_host_of(url: str | None, host: str | None) -> None:
    assert host_of(url) == host


def test_slug_lowercases_and_joins_words_with_single_dashes() -> None:
    assert slug("Pine & Oak, LLC") == "pine-oak-llc"
    assert slug("  --Birch Billing--  ") == "birch-billing"
    assert slug("©!") == ""


# --- weak evidence and brand names ---------------------------------------------------------


def test_weak_evidence_prefers_a_contact_email_domain() -> None:
    removed = [rem("© 2025 Maple Coding Co."), rem("Write to help@Oak-Notes.example.org today", "contact_email")]
    assert weak_evidence(removed) == "oak-notes.example.org"


def test_weak_evidence_takes_the_last_copyright_holder() -> None:
    """Third parties' notices (the code set's owner) come first; the site's own comes last."""
    removed = [
        rem("CPT is a registered trademark of the Standards Body", "trademark"),
        rem("© 2024 Standards Body"),
        rem("© 2025 Maple Coding Co. All rights reserved."),
    ]
    assert weak_evidence(removed) == "maple-coding-co"
    assert weak_evidence([rem("Copyright 2019-2025 Pine Ridge LLC")]) == "pine-ridge"


def test_weak_evidence_is_none_without_a_name() -> None:
    assert weak_evidence([]) is None
    assert weak_evidence([rem("© 2025")]) is None
    assert weak_evidence([rem("Learn more about knees", "call_to_action")]) is None


def test_brand_names_collects_host_hint_email_and_holder() -> None:
    names = brand_names("https://www.birchbill.example/x", "birch-site", [rem("© 2025 Birch Billing Group")])
    assert names[:3] == ["birchbill", "birch-site", "birch-billing-group"]
    assert "Birch Billing Group" in names
    assert "Birch" in names
    assert brand_names(None, None, []) == []


# --- fingerprints --------------------------------------------------------------------------


def test_fingerprint_keys_use_only_identifying_boilerplate() -> None:
    removed = [
        rem("© 2025 Maple Coding Co. All rights reserved."),
        rem("Subscribe to the Maple weekly letter", "newsletter"),
        rem("Learn more", "call_to_action"),  # too short to identify a template
        rem("This sentence was printed twice on the page", "duplicate_line"),  # structural, every site has them
        rem("SUBSCRIBE to the maple weekly letter!", "newsletter"),  # the same key again
    ]
    keys = fingerprint_keys(removed)
    assert keys == ["© 2025 maple coding co. all rights reserved", "subscribe to the maple weekly letter"]
    assert all(k == normalize_key(k) for k in keys)


def test_fingerprint_keys_keep_the_longest_few() -> None:
    removed = [rem(f"Maple footer line number {'x' * n}", "page_tail", n) for n in range(1, 30)]
    keys = fingerprint_keys(removed)
    assert len(keys) == FINGERPRINT_MAX_KEYS
    assert [len(k) for k in keys] == sorted((len(k) for k in keys), reverse=True)
    assert keys[0].endswith("x" * 29)


# --- assign_sites --------------------------------------------------------------------------

MAPLE = ["maple footer line one here", "maple newsletter signup box", "maple tagline for coders"]
OAK = ["oak footer line one here", "oak newsletter signup box"]


def test_pages_sharing_two_fingerprint_lines_take_the_host_of_one() -> None:
    sites = assign_sites([None, "maple.example", None], [None, None, None], [MAPLE[:2], MAPLE, MAPLE[1:]])
    assert sites == ["maple.example"] * 3


def test_one_shared_line_does_not_join_pages() -> None:
    """A single shared notice is often a third party's, carried by many sites."""
    shared = "the standards body owns the code set"
    sites = assign_sites(["maple.example", None], [None, None], [[shared, MAPLE[0]], [shared, OAK[0]]])
    assert sites[0] == "maple.example"
    assert sites[1] != "maple.example"
    assert sites[1].startswith("unknown-")


def test_a_page_keeps_its_own_strong_site_inside_a_group() -> None:
    sites = assign_sites(["maple.example", "maple-mirror.example", None], [None] * 3, [MAPLE] * 3)
    assert sites[:2] == ["maple.example", "maple-mirror.example"]
    # The page without its own takes the group's most common, ties broken alphabetically.
    assert sites[2] == "maple-mirror.example"


def test_majority_strong_site_names_the_group() -> None:
    strong = ["oak.example", "maple.example", "maple.example", None]
    assert assign_sites(strong, [None] * 4, [MAPLE] * 4)[3] == "maple.example"


def test_weak_evidence_names_a_group_without_a_url() -> None:
    sites = assign_sites([None, None, None], [None, "maple-coding-co", None], [MAPLE, MAPLE, OAK])
    assert sites[:2] == ["maple-coding-co", "maple-coding-co"]
    assert sites[2] != "maple-coding-co"


def test_fingerprint_name_is_stable_and_per_group() -> None:
    sites = assign_sites([None] * 4, [None] * 4, [MAPLE, MAPLE[:2], OAK, OAK])
    assert sites[0] == sites[1]
    assert sites[2] == sites[3]
    assert sites[0] != sites[2]
    assert all(re.fullmatch(r"unknown-[0-9a-f]{10}", s) for s in sites)
    # The name depends on the group's keys, not on where its pages sit in the batch.
    again = assign_sites([None] * 2, [None] * 2, [OAK, OAK])
    assert again[0] == sites[2]


def test_a_page_with_no_evidence_at_all_is_its_own_site() -> None:
    sites = assign_sites([None, None], [None, None], [[], []])
    assert sites == ["unknown-page-0", "unknown-page-1"]


def test_groups_link_transitively() -> None:
    """A shares two lines with B, and B two others with C: one template, one site."""
    a, b, c = ["k1 line", "k2 line"], ["k1 line", "k2 line", "k3 line", "k4 line"], ["k3 line", "k4 line"]
    sites = assign_sites([None, None, "pine.example"], [None] * 3, [a, b, c])
    assert sites == ["pine.example"] * 3


_lines = st.lists(st.sampled_from([f"Maple boilerplate line {'x' * n}" for n in range(8)]), max_size=5)
_name = st.one_of(st.none(), st.sampled_from(["maple.example", "oak.example", "pine-ridge"]))
_pages = st.lists(st.tuples(_name, _name, _lines), max_size=12)


@FAST
@given(_pages)
def test_assign_sites_is_deterministic_and_names_every_page(pages: list[tuple]) -> None:
    """Fingerprints are built the way the pipeline builds them, with fingerprint_keys."""
    strong = [p[0] for p in pages]
    weak = [p[1] for p in pages]
    fps = [fingerprint_keys([rem(text, "newsletter", n) for n, text in enumerate(p[2])]) for p in pages]
    sites = assign_sites(strong, weak, fps)
    assert sites == assign_sites(list(strong), list(weak), [list(k) for k in fps])
    assert len(sites) == len(pages)
    assert all(isinstance(s, str) and s for s in sites)
    # Strong evidence is never overridden, and pages sharing two keys land on one site unless
    # either has its own strong evidence.
    for i, s in enumerate(strong):
        if s:
            assert sites[i] == s
    for i in range(len(pages)):
        for j in range(i):
            if not strong[i] and not strong[j] and not weak[i] and not weak[j] and len(set(fps[i]) & set(fps[j])) >= 2:
                assert sites[i] == sites[j]


# --- a page's strong evidence speaks for that page only ---------------------------------------


def test_another_page_s_strong_name_does_not_relabel_a_page_with_its_own_domain() -> None:
    """One page's sidecar says "acme"; a template-mate's contact e-mail names maple.example."""
    sites = assign_sites(["acme", None, None], [None, "maple.example", None], [MAPLE] * 3)
    assert sites == ["acme", "maple.example", "maple.example"]


def test_a_strong_name_of_the_site_the_page_names_keeps_one_template() -> None:
    """A sidecar's "maple" and the pages' own "maple.example" are one site: one name, so that
    the template is learned from all of its pages."""
    sites = assign_sites(["maple", None, None], ["maple.example", "www.maple.example", None], [MAPLE] * 3)
    assert sites == ["maple", "maple", "maple"]


def test_a_copyright_holder_does_not_outweigh_a_group_mate_s_host() -> None:
    """The last copyright line is often a third party's (the code set's owner): not enough to
    name the page against the host its template's pages carry."""
    sites = assign_sites(["maple.example", None], [None, "code-set-owner"], [MAPLE] * 2)
    assert sites == ["maple.example", "maple.example"]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("payorpath", "payorpath.io", True),
        ("www.payor-path.co.uk", "payorpath.com", True),
        ("shop.maple.example", "maple.example", True),
        ("maple.example", "oak.example", False),
        ("ab", "ab.example", False),  # too short a name to say it is the same site
    ],
)
def test_names_of_one_site(a: str, b: str, same: bool) -> None:
    sites = assign_sites([a, None], [None, b], [MAPLE] * 2)
    assert sites == ([a, a] if same else [a, b])


@FAST
@given(_pages)
def test_a_page_naming_its_domain_is_named_by_it_or_a_name_of_the_same_site(pages: list[tuple]) -> None:
    strong = [p[0] for p in pages]
    weak = [p[1] for p in pages]
    fps = [fingerprint_keys([rem(text, "newsletter", n) for n, text in enumerate(p[2])]) for p in pages]
    sites = assign_sites(strong, weak, fps)
    for i, own in enumerate(weak):
        if own and "." in own and not strong[i]:
            assert sites[i] == own or (sites[i] in strong and sites[i].split(".")[0] == own.split(".")[0])


def test_the_cheap_tests_before_the_name_patterns_never_hide_a_name() -> None:
    """weak_evidence and brand_names skip the e-mail and copyright patterns on lines without the
    characters every match holds: any text the full pattern matches passes the test."""
    from ingest.stages import site

    alphabet = st.sampled_from(list("aAcCoOpPyYrRiIgGhHtT ()©@.-ıİſ2019") + ["copyright", "COPYRIGHT", "Acme", "(c)"])

    @settings(max_examples=400, deadline=None)
    @given(st.lists(alphabet, max_size=12).map("".join))
    def check(text: str) -> None:
        if site._COPYRIGHT_HOLDER.search(text):
            assert site._may_name_a_holder(text)

    check()
    for text in ("© 2024 Acme Billing", "(C) Acme Billing", "COPYRIGHT 2024 Acme Billing", "Copyrıght 2024 Acme"):
        assert site._may_name_a_holder(text) and site._COPYRIGHT_HOLDER.search(text)
    assert not site._may_name_a_holder("All rights reserved by nobody in particular")
    removed = [Removed(1, "Contact us at help@acme-billing.com", "contact_email"),
               Removed(2, "© 2024 Other Corp. All rights reserved.", "copyright")]
    assert site.weak_evidence(removed) == "acme-billing.com"
    assert site.weak_evidence(removed[1:]) == "other-corp"
