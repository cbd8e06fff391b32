"""Tamper-evident logs: each entry's hash covers its content and the previous entry's hash.

Change or delete one entry and every hash after it stops matching, which `verify` reports.
The content is hashed as canonical JSON (sorted keys, no spaces, UTF-8), so the same entry
hashes the same on every machine and database.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def entry_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}:{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    position: int  # 0-based index of the first entry that does not match
    reason: str


def verify(entries: Iterable[tuple[str, str, Mapping[str, Any]]]) -> Break | None:
    """Check a chain of (prev_hash, hash, content) in order; the first break, or None."""
    expected_prev = GENESIS
    for position, (prev_hash, stored_hash, content) in enumerate(entries):
        if prev_hash != expected_prev:
            return Break(position, "liên kết với bản ghi trước không khớp")
        if entry_hash(prev_hash, content) != stored_hash:
            return Break(position, "nội dung đã bị thay đổi")
        expected_prev = stored_hash
    return None
