"""Reading the landing zone: formats, encodings, sidecars, bad input quarantined with a reason."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from ingest.config import Limits
from ingest.models import Quarantine, RawPage
from ingest.stages.read import decode_bytes, discover, read_file

TEXT = "Recovery\nThe patient’s knee – and the Müller technique – heal in 6–8 weeks.\n"


def _read(tmp_path: Path, name: str, data: bytes, limits: Limits | None = None) -> list[RawPage | Quarantine]:
    (tmp_path / name).write_bytes(data)
    return read_file(tmp_path, name, limits or Limits())


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf8.txt", TEXT.encode("utf-8")),
        ("bom.txt", b"\xef\xbb\xbf" + TEXT.encode("utf-8")),
        ("utf16.txt", TEXT.encode("utf-16")),
        ("cp1252.txt", TEXT.encode("cp1252")),
        ("page.txt.gz", gzip.compress(TEXT.encode("utf-8"))),
    ],
)
def test_encodings_are_detected(tmp_path, name, data):
    [page] = _read(tmp_path, name, data)
    assert isinstance(page, RawPage)
    assert "patient’s knee – and the Müller technique" in page.content


def test_cp1252_html_with_declared_charset(tmp_path):
    html = "<html><head><meta charset='windows-1252'></head><body><p>Müller’s “test” – ok</p></body></html>"
    [page] = _read(tmp_path, "p.html", html.encode("cp1252"))
    assert page.fmt == "html" and "Müller’s “test” – ok" in page.content


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t\n", "empty"),
        ("doc.pdf.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", "binary"),
        ("random.html", bytes(range(256)) * 40, "binary"),
        ("truncated.txt.gz", gzip.compress(TEXT.encode() * 50)[:-20], "corrupt_gzip"),
        ("image.png", b"\x89PNG\r\n\x1a\nxxxx", "unsupported_format"),
    ],
)
def test_bad_files_are_quarantined_with_a_reason(tmp_path, name, data, reason):
    [q] = _read(tmp_path, name, data)
    assert isinstance(q, Quarantine)
    assert q.reason == reason


def test_gzip_bomb_is_stopped_at_the_limit(tmp_path):
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))
    [q] = _read(tmp_path, "bomb.txt.gz", bomb, Limits(max_decompressed_bytes=1024 * 1024))
    assert isinstance(q, Quarantine) and q.reason == "decompression_limit"


def test_too_large_file(tmp_path):
    [q] = _read(tmp_path, "big.txt", b"a" * 2048, Limits(max_file_bytes=1024))
    assert q.reason == "too_large"


@pytest.mark.parametrize("size, limit, reason", [(600, 1024, None), (2048, 1024, "too_large")])
def test_a_file_that_grows_after_its_size_is_taken_is_read_whole_or_refused(tmp_path, monkeypatch, size, limit, reason):
    """The file is read in a buffer of the size stat gave; a file written to since is read on
    to its end (or to the limit, and refused beyond it), not cut at the old size."""
    import os

    real_stat = Path.stat

    def earlier(self, *args, **kwargs):  # the size the file had before a writer appended to it
        st = real_stat(self, *args, **kwargs)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 100,
                               st.st_atime, st.st_mtime, st.st_ctime)) if self.name == "growing.txt" else st

    monkeypatch.setattr(Path, "stat", earlier)
    text = ("Procedure Description\n" + "x" * size + "\nEnd of page.\n").encode()
    [page] = _read(tmp_path, "growing.txt", text, Limits(max_file_bytes=limit))
    if reason is None:
        assert isinstance(page, RawPage) and page.content.endswith("End of page.\n")
    else:
        assert isinstance(page, Quarantine) and page.reason == reason


def test_nul_bytes_inside_text_are_dropped_with_a_warning(tmp_path):
    [page] = _read(tmp_path, "nul.txt", b"Procedure\x00 Description\nSteps follow.\n")
    assert page.content.startswith("Procedure Description")
    assert "NUL characters removed" in page.warnings


def test_jsonl_good_lines_kept_and_broken_lines_quarantined_with_line_number(tmp_path):
    lines = [
        json.dumps({"url": "https://a.example/cpt/21183", "text": "CPT Code 21183", "fetched_at": "2026-01-02T03:04:05Z"}),
        '{"url": "https://a.example/x", "text": "unterminated',
        json.dumps({"url": "https://a.example/y"}),
        json.dumps({"html": "<html><body><p>hi there</p></body></html>"}),
    ]
    out = _read(tmp_path, "feed.jsonl", "\n".join(lines).encode())
    assert [type(x).__name__ for x in out] == ["RawPage", "Quarantine", "Quarantine", "RawPage"]
    assert out[0].url == "https://a.example/cpt/21183" and out[0].fetched_at.year == 2026
    assert (out[1].reason, out[1].line_no) == ("malformed_jsonl_line", 2)
    assert (out[2].reason, out[2].line_no) == ("missing_content", 3)
    assert out[3].fmt == "html" and out[3].line_no == 4


def test_sidecar_metadata_and_malformed_sidecar(tmp_path):
    (tmp_path / "a.html").write_text("<html><body><h1>x</h1><p>text here</p></body></html>")
    (tmp_path / "a.html.meta.json").write_text('{"url": "https://www.site.example/cpt/27447", "fetched_at": "2026-05-01T00:00:00", "site": "site"}')
    (tmp_path / "b.txt").write_text("some text")
    (tmp_path / "b.txt.meta.json").write_text("{not json")
    [a] = read_file(tmp_path, "a.html", Limits())
    assert (a.url, a.site_hint, a.fetched_at.isoformat()) == ("https://www.site.example/cpt/27447", "site", "2026-05-01T00:00:00+00:00")
    [b] = read_file(tmp_path, "b.txt", Limits())
    assert isinstance(b, RawPage) and any("sidecar" in w for w in b.warnings)


def test_discover_skips_sidecars_and_hidden_files_and_sorts(tmp_path):
    for name in ["b.txt", "a.html", "a.html.meta.json", ".hidden.txt", "sub dir/ü page.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert discover(tmp_path) == ["a.html", "b.txt", "sub dir/ü page.txt"]


def test_symlink_leaving_the_root_is_refused(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    root = tmp_path / "raw"
    root.mkdir()
    (root / "link.txt").symlink_to(outside)
    [q] = read_file(root, "link.txt", Limits())
    assert q.reason == "outside_root"


def test_decode_prefers_utf8():
    text, enc, _ = decode_bytes("naïve – ok".encode(), is_html=False)
    assert (text, enc) == ("naïve – ok", "utf-8")


def test_declared_html_charset_wins(tmp_path):
    html = "<html><head><meta charset='shift_jis'></head><body><p>膝関節置換術 CPT 27447</p></body></html>"
    [page] = _read(tmp_path, "jp.html", html.encode("shift_jis"))
    assert "膝関節置換術" in page.content and page.encoding.lower().replace("-", "_") == "shift_jis"
