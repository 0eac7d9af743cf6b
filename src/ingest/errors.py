"""Errors of `ingest`, with stable reason codes.

    IngestError                      base; carries a stable ``reason`` code
    ├── ConfigError                  bad settings or arguments (terminal)
    ├── InputError                   a raw page cannot be used: it is quarantined, the run goes on
    │   ├── DecodeError              bytes that are not text in any encoding we can detect
    │   └── LimitError               a safety limit was exceeded
    └── OutputError                  the curated tables could not be written (terminal for the run)
        └── LockError                another run holds the curated lock

Errors pickle with their attributes, so they survive crossing a Dask process boundary.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a page was quarantined or has no code. Values are stable: scripts filter on them."""

    EMPTY = "empty"
    BINARY = "binary"
    UNDECODABLE = "undecodable"
    TOO_LARGE = "too_large"
    DECOMPRESSION_LIMIT = "decompression_limit"
    CORRUPT_GZIP = "corrupt_gzip"
    UNSUPPORTED_FORMAT = "unsupported_format"
    MALFORMED_JSONL_LINE = "malformed_jsonl_line"
    MISSING_CONTENT = "missing_content"
    PARSE_ERROR = "parse_error"
    PARSE_TIMEOUT = "parse_timeout"
    OUTSIDE_ROOT = "outside_root"
    UNREADABLE = "unreadable"
    NO_CONTENT = "no_content"
    NO_CODE_FOUND = "no_code_found"
    SEVERAL_CODES = "several_codes"


class IngestError(Exception):
    """Base of every error `ingest` raises on purpose."""

    reason: Reason | None = None

    def __init__(self, message: str, *, reason: Reason | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason
        self.message = message

    def __reduce__(self):  # keep attributes across pickling (Dask workers)
        return (_rebuild, (type(self), self.message, self.reason))


def _rebuild(cls: type[IngestError], message: str, reason: Reason | None) -> IngestError:
    return cls(message, reason=reason)


class ConfigError(IngestError):
    """The settings or arguments are wrong; nothing was read."""


class InputError(IngestError):
    """A raw page cannot be used; it is quarantined with ``reason``."""


class DecodeError(InputError):
    reason = Reason.UNDECODABLE


class LimitError(InputError):
    reason = Reason.TOO_LARGE


class OutputError(IngestError):
    """Writing or publishing the curated tables failed."""


class LockError(OutputError):
    """Another run is writing to the same curated directory."""
