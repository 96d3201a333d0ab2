"""Shared harness of the Python client programs: connection settings from QF_* variables, named
checks that each record a value or an error, one JSON object on stdout, exit 1 when a check failed.

Output: {"client": NAME, "ok": BOOL, "checks": {CHECK: {"ok": true, "value": V} | {"ok": false, "error": MSG}}}
"""
from __future__ import annotations

import datetime
import decimal
import json
import os
import sys
import traceback
import uuid
from typing import Any, Callable

SETUP_HINT = "run `bash scripts/setup.sh` (npm test does it)"


def require(module: str):
    """Import a client library, or exit 2 with a message that says how to install it."""
    try:
        return __import__(module)
    except ImportError as e:
        print(f"{module} is not installed for {sys.executable} ({e}); {SETUP_HINT}", file=sys.stderr)
        print(json.dumps({"ok": False, "fatal": f"missing python module {module}; {SETUP_HINT}"}))
        sys.exit(2)


def settings() -> dict[str, Any]:
    """Connection settings; QF_HOST, QF_PORT, QF_USER, QF_PASSWORD and QF_DB are required."""
    missing = [k for k in ("QF_HOST", "QF_PORT", "QF_USER", "QF_DB") if not os.environ.get(k)]
    if missing:
        print(f"set {', '.join(missing)} (and QF_PASSWORD) to the server to test", file=sys.stderr)
        sys.exit(2)
    return {
        "host": os.environ["QF_HOST"],
        "port": int(os.environ["QF_PORT"]),
        "user": os.environ["QF_USER"],
        "password": os.environ.get("QF_PASSWORD", ""),
        "dbname": os.environ["QF_DB"],
    }


def plain(v: Any) -> Any:
    """A JSON-friendly form of a driver value (types that JSON lacks become strings)."""
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(v).hex()
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, (decimal.Decimal, uuid.UUID)):
        return str(v)
    if isinstance(v, float) and v != v:
        return "NaN"
    return v


# Values sent as parameters and expected back unchanged: (label, SQL type, Python value).
UTC = datetime.timezone.utc
ROUND_TRIP: list[tuple[str, str, Any]] = [
    ("int", "integer", -2147483648),
    ("bigint", "bigint", 9_000_000_000_000_000),
    ("numeric", "numeric(12,2)", decimal.Decimal("-12345.67")),
    ("float", "double precision", 0.1 + 0.2),
    ("text", "text", "héllo ☃ 'q' \"dq\" \\ tab\t"),
    ("bool", "boolean", True),
    ("date", "date", datetime.date(2024, 2, 29)),
    ("timestamp", "timestamp", datetime.datetime(2024, 2, 29, 13, 14, 15, 123456)),
    ("timestamptz", "timestamptz", datetime.datetime(2024, 2, 29, 13, 14, 15, 500000, tzinfo=UTC)),
    ("bytea", "bytea", b"\x00\x01\xfe\xff'\\"),
    ("uuid", "uuid", uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
    ("json", "json", {"a": [1, 2.5, None], "b": "ü"}),
    ("null", "integer", None),
]
# Arrays go in a check of their own (their failures are of another kind than the scalars').
ARRAY_ROUND_TRIP: list[tuple[str, str, Any]] = [
    ("int[]", "integer[]", [1, None, -3]),
    ("text[]", "text[]", ["a", "b c", None, '"q"']),
]


def compare(sent: list[tuple[str, str, Any]], got: list[Any], normalise: Callable[[str, Any], Any] = lambda _l, v: v) -> dict[str, Any]:
    """Compare a fetched row to the values sent; raises with every mismatch, returns {label: value}."""
    bad = []
    got = [normalise(label, have) for (label, _t, _w), have in zip(sent, got)] + list(got[len(sent):])
    for (label, _t, want), have in zip(sent, got):
        if have != want or not isinstance(have, type(want)):
            bad.append(f"{label}: sent {want!r} ({type(want).__name__}), got {have!r} ({type(have).__name__})")
    if len(got) != len(sent):
        bad.append(f"{len(got)} columns for {len(sent)} parameters")
    if bad:
        raise AssertionError("; ".join(bad))
    return {label: plain(v) for (label, _t, _v), v in zip(sent, got)}


def round_trip(fetch: Callable[[list[tuple[str, str, Any]]], list[Any]], normalise: Callable[[str, Any], Any] = lambda _l, v: v, items: list[tuple[str, str, Any]] = ROUND_TRIP) -> dict[str, Any]:
    """Round trip of `items` through `fetch(items) -> row`. When the combined query raises, each
    value is tried alone so that the error names the types that fail."""
    try:
        row = fetch(items)
    except Exception as e:  # noqa: BLE001
        bad = []
        for item in items:
            try:
                compare([item], fetch([item]), normalise)
            except Exception as e1:  # noqa: BLE001
                bad.append(f"{item[0]}: {type(e1).__name__}: {str(e1)[:200]}")
        raise AssertionError(f"{type(e).__name__}: {e} | alone: {'; '.join(bad) or 'each value passes alone'}") from e
    return compare(items, row, normalise)


async def around_trip(fetch: Callable[[list[tuple[str, str, Any]]], Any], normalise: Callable[[str, Any], Any] = lambda _l, v: v, items: list[tuple[str, str, Any]] = ROUND_TRIP) -> dict[str, Any]:
    """round_trip for an async `fetch`."""
    try:
        row = await fetch(items)
    except Exception as e:  # noqa: BLE001
        bad = []
        for item in items:
            try:
                compare([item], await fetch([item]), normalise)
            except Exception as e1:  # noqa: BLE001
                bad.append(f"{item[0]}: {type(e1).__name__}: {str(e1)[:200]}")
        raise AssertionError(f"{type(e).__name__}: {e} | alone: {'; '.join(bad) or 'each value passes alone'}") from e
    return compare(items, row, normalise)


# QF_SKIP_CHECKS=a,b: checks not to run on this server (the test names each skip and its reason).
SKIP = {x.strip() for x in os.environ.get("QF_SKIP_CHECKS", "").split(",") if x.strip()}


class Checks:
    def __init__(self, client: str) -> None:
        self.client = client
        self.results: dict[str, dict[str, Any]] = {}

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        if name in SKIP:
            return None
        try:
            value = fn()
            self.results[name] = {"ok": True, "value": plain(value)}
            return value
        except Exception as e:  # noqa: BLE001 - every failure is a result
            self.results[name] = {"ok": False, "error": f"{type(e).__name__}: {e}".strip()}
            if os.environ.get("QF_DEBUG"):
                traceback.print_exc()
            return None

    async def arun(self, name: str, fn: Callable[[], Any]) -> Any:
        if name in SKIP:
            return None
        try:
            value = await fn()
            self.results[name] = {"ok": True, "value": plain(value)}
            return value
        except Exception as e:  # noqa: BLE001
            self.results[name] = {"ok": False, "error": f"{type(e).__name__}: {e}".strip()}
            if os.environ.get("QF_DEBUG"):
                traceback.print_exc()
            return None

    def fatal(self, e: BaseException) -> None:
        self.results["connect"] = {"ok": False, "error": f"{type(e).__name__}: {e}".strip()}

    def finish(self) -> None:
        failed = [k for k, r in self.results.items() if not r["ok"]]
        print(json.dumps({"client": self.client, "ok": not failed, "checks": self.results}, ensure_ascii=False))
        if failed:
            for k in failed:
                print(f"{self.client}: check {k} failed: {self.results[k]['error']}", file=sys.stderr)
            print(f"{self.client}: {len(failed)} of {len(self.results)} checks failed", file=sys.stderr)
            sys.exit(1)
