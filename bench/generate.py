"""A realistic province for benchmarks: N dossiers with their whole history, loaded in minutes.

`make bench-data N=1000000` (or `python -m bench.generate --dossiers N`) drops and creates the
PostgreSQL database of BENCH_DATABASE_URL, migrates it, seeds the demo province with
`egov.demo.seed.seed_demo()` (catalogue, agencies, the demo logins) and calls `generate()`,
which other benchmark code may also call on the current Django connection.

What is realistic
-----------------
* Every dossier lives its life as the engine would have made it, replayed with the rules of
  `egov.dossiers.lifecycle` and `services.effects`: submission (counter, online from a citizen
  account or from the national portal, post), the desk's check, the code and the tracking
  book's row, the fees of the procedure, one process task per step with its share of the
  limit in working time (conditional steps only when the e-form asks for them, the signing
  step, inter-agency steps after it), supplements (at intake and during processing, answered,
  lapsed or withdrawn), financial obligations of land dossiers (the tax transfer, the notice,
  the payment), apologies with a new date, send-backs, stops, withdrawals, refusals, results
  handed over. The state at the anchor ("now") is whatever the story reached by then, so old
  dossiers are finished and recent ones are in every in-between status, in the proportions
  that durations and submission rates give (most returned; some thousands in hand; a tail of
  stuck, overdue ones).
* Times follow the province's working calendar (`orgs.selectors.working_calendar()`, with
  `Clock` doing its arithmetic on integers; the test checks it against `WorkingCalendar`):
  counters work in office hours, citizens submit online at any hour, volume grows over the
  years and online's share with it.
* Codes are `<desk>-<YYMMDD>-<NNNN>`, numbered per desk and day in order of receipt, and book
  numbers per desk and year, as `effects._receipt_numbers` gives them; the
  `DailyCounter` and `BookCounter` rows end where the codes do, so the next real receipt
  continues the numbering. Dossier ids follow submission times (the worklists' newest first).
* Each event is hash-chained exactly as `door._write_event` does (`event_chain_breaks` finds
  no break), and `event_seq`, `event_head` and `version` match the chain.
* The bus went live BUS_DAYS (180) days before the anchor (`--bus-days`): since then every
  event the national portal must hear of, every notice to the applicant (SMS and e-mail, as
  `notifications.channels.offered()` says this deployment sends), the civil status
  registrations and the tax transfers are outbox rows, delivered a second or two later,
  retried through a few partner outages (two still going on at the anchor, so some messages
  are pending), with a few dead letters (and the messages of their dossier waiting behind
  them) in the last weeks. At go-live `portal_resync` queued one message with its history for
  each older dossier. Each try is a message-log row, and so are the counter's look-ups in the
  population database, the tax poll's reads and the national portal's inbound submissions;
  the log is one hash chain in time order ending at `LogHead`, so `manage.py verify_log`
  passes. Payloads delivered more than MOTCUA_OUTBOX_PAYLOAD_DAYS ago are cleared as the
  daily job would have; `PortalSync` and `TaxNotice` rows follow the deliveries. (A bus as
  old as the dossiers, `--bus-days 1100`, about doubles the rows, and the time.)
* People: names, personal IDs consistent with birth year and gender, phones and streets come
  from the demo's generator (`egov.demo.dossiers.People`); applicants come back for other
  dossiers; those who submit online have citizen accounts (VNeID identities, level 2). The
  demo's VNeID persons (`sims.vneid.DEMO_ACCOUNTS`) have dossiers of their own, owned by their
  accounts, so signing in as them shows a long history. The e-forms are the demo's.
* Staff: the demo logins, plus one officer for each role every step needs at every agency
  (`tiepnhan.<commune>`, `chuyenvien.stc`...; the demo password), two more at the province's
  desk, and a second specialist in Long Xuyên whose steps wait for the leader to assign them
  (the "Chưa giao" tab and its `assign` events). Long Xuyên's desk and the province's desk
  receive a good share, so the demo logins' worklists are large.

What is simplified (say so when a benchmark depends on it)
-----------------------------------------------------------
* No files: no `DossierDocument` rows (nothing on disk); the papers a dossier lists
  (`received_papers`) are the procedure's mandatory components, checked in the original at
  the counter, so no dossier is `digitised`. No ratings, drafts, appointments, feedback,
  staff notifications or corrections.
* The dossiers of the past three years are attributed to today's agencies and catalogue
  (the two-tier reform of 1 July 2025 is older than most of them): the catalogue has one
  version per procedure and every dossier keeps it.
* Outbox payloads still held (pending, or delivered within the retention) are shortened
  versions of the real ones; a cleared payload's `payload_sha256` is a stand-in digest. The
  message log keeps digests only (the services all carry personal data). Systems' health
  rows say when each system last answered; the breaker is left closed.
* One officer per role at most agencies, so steps are assigned at once; nobody is ever
  locked out, on leave or reassigned. Staff are written in bulk (one password hash for all,
  the demo's), then `core.reference.reference_changed()`.
* With at least FORCE_FROM dossiers, the first few are steered into each status and case
  (FORCED), so that even a small load (the test's 200) has every status of the lifecycle.

How
---
Plan first (`_plan`, one process): every dossier's submission, desk, procedure, applicant
and intake path, sorted by submission time (the ids) and by receipt per desk (the codes).
Then the stories are played to the anchor CHUNK dossiers at a time, each chunk with its own
random stream, in forked worker processes from PARALLEL_FROM dossiers (`--workers`; the rows
are the same however many); the main process gives the outbox rows their ids, chains the
message log in time order and streams everything to the database: PostgreSQL's COPY through
psycopg 3 (SQLite: multi-row INSERTs, for the tests), all in one transaction. For large loads
on PostgreSQL the big tables are truncated when they (and all that refers to them) are empty,
to take COPY FREEZE (no vacuum needed afterwards), and their secondary indexes, unique and
foreign keys are dropped in that transaction and made again at its end, which checks every
reference and uniqueness once; a failure rolls all of it back, so nothing stays disabled.
Then ANALYZE (VACUUM ANALYZE when the rows are not frozen and no transaction is open).
Deterministic: the same seed, size and anchor give the same rows; the anchor defaults to the
current hour and is printed (`--now`). Where the time goes, per dossier: the stories (~60%,
in Python), PostgreSQL's ingest and index builds (~30%), the plan (~10%).
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import datetime
import gc
import hashlib
import heapq
import json
import math
import os
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench"
SEED = 2026
YEARS = 3.0
# The interconnection bus went live this many days before the anchor: outbox and message-log
# rows exist from then on (and one `portal_resync` message for each older dossier).
BUS_DAYS = 180
# Above this many dossiers PostgreSQL loads without the big tables' indexes and makes them
# again at the end: faster from a few tens of thousands on.
REBUILD_FROM = 20_000
FLUSH_ROWS = 20_000
CHUNK = 2_000  # dossiers played together, with one random stream
PARALLEL_FROM = 50_000  # from this many dossiers the stories play in worker processes
SYSTEMS = ("dvcqg", "sms", "notify", "hotich", "thue", "csdldc")

OFFSET = 7 * 3600  # Asia/Ho_Chi_Minh: +07:00 all year, no daylight saving since 1975
EPOCH = datetime.date(1970, 1, 1).toordinal()
UTC = datetime.UTC

# ------------------------------------------------------------------------------ the shape

PROVINCE_DESK = "000.00.31.H01"
TAX_OFFICE = "000.00.41.H01"
LONG_XUYEN_WARD = 30307
# Relative size of the communes the demo names (ward code: weight); the others draw theirs.
COMMUNE_WEIGHTS = {30307: 30.0, 30316: 10.0, 30628: 8.0, 30742: 10.0, 31078: 7.0}
PROVINCE_SHARE = 0.35  # of dossiers, province-level procedures
# national code → (weight within its level, applicant's age range); others weigh 3 (commune)
# or 2 (province) with ages 20-65. As the demo month weighs them.
PROCEDURE_WEIGHTS = {
    "2.000815": (25, (18, 70)),
    "1.001193": (18, (20, 40)),
    "1.004873": (12, (20, 60)),
    "1.000656": (8, (30, 65)),
    "1.000894": (8, (20, 36)),
    "1.001612": (8, (22, 60)),
    "1.013978": (8, (30, 70)),
    "1.001776": (6, (25, 60)),
    "3.000333": (30, (18, 45)),
    "1.013831": (20, (25, 65)),
    "1.012789": (15, (25, 60)),
    "2.001610": (15, (23, 55)),
    "2.001914": (15, (20, 50)),
    "2.002036": (2, (25, 60)),
}
# Share of applicants who are organisations (type 2 enterprise, 4 other organisation).
ENTERPRISE, OTHER_ORGANISATION = 0.06, 0.02
REPEAT_APPLICANT = 0.3  # a dossier whose applicant had one before
EMAIL_SHARE = 0.3
SUBMITTER_SHARE = 0.08  # submitted at the counter by someone with a power of attorney
ONLINE_FROM, ONLINE_TO = 0.15, 0.5  # online share of online-capable procedures, over the years
NATIONAL_PORTAL = 0.15  # of online dossiers, submitted on the national portal
POSTAL_INTAKE = 0.03
OTHER_DESK = 0.06  # a commune procedure taken in at another commune's desk
PROVINCE_AT_COMMUNE = 0.05  # a province procedure taken in at the applicant's commune desk

# Intake paths: counter/postal, online.
COUNTER_SUPPLEMENT, COUNTER_REFUSE = 0.03, 0.012
ONLINE_SUPPLEMENT, ONLINE_REFUSE, ONLINE_WITHDRAW = 0.07, 0.035, 0.015
# What becomes of a supplement asked at intake: answered, lapsed (refused), withdrawn.
INTAKE_ANSWERED, INTAKE_LAPSED = 0.78, 0.15
# Processing.
WITHDRAW_RECEIVED = 0.003
SUPPLEMENT_IN_PROCESSING = 0.04
SUPPLEMENT_ANSWERED, SUPPLEMENT_LAPSED = 0.8, 0.14
OBLIGATION = 0.8  # of land dossiers reaching the tax office's step
STOP, WITHDRAW = 0.007, 0.008
SEND_BACK = 0.03
APOLOGY = 0.35  # of dossiers about to be late
UNCOLLECTED = 0.008  # results never fetched
# Delivery on the bus.
TRANSIENT_FAILURE = 0.01
REJECTED = 0.0004  # refused for good (dead letter), in the last DEAD_LETTER_DAYS only
DEAD_LETTER_DAYS = 14
# (system, hours before the anchor it started, hours it lasted): partner outages; the one
# with None lasts past the anchor.
OUTAGES = [
    ("dvcqg", 24 * 400, 3.0),
    ("dvcqg", 24 * 160, 0.7),
    ("dvcqg", 24 * 45, 1.5),
    ("dvcqg", 0.35, None),
    ("sms", 24 * 300, 2.0),
    ("sms", 24 * 20, 0.5),
    ("hotich", 24 * 200, 5.0),
    ("hotich", 24 * 9, 1.0),
    ("thue", 24 * 90, 6.0),
    ("thue", 5.0, None),
]
RETRY_BUDGET = 72 * 3600
PAYLOAD_CLEAR_AT = 2 * 3600 + 15 * 60  # the daily clearing job runs at 02:15
LAPSE_JOB_AT = 3600  # the daily lapse job runs at 01:00

REFUSALS = [
    "Thành phần hồ sơ tải lên không phải bản chụp từ bản chính, không đọc được nội dung.",
    "Hồ sơ đã được nộp trùng với một hồ sơ khác đang giải quyết.",
    "Yêu cầu không thuộc thẩm quyền giải quyết của cơ quan tiếp nhận.",
    "Người nộp không xuất trình được giấy tờ tùy thân theo quy định.",
]
SUPPLEMENT_NOTES = [
    "Bản chụp bị mờ, không đọc được số định danh cá nhân.",
    "Thiếu chữ ký của người yêu cầu trên tờ khai.",
    "Thông tin kê khai chưa khớp với Cơ sở dữ liệu quốc gia về dân cư.",
    "Thiếu bản sao giấy tờ chứng minh quyền sử dụng đất.",
]
SUPPLEMENT_ITEMS = [
    ["Tờ khai có chữ ký của người yêu cầu"],
    ["Bản chụp căn cước công dân rõ nét"],
    ["Giấy ủy quyền có chứng thực", "Bản sao sổ hộ khẩu hoặc xác nhận cư trú"],
]
STOP_REASONS = [
    "Qua thẩm định, hồ sơ không đủ điều kiện giải quyết theo quy định.",
    "Kết quả xác minh cho thấy thông tin kê khai không đúng với dữ liệu đang quản lý.",
]
APOLOGY_REASONS = [
    "Hồ sơ phải chờ kết quả xác minh của cơ quan phối hợp nên chưa giải quyết đúng hẹn.",
    "Cơ sở dữ liệu chuyên ngành gặp sự cố kỹ thuật, chưa cập nhật được kết quả.",
    "Số hồ sơ tiếp nhận tăng đột biến, chưa giải quyết kịp thời hạn đã hẹn.",
]
SEND_BACK_NOTES = [
    "Dự thảo kết quả ghi sai ngày sinh, đề nghị kiểm tra lại.",
    "Chưa ghi đầy đủ căn cứ pháp lý, đề nghị hoàn thiện dự thảo.",
]
OBLIGATION_NOTE = (
    "Đề nghị người sử dụng đất nộp tiền sử dụng đất, lệ phí trước bạ theo thông báo của cơ "
    "quan thuế."
)
WITHDRAW_NOTE = "Người yêu cầu có đơn đề nghị rút hồ sơ."
NOTICE_SUBJECTS = {
    "submitted": "Hồ sơ đã được gửi",
    "received": "Hồ sơ đã được tiếp nhận",
    "supplement_requested": "Hồ sơ cần bổ sung",
    "supplement_accepted": "Đã nhận đủ hồ sơ bổ sung",
    "obligation_requested": "Thực hiện nghĩa vụ tài chính",
    "obligation_confirmed": "Đã hoàn thành nghĩa vụ tài chính",
    "apology": "Thư xin lỗi và hẹn lại ngày trả kết quả",
    "result_ready": "Đã có kết quả giải quyết",
    "returned": "Đã trả kết quả",
    "refused": "Hồ sơ không được tiếp nhận",
    "stopped": "Dừng giải quyết hồ sơ",
    "withdrawn": "Hồ sơ đã được rút",
}
NOTICE_BY_ACTION = {
    "receive": "received",
    "request_supplement": "supplement_requested",
    "request_obligation": "obligation_requested",
    "confirm_obligation": "obligation_confirmed",
    "apologize": "apology",
    "return_result": "returned",
    "refuse": "refused",
    "stop": "stopped",
    "withdraw": "withdrawn",
}
# Statuses `generate` makes sure of (at least one dossier each) once there are enough dossiers.
FORCED = (
    "submitted",
    "intake_supplement",
    "refused",
    "withdrawn",
    "stopped",
    "processing",
    "received",
    "supplement",
    "obligation",
    "result_ready",
    "apology",
    "returned",
)
FORCE_FROM = 60


OPEN = object()  # Story.event's default step: the task open now


class Cut(Exception):
    """The story reached the anchor: the dossier stays where it is."""


# ------------------------------------------------------------------------------ the clock


class Clock:
    """`WorkingCalendar`'s arithmetic on integer instants (seconds since the epoch, UTC) for
    the days between `first` and `last`: the same results (tests/bench checks them against
    the calendar), a hundred times faster, by numbering working minutes from `first`.

    A working instant is W = (index of its working day) x 480 + working minutes before it that
    day; an instant out of working time counts from the next opening, and W -> instant maps a
    whole day's end to the segment's end (a deadline at 17:00 stays at 17:00)."""

    def __init__(self, calendar: Any, first: datetime.date, last: datetime.date) -> None:
        spans = [(s.hour * 60 + s.minute, e.hour * 60 + e.minute) for s, e in calendar.segments]
        for day in (first, last):
            offset = calendar.tz.utcoffset(datetime.datetime.combine(day, datetime.time(12)))
            if offset != datetime.timedelta(seconds=OFFSET):
                raise ValueError(f"Clock assumes UTC+07:00 all year; the calendar is {offset}")
        self.day = calendar.day_minutes
        self.end = spans[-1][1]
        self.first = first.toordinal()
        count = last.toordinal() - self.first + 1
        self.working = [
            calendar.is_working_day(datetime.date.fromordinal(self.first + i)) for i in range(count)
        ]
        self.days: list[int] = []
        self.index: list[int] = []  # index of the first working day on or after each day
        pending: list[int] = []
        for i, worked in enumerate(self.working):
            pending.append(i)
            if worked:
                self.index.extend([len(self.days)] * len(pending))
                pending = []
                self.days.append(self.first + i)
        self.index += [len(self.days)] * len(pending)  # past the last working day: unused
        self.elapsed = [sum(min(max(m, s), e) - s for s, e in spans) for m in range(1441)]
        self.minute_at = [0] * (self.day + 1)
        for elapsed in range(1, self.day + 1):
            left = elapsed
            for s, e in spans:
                if left <= e - s:
                    self.minute_at[elapsed] = s + left
                    break
                left -= e - s

    def w(self, ts: int) -> int:
        local = ts + OFFSET
        i = local // 86400 + EPOCH - self.first
        minute = (local % 86400) // 60
        if self.working[i]:
            if minute < self.end:
                return self.index[i] * self.day + self.elapsed[minute]
            return (self.index[i] + 1) * self.day
        return self.index[i] * self.day

    def at(self, w: int) -> int:
        k = (w - 1) // self.day
        return (self.days[k] - EPOCH) * 86400 + self.minute_at[w - k * self.day] * 60 - OFFSET

    def add(self, ts: int, minutes: int) -> int:
        """`add_working_time`: the instant `minutes` working minutes after `ts`."""
        if minutes <= 0:
            return ts
        return self.at(self.w(ts) + minutes)

    def between(self, a: int, b: int) -> int:
        """`working_minutes_between`."""
        return max(0, self.w(b) - self.w(a))

    def due(self, ts: int, value: Decimal, unit: str) -> int:
        """`due_time`: the due time of a limit counted from `ts`."""
        if unit == "hours":
            return self.add(ts, _minutes(value * 60))
        if unit == "working_days":
            return self.add(ts, _minutes(value * 8 * 60))
        count = int(value)
        first = self.days[self.w(ts) // self.day]
        if unit == "days":
            last = first + count
        else:
            day = datetime.date.fromordinal(first)
            months = day.month - 1 + count
            year, month = day.year + months // 12, months % 12 + 1
            last = _month_day(year, month, day.day).toordinal()
        i = last - self.first
        if not self.working[i]:
            last = self.days[self.index[i]]
        return (last - EPOCH) * 86400 + self.end * 60 - OFFSET

    def local_day(self, ts: int) -> int:
        """The ordinal of the local date of `ts`."""
        return (ts + OFFSET) // 86400 + EPOCH


def _minutes(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _month_day(year: int, month: int, day: int) -> datetime.date:
    while True:
        try:
            return datetime.date(year, month, day)
        except ValueError:
            day -= 1


class Stamps:
    """Instants as text: for the database (UTC; PostgreSQL gets the offset, SQLite the naive
    UTC text Django writes), the chains (`isoformat()` in UTC), the payloads (local time)."""

    def __init__(self, *, sqlite: bool) -> None:
        self.suffix = "" if sqlite else "+00"
        self.hms = [
            f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)
        ]
        self.dates: dict[int, str] = {}

    def date(self, epoch_day: int) -> str:
        text = self.dates.get(epoch_day)
        if text is None:
            text = self.dates[epoch_day] = datetime.date.fromordinal(epoch_day + EPOCH).isoformat()
        return text

    def db(self, ts: int | None) -> str | None:
        if ts is None:
            return None
        day = ts // 86400
        return f"{self.dates.get(day) or self.date(day)} {self.hms[ts % 86400]}{self.suffix}"

    def iso(self, ts: int) -> str:
        return f"{self.date(ts // 86400)}T{self.hms[ts % 86400]}+00:00"

    def pair(self, ts: int) -> tuple[str, str]:
        """(the database's text, `isoformat()` in UTC) of one instant."""
        day = ts // 86400
        date = self.dates.get(day) or self.date(day)
        hms = self.hms[ts % 86400]
        return f"{date} {hms}{self.suffix}", f"{date}T{hms}+00:00"

    def local(self, ts: int) -> str:
        local = ts + OFFSET
        day = local // 86400
        return f"{self.dates.get(day) or self.date(day)}T{self.hms[local % 86400]}+07:00"

    def portal(self, ts: int | None) -> str:
        if ts is None:
            return ""
        local = ts + OFFSET
        return self.date(local // 86400).replace("-", "") + self.hms[local % 86400].replace(":", "")

    def day(self, ordinal: int) -> str:
        return self.date(ordinal - EPOCH)


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode
_quote = json.JSONEncoder(ensure_ascii=False).encode


class Raw(str):
    """A JSON text already in canonical form (sorted keys, no spaces)."""

    __slots__ = ()


def _canonical(payload: dict[str, Any]) -> str:
    """`json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`,
    faster for the event payloads, whose parts are mostly `Raw` already (the test checks
    the chains the two make are the same)."""
    parts = []
    for key in sorted(payload):
        value = payload[key]
        kind = type(value)
        if kind is Raw:
            parts.append(f'"{key}":{value}')
        elif kind is str:
            parts.append(f'"{key}":{_string(value)}')
        elif kind is bool:
            parts.append(f'"{key}":{"true" if value else "false"}')
        elif kind is int:
            parts.append(f'"{key}":{value}')
        else:
            parts.append(f'"{key}":{_encode(value)}')
    return "{" + ",".join(parts) + "}"


def _string(text: str) -> str:
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return _quote(text)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


_SPREAD = 0x9E3779B97F4A7C15F39CC0605CEDC8341082276BF3A27251F86C6A11D0C18E95
_MASK = (1 << 256) - 1


def _pseudo_digest(n: int) -> str:
    """64 hex digits that look like a SHA-256, for a body or payload never built."""
    return f"{(n * _SPREAD) & _MASK:064x}"


# ------------------------------------------------------------------------------ the sink


@dataclass
class Table:
    name: str
    columns: list[str]
    extras: tuple[Any, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    written: int = 0
    chunk: list[tuple[Any, ...]] = field(default_factory=list)  # a chunk's rows, being played


@dataclass
class ChunkResult:
    index: int
    rows: dict[str, list[tuple[Any, ...]]]
    logs: list[tuple[int, int, tuple[Any, ...]]]
    outboxes: int
    health: dict[str, list[Any]]


_PLAYING: Any = None  # the generator whose chunks forked workers play


def _play_chunk(index: int) -> ChunkResult:
    chunk: ChunkResult = _PLAYING._chunk(index)
    return chunk


class Sink:
    """Rows to tables: COPY on PostgreSQL, multi-row INSERTs elsewhere, in batches."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.tables: dict[str, Table] = {}
        self.freeze: set[str] = set()

    def table(self, model: Any, columns: list[str]) -> Table:
        """The model's table with these columns; any other column of the model (one added
        since this file was written) gets its default, or the load stops saying which."""
        from django.db.models import NOT_PROVIDED

        extras: list[Any] = []
        names = list(columns)
        for model_field in model._meta.concrete_fields:
            column = model_field.column
            if column in columns:
                continue
            if getattr(model_field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
                continue
            if model_field.primary_key:
                continue
            if model_field.has_default():
                value = model_field.get_default()
                if isinstance(value, dict | list):
                    value = _encode(value)
            elif model_field.null:
                value = None
            else:
                raise RuntimeError(
                    f"bench/generate.py does not fill {model._meta.db_table}.{column}: add it"
                )
            names.append(column)
            extras.append(value)
        table = Table(model._meta.db_table, names, tuple(extras))
        self.tables[table.name] = table
        return table

    def add(self, table: Table, row: tuple[Any, ...]) -> None:
        """Queue a row; `tick` writes the tables that have enough."""
        table.rows.append(row)

    def tick(self) -> None:
        for table in self.tables.values():
            if len(table.rows) >= FLUSH_ROWS:
                self.flush(table)

    def flush(self, table: Table) -> None:
        rows = table.rows
        if not rows:
            return
        table.rows = []
        table.written += len(rows)
        extras = table.extras
        columns = ", ".join(f'"{c}"' for c in table.columns)
        with self.connection.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor
                freeze = " WITH (FREEZE)" if table.name in self.freeze else ""
                with raw.copy(f'COPY "{table.name}" ({columns}) FROM STDIN{freeze}') as copy:
                    if extras:
                        for row in rows:
                            copy.write_row(row + extras)
                    else:
                        for row in rows:
                            copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(table.columns))
                # The models' own table and column names.
                sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})'  # noqa: S608
                cursor.executemany(sql, [row + extras for row in rows] if extras else rows)

    def flush_all(self) -> None:
        for table in self.tables.values():
            self.flush(table)


# ------------------------------------------------------------------------------ the world


@dataclass
class Step:
    name: str
    agency_id: int | None  # a named agency
    kind: str  # or the kind the dossier resolves: its desk or its commune's committee
    role: str
    minutes: int
    hours: str
    when: str


@dataclass
class Proc:
    id: int
    revision_id: int
    version: int
    code: str
    name: str
    sector: str
    sector_name: str
    province: bool
    competent_id: int | None
    steps: list[Step]
    fees: list[tuple[str, str, str, int]]
    papers_counter: str
    papers_other: str
    limit: tuple[Decimal, str]
    online_limit: tuple[Decimal, str] | None
    supplement_limit: tuple[Decimal, str]
    online: str
    postal_intake: bool
    postal_return: bool
    weight: float
    ages: tuple[int, int]
    form: Callable[[Any], dict[str, Any]] | None
    civil_module: str | None
    tax_position: int
    signing: int = 0

    @property
    def fee_total(self) -> int:
        return sum(fee[3] for fee in self.fees)


@dataclass
class Desk:
    id: int
    code: str
    name: str
    ward: int | None  # None: the province's desk
    committee_id: int | None
    place: str
    receptionists: list[int]
    reception_weights: list[float]


@dataclass
class Commune:
    ward: int
    committee_id: int
    committee_code: str
    desk_index: int
    place: str
    prefix: str


class Person:
    """An applicant (or the person an organisation acts through)."""

    __slots__ = (
        "birth",
        "contact",
        "email",
        "fold",
        "gender",
        "id_number",
        "level",
        "mail_key",
        "mobile",
        "name",
        "phone",
        "sms_key",
        "street",
        "user_id",
        "username",
        "ward",
    )

    def __init__(self, demo: Any, street: str, ward: int, email: str) -> None:
        self.name: str = demo.name
        self.gender: str = demo.gender
        self.birth: datetime.date = demo.birth
        self.id_number: str = demo.id_number
        self.phone: str = demo.phone
        self.street = street
        self.ward = ward
        self.email = email
        self.user_id: int | None = None
        self.username = ""
        self.level = 2
        self.contact = False
        self.fold = ""
        self.mobile: str | None = None
        self.sms_key = ""
        self.mail_key = ""


class Staff:
    """Who holds which role where, and how the event log names them."""

    def __init__(self) -> None:
        self.holders: dict[tuple[int, str], list[int]] = {}
        self.usernames: dict[int, str] = {}
        self.names: dict[int, str] = {}
        self.titles: dict[int, dict[int, str]] = {}
        self._labels: dict[tuple[int | None, tuple[int, ...]], tuple[str, str]] = {}

    def one(self, agency_id: int, role: str) -> int | None:
        """The one holder of a role at an agency (the step's assignee), None if not one."""
        holders = self.holders.get((agency_id, role), [])
        return holders[0] if len(holders) == 1 else None

    def any(self, agency_id: int, role: str, rng: random.Random) -> int:
        holders = self.holders[(agency_id, role)]
        return holders[0] if len(holders) == 1 else rng.choice(holders)

    def label(self, user_id: int | None, agencies: tuple[int, ...]) -> tuple[str, str]:
        """`selectors.officer_label` (the label and its JSON text, for the chain)."""
        key = (user_id, agencies)
        found = self._labels.get(key)
        if found is None:
            if user_id is None:
                text = "Hệ thống"
            else:
                titles = self.titles.get(user_id, {})
                title = next((titles[a] for a in agencies if titles.get(a)), "")
                name = self.names[user_id]
                text = f"{name}, {title}" if title else name
            found = self._labels[key] = (text, json.dumps(text, ensure_ascii=False))
        return found


# ------------------------------------------------------------------------------ the plan


class Head:
    """What the plan decides of a dossier before its story is played."""

    __slots__ = (
        "applicant_type",
        "book",
        "channel",
        "code",
        "commune",
        "desk",
        "force",
        "intake",
        "national",
        "org",
        "owner",
        "person",
        "pk",
        "proc",
        "received",
        "receiver",
        "submitted",
        "submitter",
        "times",
    )

    def __init__(self) -> None:
        self.pk = 0
        self.submitted = 0
        self.proc: Proc
        self.commune: Commune
        self.person: Person
        self.applicant_type = 1
        self.desk = 0  # index in Generator.desks
        self.channel = "counter"
        self.owner: int | None = None
        self.receiver = 0  # the reception officer who takes it in (user id)
        self.intake = "R"
        self.times: list[Any] = []
        self.code: str | None = None
        self.book: int | None = None
        self.received: int | None = None
        self.force = ""
        self.submitter: Person | None = None
        self.org: tuple[str, str] | None = None
        self.national = ""


@dataclass
class Report:
    dossiers: int
    seconds: float
    anchor: datetime.datetime
    counts: dict[str, int]

    def text(self) -> str:
        width = max(len(name) for name in self.counts)
        lines = [f"  {name:<{width}}  {count:>12,}" for name, count in self.counts.items()]
        return (
            f"{self.dossiers:,} dossiers generated in {self.seconds:,.0f} s "
            f"(anchor --now {self.anchor.isoformat()})\n" + "\n".join(lines)
        )


class Progress:
    """A progress line on stderr: `\r dossiers 420,000/1,000,000  42%  35 s`."""

    def __init__(self, enabled: bool, started: float) -> None:
        self.enabled = enabled
        self.started = started
        self.shown = 0.0

    def show(self, what: str, done: int, total: int, *, final: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if not final and now - self.shown < 0.5:
            return
        self.shown = now
        share = 100 * done // total if total else 100
        sys.stderr.write(
            f"\r {what} {done:,}/{total:,}  {share:3d}%  {now - self.started:,.0f} s   "
        )
        if final:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def say(self, what: str) -> None:
        if self.enabled:
            now = time.perf_counter()
            sys.stderr.write(f" {what}  {now - self.started:,.0f} s\n")
            sys.stderr.flush()


def generate(
    dossiers: int,
    *,
    seed: int = SEED,
    progress: bool = True,
    now: datetime.datetime | None = None,
    years: float = YEARS,
    bus_days: float | None = BUS_DAYS,
    rebuild_indexes: bool | None = None,
    workers: int | None = None,
) -> Report:
    """Add `dossiers` dossiers with their history to the current database, which must hold
    the demo province (`egov.demo.seed.seed_demo()`). Works on the current Django connection,
    in one transaction; call it outside any. `now` is the anchor (default: the current hour);
    `rebuild_indexes` (default: on PostgreSQL from REBUILD_FROM dossiers) loads the big
    tables without their secondary indexes and foreign keys and makes them again."""
    started = time.perf_counter()
    anchor = now or datetime.datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    if anchor.tzinfo is None:
        raise ValueError("generate(now=...) needs an aware datetime")
    generator = Generator(
        dossiers=dossiers,
        seed=seed,
        anchor=anchor,
        years=years,
        bus_days=bus_days,
        workers=workers,
        progress=Progress(progress, started),
    )
    generator.run(rebuild_indexes=rebuild_indexes)
    return Report(
        dossiers=dossiers,
        seconds=time.perf_counter() - started,
        anchor=anchor.astimezone(datetime.timezone(datetime.timedelta(seconds=OFFSET))),
        counts=table_counts(),
    )


def table_counts() -> dict[str, int]:
    """Rows per table of what the generator writes."""
    from django.contrib.auth import get_user_model

    from egov.accounts.models import CitizenIdentity
    from egov.dossiers.models import (
        Apology,
        BookCounter,
        DailyCounter,
        Dossier,
        DossierEvent,
        DossierFee,
        ProcessTask,
        SupplementRequest,
    )
    from egov.interop.models import MessageLog, OutboxMessage, PortalSync, TaxNotice
    from egov.orgs.models import Membership

    models: list[Any] = [
        Dossier,
        DossierEvent,
        ProcessTask,
        DossierFee,
        SupplementRequest,
        Apology,
        DailyCounter,
        BookCounter,
        OutboxMessage,
        MessageLog,
        PortalSync,
        TaxNotice,
        get_user_model(),
        CitizenIdentity,
        Membership,
    ]
    return {model._meta.db_table: model._default_manager.count() for model in models}


# ------------------------------------------------------------------------------ generator


class Generator:
    def __init__(
        self,
        *,
        dossiers: int,
        seed: int,
        anchor: datetime.datetime,
        years: float,
        bus_days: float | None,
        workers: int | None,
        progress: Progress,
    ) -> None:
        from django.db import connection

        self.total = dossiers
        self.seed = seed
        self.anchor = int(anchor.timestamp())
        self.start = self.anchor - int(years * 365.25 * 86400)
        self.bus_from = 0 if bus_days is None else self.anchor - int(bus_days * 86400)
        if workers is None:
            workers = (os.cpu_count() or 1) if dossiers >= PARALLEL_FROM else 1
        self.workers = workers if sys.platform != "win32" else 1
        self.progress = progress
        self.connection = connection
        self.sqlite = connection.vendor == "sqlite"
        self.stamps = Stamps(sqlite=self.sqlite)
        self.sink = Sink(connection)

    # ------------------------------------------------------------------ setting up

    def run(self, *, rebuild_indexes: bool | None) -> None:
        from django.db import transaction

        postgres = self.connection.vendor == "postgresql"
        rebuild = postgres and (
            rebuild_indexes if rebuild_indexes is not None else self.total >= REBUILD_FROM
        )
        gc_was = gc.isenabled()
        gc.disable()  # millions of small objects and no cycles worth collecting meanwhile
        try:
            with transaction.atomic():
                self._load_world()
                self._tables()
                if postgres:
                    self._session()
                self.frozen = self._truncate_for_freeze() if rebuild else False
                dropped = self._drop_indexes() if rebuild else []
                heads = self._plan()
                self._play(heads, self.workers)
                self.sink.flush_all()
                self._counters()
                self._finish_bus()
                if dropped:
                    self._restore_indexes(dropped)
                self._sequences()
            self._analyze()
        finally:
            if gc_was:
                gc.enable()

    def _session(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cursor.execute("SET LOCAL work_mem = '256MB'")

    def _load_world(self) -> None:
        from egov.catalog.models import Procedure
        from egov.dossiers.selectors import is_immediate_result
        from egov.interop.adapters.civil_status import module_for
        from egov.interop.models import LogHead, SystemService
        from egov.notifications.channels import offered
        from egov.orgs.models import Agency, AgencyKind
        from egov.orgs.selectors import working_calendar

        agencies = {a.id: a for a in Agency.objects.filter(valid_to__isnull=True)}
        self.agencies = agencies
        self.agency_codes = {pk: agency.code for pk, agency in agencies.items()}
        by_code = {a.code: a for a in agencies.values()}
        if PROVINCE_DESK not in by_code:
            raise RuntimeError(
                "The demo province is missing: run egov.demo.seed.seed_demo() first."
            )
        calendar = working_calendar()
        first = datetime.date.fromordinal((self.start + OFFSET) // 86400 + EPOCH - 40)
        last = datetime.date.fromordinal((self.anchor + OFFSET) // 86400 + EPOCH + 800)
        self.clock = Clock(calendar, first, last)
        self.calendar = calendar
        self.offered = offered()

        world_rng = random.Random(self.seed * 7 + 1)  # noqa: S311 - repeatable test data
        committees = sorted(
            (a for a in agencies.values() if a.kind == AgencyKind.COMMUNE_COMMITTEE),
            key=lambda a: a.ward_code or 0,
        )
        centers = {
            a.parent_id: a for a in agencies.values() if a.kind == AgencyKind.COMMUNE_SERVICE_CENTER
        }
        province_desk = by_code[PROVINCE_DESK]
        self.desks: list[Desk] = [
            Desk(province_desk.id, province_desk.code, province_desk.name, None, None, "", [], [])
        ]
        self.communes: list[Commune] = []
        weights: list[float] = []
        for committee in committees:
            center = centers.get(committee.id)
            if center is None or committee.ward_code is None:
                continue
            place = committee.name.removeprefix("Ủy ban nhân dân ")
            self.desks.append(
                Desk(
                    center.id,
                    center.code,
                    center.name,
                    committee.ward_code,
                    committee.id,
                    place,
                    [],
                    [],
                )
            )
            prefix = "091" if world_rng.random() < 0.4 else "089"
            if committee.ward_code in (30742, 31078):
                prefix = "091"
            elif committee.ward_code in COMMUNE_WEIGHTS:
                prefix = "089"
            self.communes.append(
                Commune(
                    committee.ward_code,
                    committee.id,
                    committee.code,
                    len(self.desks) - 1,
                    place,
                    prefix,
                )
            )
            weights.append(
                COMMUNE_WEIGHTS.get(committee.ward_code) or world_rng.lognormvariate(1.0, 0.5)
            )
        if not self.communes:
            raise RuntimeError("No commune with a service center: seed the demo province first.")
        self.commune_cum = _cumulative(weights)
        self.commune_by_ward = {c.ward: c for c in self.communes}

        self.procs: list[Proc] = []
        from egov.demo.dossiers import FORMS

        for procedure in Procedure.objects.select_related("sector").order_by("national_code"):
            revision = procedure.revisions.get(version=procedure.version)
            content = revision.content
            if is_immediate_result(content):
                continue  # none in the demo catalogue; their result is given at the desk
            steps = []
            for step in content["steps"]:
                agency_id = by_code[step["agency"]].id if step.get("agency") else None
                hours = Decimal(str(step["hours"]))
                steps.append(
                    Step(
                        step["name"],
                        agency_id,
                        step.get("agency_kind", ""),
                        step["role"],
                        _minutes(hours * 60),
                        f"{hours:.2f}",
                        step.get("when", ""),
                    )
                )
            mandatory = [d for d in content["documents"] if d.get("mandatory", True)]
            papers = [
                {
                    "component": d["code"],
                    "name": d["name"],
                    "copy_kind": d.get("copy_kind") or "copy",
                    "quantity": int(d.get("quantity") or 1),
                }
                for d in mandatory
            ]
            counter_papers = [
                {**p, "copy_kind": "original", "quantity": 1, "received_as": "original_checked"}
                for p in papers
            ]
            weight, ages = PROCEDURE_WEIGHTS.get(
                procedure.national_code, (2 if procedure.level == "province" else 3, (20, 65))
            )
            supplement = content.get("supplement_time_limit") or {
                "value": 15,
                "unit": "working_days",
            }
            online_limit = content.get("online_time_limit")
            tax_position = 0
            if procedure.national_code in ("1.013978", "1.013831"):
                tax_position = next(
                    (i for i, s in enumerate(content["steps"], 1) if s.get("agency") == TAX_OFFICE),
                    0,
                )
            self.procs.append(
                Proc(
                    id=procedure.id,
                    revision_id=revision.id,
                    version=procedure.version,
                    code=procedure.national_code,
                    name=procedure.name,
                    sector=procedure.sector.code,
                    sector_name=procedure.sector.name,
                    province=procedure.level == "province",
                    competent_id=procedure.competent_agency_id,
                    steps=steps,
                    fees=[
                        (f["code"], f["name"], f["kind"], int(f["amount"])) for f in content["fees"]
                    ],
                    papers_counter=_encode(counter_papers),
                    papers_other=_encode(papers),
                    limit=(
                        Decimal(str(content["time_limit"]["value"])),
                        content["time_limit"]["unit"],
                    ),
                    online_limit=(Decimal(str(online_limit["value"])), online_limit["unit"])
                    if online_limit
                    else None,
                    supplement_limit=(Decimal(str(supplement["value"])), supplement["unit"]),
                    online=procedure.online_level,
                    postal_intake=procedure.postal_intake,
                    postal_return=procedure.postal_return,
                    weight=float(weight),
                    ages=ages,
                    form=FORMS.get(procedure.national_code)
                    or EXTRA_FORMS.get(procedure.national_code),
                    civil_module=module_for(procedure),
                    tax_position=tax_position,
                )
            )
        province = [p for p in self.procs if p.province]
        commune = [p for p in self.procs if not p.province]
        if not province or not commune:
            raise RuntimeError(
                "The demo catalogue is missing: run egov.demo.seed.seed_demo() first."
            )
        self.province_procs, self.commune_procs = province, commune
        self.province_cum = _cumulative([p.weight for p in province])
        self.commune_cum_p = _cumulative([p.weight for p in commune])

        self._staff(world_rng)
        storage = {}
        from django.conf import settings

        for service in SystemService.objects.all():
            storage[service.code] = (
                settings.MOTCUA_LGSP_PERSONAL_BODIES if service.personal_data else "plain"
            )
        self.storage = storage
        head = LogHead.objects.filter(pk=1).first()
        self.log_seq = head.seq if head else 0
        from egov.core.hashchain import GENESIS

        self.log_hash = (head.hash if head else "") or GENESIS
        self.genesis = GENESIS
        self.outages: dict[str, list[tuple[int, int]]] = {}
        for system, hours_before, lasting in OUTAGES:
            begin = self.anchor - int(hours_before * 3600)
            end = self.anchor + 10 * 86400 if lasting is None else begin + int(lasting * 3600)
            self.outages.setdefault(system, []).append((begin, end))

    def _staff(self, rng: random.Random) -> None:
        """The demo logins, and an officer for every role a step needs where none is."""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password

        from egov.demo.agencies import officer_title
        from egov.demo.dossiers import People, _ascii
        from egov.demo.seed import DEMO_PASSWORD
        from egov.orgs.models import Membership

        user_model = get_user_model()
        staff = Staff()
        memberships = Membership.objects.filter(active=True).select_related("user").order_by("pk")
        for m in memberships:
            staff.holders.setdefault((m.agency_id, m.role), []).append(m.user_id)
        wanted: list[tuple[int, str, str]] = []  # agency id, role, username

        def need(agency_id: int, role: str, username: str, *, extra: bool = False) -> None:
            if extra or not staff.holders.get((agency_id, role)):
                wanted.append((agency_id, role, username))
                staff.holders.setdefault((agency_id, role), []).append(-len(wanted))

        slugs: dict[str, int] = {}
        for desk in self.desks[1:]:
            slug = "".join(ch for ch in _ascii(desk.place).lower() if ch.isalnum())
            slug = slug.removeprefix("phuong").removeprefix("xa").removeprefix("dackhu")
            if slug in slugs:
                slug = f"{slug}{desk.ward}"
            slugs[slug] = desk.id
            need(desk.id, "reception", f"tiepnhan.{slug}")
            for role, prefix in (
                ("specialist", "chuyenvien"),
                ("leader", "lanhdao"),
                ("clerk", "vanthu"),
            ):
                need(_some(desk.committee_id), role, f"{prefix}.{slug}")
            if desk.ward == LONG_XUYEN_WARD:
                need(_some(desk.committee_id), "specialist", f"chuyenvien2.{slug}", extra=True)
        province_desk = self.desks[0]
        need(province_desk.id, "reception", "tiepnhan.tinh")
        need(province_desk.id, "reception", "tiepnhan2.tinh", extra=True)
        need(province_desk.id, "reception", "tiepnhan3.tinh", extra=True)
        prefixes = {"specialist": "chuyenvien", "leader": "lanhdao", "clerk": "vanthu"}
        for proc in self.procs:
            roles = {
                (s.agency_id, s.role) for s in proc.steps if s.agency_id and s.role in prefixes
            }
            if proc.competent_id:
                roles.add((proc.competent_id, "leader"))
            for agency_id, role in sorted(roles):
                short = "".join(
                    ch for ch in _ascii(self.agencies[agency_id].short_name).lower() if ch.isalnum()
                )
                need(agency_id, role, f"{prefixes[role]}.{short}")

        existing = set(
            user_model.objects.filter(username__in=[w[2] for w in wanted]).values_list(
                "username", flat=True
            )
        )
        people = People(rng)
        password = make_password(DEMO_PASSWORD)  # one hash for all: the demo password
        by_name = {u.username: u for u in user_model.objects.filter(username__in=sorted(existing))}
        new_users = []
        for _, _, username in wanted:
            if username in by_name:
                continue
            user = user_model(
                username=username,
                password=password,
                first_name=people.name(rng.choice(["male", "female"])),
                email=f"{username}@example.vn",
                is_active=True,
            )
            by_name[username] = user
            new_users.append(user)
        user_model.objects.bulk_create(new_users)
        by_name.update(
            {u.username: u for u in user_model.objects.filter(username__in=[w[2] for w in wanted])}
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    user=by_name[username],
                    agency_id=agency_id,
                    role=role,
                    title=officer_title(self.agencies[agency_id].code, role),
                    active=True,
                )
                for agency_id, role, username in wanted
            ],
            ignore_conflicts=True,
        )
        if wanted:
            from egov.core.reference import reference_changed

            reference_changed()  # in bulk, without signals: say the staff's roles changed
        staff.holders = {}
        for m in Membership.objects.filter(active=True).select_related("user").order_by("pk"):
            staff.holders.setdefault((m.agency_id, m.role), []).append(m.user_id)
            staff.usernames[m.user_id] = m.user.username
            staff.names[m.user_id] = " ".join(m.user.get_full_name().split()) or m.user.username
            if m.title.strip():
                staff.titles.setdefault(m.user_id, {})[m.agency_id] = " ".join(m.title.split())
        self.staff = staff
        demo_reception = {
            u: i for i, u in enumerate(["tiepnhan.tinh", "tiepnhan2.tinh", "tiepnhan3.tinh"])
        }
        for desk in self.desks:
            desk.receptionists = list(staff.holders.get((desk.id, "reception"), []))
            desk.reception_weights = _cumulative(
                [
                    3.0 if demo_reception.get(staff.usernames[u]) == 0 else 1.0
                    for u in desk.receptionists
                ]
            )
            if not desk.receptionists:
                raise RuntimeError(f"No reception officer at {desk.code}")

    def _tables(self) -> None:
        from django.contrib.auth import get_user_model

        from egov.accounts.models import CitizenIdentity
        from egov.dossiers.models import (
            Apology,
            Dossier,
            DossierEvent,
            DossierFee,
            ProcessTask,
            SupplementRequest,
        )
        from egov.interop.models import MessageLog, OutboxMessage, PortalSync, TaxNotice

        sink = self.sink
        self.t_dossier = sink.table(Dossier, DOSSIER_COLUMNS)
        self.t_event = sink.table(
            DossierEvent,
            [
                "dossier_id",
                "seq",
                "action",
                "from_status",
                "to_status",
                "actor_id",
                "actor_label",
                "at",
                "note",
                "payload",
                "prev_hash",
                "hash",
            ],
        )
        task_columns = [
            "dossier_id",
            "position",
            "name",
            "agency_id",
            "role",
            "assignee_id",
            "hours",
            "started_at",
            "due_at",
            "finished_at",
            "outcome",
            "due_soon",
            "overdue",
        ]
        # A step at an agency that is neither the desk nor the competent body, where the
        # model marks it (what `policies.visible_q` reads for inter-agency steps).
        self.task_elsewhere = any(f.name == "elsewhere" for f in ProcessTask._meta.concrete_fields)
        if self.task_elsewhere:
            task_columns.append("elsewhere")
        self.t_task = sink.table(ProcessTask, task_columns)
        self.t_fee = sink.table(DossierFee, ["dossier_id", "code", "name", "kind", "amount"])
        self.t_supplement = sink.table(
            SupplementRequest,
            [
                "dossier_id",
                "at_intake",
                "reason",
                "items",
                "requested_at",
                "requested_by_id",
                "deadline",
                "answered_at",
                "completed_at",
                "superseded",
            ],
        )
        self.t_apology = sink.table(
            Apology,
            ["dossier_id", "reason", "at", "by_id", "original_due_at", "new_due_at", "late_notice"],
        )
        self.t_outbox = sink.table(
            OutboxMessage,
            [
                "id",
                "system",
                "topic",
                "ordering_key",
                "idempotency_key",
                "payload",
                "payload_sha256",
                "payload_cleared_at",
                "status",
                "attempts",
                "next_attempt_at",
                "leased_until",
                "lease_owner",
                "retry_from",
                "last_status",
                "last_error",
                "created_at",
                "delivered_at",
                "dead_at",
                "replays",
            ],
        )
        self.t_log = sink.table(
            MessageLog,
            [
                "seq",
                "at",
                "direction",
                "system",
                "service",
                "party",
                "idempotency_key",
                "outbox_id",
                "request_digest",
                "request_body",
                "response_status",
                "response_code",
                "response_digest",
                "response_body",
                "body_storage",
                "duration_ms",
                "outcome",
                "prev_hash",
                "hash",
            ],
        )
        self.t_sync = sink.table(
            PortalSync,
            ["dossier_id", "queued_seq", "synced_seq", "state", "synced_at", "last_error"],
        )
        self.t_tax = sink.table(
            TaxNotice, ["dossier_id", "transfer_id", "number", "total", "due_date", "recorded_at"]
        )
        self.t_user = sink.table(
            get_user_model(),
            [
                "id",
                "password",
                "last_login",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
        )
        self.t_identity = sink.table(
            CitizenIdentity,
            [
                "user_id",
                "subject",
                "kind",
                "level",
                "id_number",
                "full_name",
                "birth_date",
                "gender",
                "phone",
                "email",
                "address",
                "ward_code",
                "org_tax_code",
                "org_name",
                "last_sign_in",
                "created_at",
            ],
        )
        self.big_tables = [
            self.t_dossier.name,
            self.t_event.name,
            self.t_task.name,
            self.t_fee.name,
            self.t_outbox.name,
            self.t_log.name,
            self.t_sync.name,
        ]

    def _next_ids(self) -> None:
        from django.contrib.auth import get_user_model

        from egov.dossiers.models import Dossier
        from egov.interop.models import OutboxMessage

        def last(model: Any) -> int:
            return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

        self.next_dossier = last(Dossier) + 1
        self.outbox_id = last(OutboxMessage) + 1
        self.next_user = last(get_user_model()) + 1

    # ------------------------------------------------------------------ indexes

    def _drop_indexes(self) -> list[tuple[str, str]]:
        """Drop the big tables' secondary indexes, unique and foreign-key constraints; return
        the statements that make them again. In the load's transaction: a failure puts them
        back by rolling back."""
        statements: list[tuple[str, str]] = []
        with self.connection.cursor() as cursor:
            # Checks still pending in this transaction (rows written before the load, by a
            # caller's seed) would forbid altering the tables they are on: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in self.big_tables:
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY conname",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    statements.append(
                        (table, f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
                    )
                    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                cursor.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                    "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
                    "AND NOT EXISTS "
                    "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
                    "ORDER BY 1",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    statements.append((table, definition))
                    cursor.execute(f"DROP INDEX {name}")
        # Indexes first, then the constraints (unique ones before the keys that may use them).
        statements.sort(key=lambda s: (" FOREIGN KEY " in s[1], "ADD CONSTRAINT" in s[1]))
        return statements

    def _truncate_for_freeze(self) -> bool:
        """On a fresh database the big tables (and every table that refers to them) are
        empty: truncated in the load's transaction, they take COPY FREEZE, whose rows need no
        vacuum to be visible to index-only scans. False (and nothing done) otherwise."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "WITH RECURSIVE refs(t) AS (SELECT unnest(%s::regclass[]) UNION "
                "SELECT c.conrelid::regclass FROM pg_constraint c "
                "JOIN refs ON c.confrelid = refs.t "
                "WHERE c.contype = 'f') SELECT t::text FROM refs ORDER BY 1",
                [self.big_tables],
            )
            tables = [name for (name,) in cursor.fetchall()]
            for name in tables:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name})")  # noqa: S608
                if cursor.fetchone()[0]:
                    return False
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        self.sink.freeze = set(self.big_tables)
        return True

    def _restore_indexes(self, statements: list[tuple[str, str]]) -> None:
        with self.connection.cursor() as cursor:
            for done, (_, statement) in enumerate(statements):
                self.progress.show("indexes", done, len(statements))
                cursor.execute(statement)
        self.progress.show("indexes", len(statements), len(statements), final=True)

    def _sequences(self) -> None:
        if self.connection.vendor != "postgresql":
            return
        with self.connection.cursor() as cursor:
            for table in self.sink.tables.values():
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "  # noqa: S608
                    f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                )

    def _analyze(self) -> None:
        from django.db import transaction

        names = [table.name for table in self.sink.tables.values()]
        self.progress.say("analyze")
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                # Frozen tables are visible to index-only scans already; the others want a
                # vacuum, which runs outside a transaction only.
                vacuum = not self.frozen and not transaction.get_connection().in_atomic_block
                for name in names:
                    cursor.execute(f'{"VACUUM (ANALYZE)" if vacuum else "ANALYZE"} "{name}"')
            else:
                cursor.execute("ANALYZE")

    # ------------------------------------------------------------------ the plan

    def _plan(self) -> list[Head]:
        """Every dossier's submission, desk, procedure, applicant and intake, then the ids in
        submission order and the codes and book numbers in order of receipt."""
        from egov.demo.dossiers import People

        self._next_ids()
        rng = random.Random(self.seed * 31 + self.next_dossier)  # noqa: S311
        self.plan_rng = rng
        self.people = People(rng)
        self.pool: dict[int, list[Person]] = {}
        self.new_users: list[Person] = []
        self.identities: dict[int, tuple[str, int]] = {}
        self.demo_people = self._demo_citizens()
        heads: list[Head] = []
        forced = list(FORCED) if self.total >= FORCE_FROM else []
        # The demo's VNeID persons: up to 50 dossiers each.
        demo_count = 0
        if self.total >= FORCE_FROM and self.demo_people:
            demo_count = min(50, max(1, self.total // 20000)) * len(self.demo_people)
        for n in range(self.total):
            force = forced[n] if n < len(forced) else ""
            k = n - len(forced)
            demo = self.demo_people[k % len(self.demo_people)] if 0 <= k < demo_count else None
            heads.append(self._head(rng, force, demo))
            if n % 4096 == 0:
                self.progress.show("plan", n, self.total)
        self.progress.show("plan", self.total, self.total, final=True)
        heads.sort(key=lambda h: h.submitted)
        for n, head in enumerate(heads):
            head.pk = self.next_dossier + n
        self._codes(heads)
        return heads

    def _demo_citizens(self) -> list[tuple[Person, Commune]]:
        """The VNeID simulator's demo persons, as applicants with accounts of their own."""
        from egov.demo.dossiers import Person as DemoPerson

        try:
            from sims.vneid import DEMO_ACCOUNTS, person_claims
        except ImportError:  # the simulators are not on the path
            return []
        found = []
        for account in DEMO_ACCOUNTS:
            if account.is_organisation:
                continue
            claims = person_claims(account.number)
            ward = int(claims["address"]["ward_code"])
            commune = self.commune_by_ward.get(ward)
            if commune is None:
                continue
            person = Person(
                DemoPerson(
                    claims["name"],
                    claims["gender"],
                    datetime.date.fromisoformat(claims["birthdate"]),
                    account.number,
                    "0" + claims["phone_number"].removeprefix("+84"),
                ),
                claims["address"]["formatted"].split(",")[0],
                ward,
                claims["email"],
            )
            self._account(person, subject=account.sub, level=account.level)
            found.append((person, commune))
        return found

    def _account(self, person: Person, *, subject: str | None = None, level: int = 2) -> None:
        """A citizen account (VNeID identity) for a person who submits online."""
        from django.contrib.auth import get_user_model

        from egov.accounts.models import CitizenIdentity
        from egov.accounts.vneid import username_for

        if person.user_id is not None:
            return
        if subject is not None:  # the demo's own accounts: theirs if they signed in already
            username = username_for(subject)
            known = (
                CitizenIdentity.objects.filter(subject=subject)
                .values_list("user_id", flat=True)
                .first()
            ) or (
                get_user_model()
                .objects.filter(username=username)
                .values_list("pk", flat=True)
                .first()
            )
            if known is not None:
                person.user_id, person.username, person.level = known, username, level
                return
        else:  # a new random subject: no account can have it yet
            subject = str(uuid.UUID(int=self.plan_rng.getrandbits(128), version=4))
            username = username_for(subject)
        person.user_id = self.next_user
        self.next_user += 1
        person.username, person.level = username, level
        self.new_users.append(person)
        self.identities[person.user_id] = (subject, level)

    def _person(
        self, rng: random.Random, commune: Commune, ages: tuple[int, int], day: datetime.date
    ) -> Person:
        pool = self.pool.setdefault(commune.ward, [])
        if pool and rng.random() < REPEAT_APPLICANT:
            return pool[rng.randrange(len(pool))]
        demo = self.people.person(ages=ages, on=day, prefix=commune.prefix)
        email = ""
        if rng.random() < EMAIL_SHARE:
            from egov.demo.dossiers import _ascii

            email = (
                f"{'.'.join(_ascii(demo.name).lower().split())}.{demo.id_number[-4:]}@example.com"
            )
        person = Person(demo, self.people.street(commune.place), commune.ward, email)
        pool.append(person)
        return person

    def _head(self, rng: random.Random, force: str, demo: tuple[Person, Commune] | None) -> Head:
        clock = self.clock
        head = Head()
        head.force = force
        # When: volume grows from 0.6 to 1.4 over the window (inverse of its distribution).
        u = rng.random()
        x = (-0.6 + math.sqrt(0.36 + 1.6 * u)) / 0.8
        when = self.start + int(x * (self.anchor - self.start))
        if force:
            when = self._forced_time(force)
        fraction = (when - self.start) / max(1, self.anchor - self.start)
        province = rng.random() < PROVINCE_SHARE
        if force in ("obligation",):
            procs = [p for p in self.procs if p.tax_position]
            proc = procs[0] if procs else self.commune_procs[0]
        elif force in ("result_ready", "apology"):
            proc = min(self.commune_procs, key=lambda p: (p.limit[1] != "working_days", p.limit[0]))
        elif province:
            proc = self.province_procs[
                bisect.bisect(self.province_cum, rng.random() * self.province_cum[-1])
            ]
        else:
            proc = self.commune_procs[
                bisect.bisect(self.commune_cum_p, rng.random() * self.commune_cum_p[-1])
            ]
        head.proc = proc
        if demo is not None:
            person, commune = demo
        else:
            commune = self.communes[
                bisect.bisect(self.commune_cum, rng.random() * self.commune_cum[-1])
            ]
            day = datetime.date.fromordinal(clock.local_day(when))
            person = self._person(rng, commune, proc.ages, day)
        head.commune = commune
        head.person = person
        # Who applies: the person, or an organisation the person represents.
        r = rng.random()
        head.applicant_type = 1
        if demo is None and not force and r < ENTERPRISE + OTHER_ORGANISATION:
            head.applicant_type = 2 if r < ENTERPRISE else 4
            tax_code = f"{rng.choice(['16', '17', '03', '18'])}{rng.randrange(10**8):08d}"
            kind = "Công ty TNHH" if head.applicant_type == 2 else "Hợp tác xã"
            head.org = (
                f"{kind} {person.name.split()[-1]} {commune.place.split(' ', 1)[-1]}",
                tax_code,
            )
        # Where: the applicant's commune desk, or the province's desk.
        if proc.province:
            at_commune = rng.random() < PROVINCE_AT_COMMUNE
            head.desk = commune.desk_index if at_commune else 0
        elif rng.random() < OTHER_DESK and not force:
            head.desk = self.communes[rng.randrange(len(self.communes))].desk_index
        else:
            head.desk = commune.desk_index
        # How: counter, online (a citizen account or the national portal), post.
        online_share = ONLINE_FROM + (ONLINE_TO - ONLINE_FROM) * fraction
        if proc.online == "full":
            online_share *= 1.3
        elif proc.online == "none":
            online_share = 0
        r = rng.random()
        if force in ("submitted", "intake_supplement", "refused") and proc.online != "none":
            channel = "online"
        elif force in ("submitted", "intake_supplement", "refused"):
            # An online-capable procedure instead.
            procs = [
                p
                for p in (self.commune_procs if not proc.province else self.province_procs)
                if p.online != "none"
            ]
            head.proc = proc = procs[0]
            channel = "online"
        elif force:
            channel = "counter"
        elif head.applicant_type == 1 and r < online_share:
            channel = "online"
        elif proc.postal_intake and r < online_share + POSTAL_INTAKE:
            channel = "postal"
        else:
            channel = "counter"
        head.channel = channel
        head.owner = None
        if channel == "online":
            if demo is None and not force and rng.random() < NATIONAL_PORTAL:
                head.national = "national"
            else:
                self._account(person)
                head.owner = person.user_id
        elif head.applicant_type == 1 and demo is None and rng.random() < SUBMITTER_SHARE:
            head.submitter = self._person(
                rng, commune, (20, 60), datetime.date.fromordinal(clock.local_day(when))
            )
        # The instant: online at any hour (mostly daytime), at a desk in office hours.
        desk = self.desks[head.desk]
        if channel == "online":
            if not force:
                local_day = (when + OFFSET) // 86400
                hour = rng.choice(ONLINE_HOURS)
                when = local_day * 86400 - OFFSET + hour * 3600 + rng.randrange(3600)
        elif not force:
            w = clock.w(when)
            when = clock.at(w - w % clock.day + 1 + rng.randrange(clock.day - 1)) + rng.randrange(
                60
            )
        if when > self.anchor:  # moved past the anchor: the working day before it
            when = clock.at(max(1, clock.w(self.anchor) - 1 - rng.randrange(clock.day)))
        head.submitted = when
        head.receiver = desk.receptionists[
            bisect.bisect(desk.reception_weights, rng.random() * desk.reception_weights[-1])
        ]
        self._intake(rng, head)
        return head

    def _forced_time(self, force: str) -> int:
        clock, w_now = self.clock, self.clock.w(self.anchor)
        back = {
            "submitted": None,
            "intake_supplement": 960,
            "refused": 480 * 30,
            "withdrawn": 480 * 20,
            "stopped": 480 * 40,
            "processing": 200,
            "received": 10,
            "supplement": 600,
            "obligation": 480 * 25,
            "result_ready": 480 * 10,
            "apology": 480 * 8,
            "returned": 480 * 60,
        }[force]
        if back is None:
            return self.anchor - 600
        return clock.at(max(1, w_now - back)) + 7

    def _intake(self, rng: random.Random, head: Head) -> None:
        """The intake path and its instants: ("R", receipt), ("S", asked, answered, completed
        | lapsed | withdrawn), ("F", refused), ("W", withdrawn before the check)."""
        clock, force = self.clock, head.force
        t0 = head.submitted
        if head.channel == "online":
            check = clock.add(t0, 30 + int(rng.expovariate(1 / 300))) + rng.randrange(60)
            if force:
                check = clock.add(t0, 30) + rng.randrange(60)
            if force == "submitted":
                check = clock.add(t0, clock.between(t0, self.anchor) + 120)
            r = rng.random()
            if head.national:
                path = "F" if r < ONLINE_REFUSE else "R"
            elif force == "intake_supplement":
                path = "S"
            elif force == "refused":
                path = "F"
            elif force:
                path = "R"
            elif r < ONLINE_SUPPLEMENT:
                path = "S"
            elif r < ONLINE_SUPPLEMENT + ONLINE_REFUSE:
                path = "F"
            elif r < ONLINE_SUPPLEMENT + ONLINE_REFUSE + ONLINE_WITHDRAW:
                path = "W"
                check = t0 + int(rng.uniform(0.1, 1.0) * (check - t0))
            else:
                path = "R"
        else:
            check = t0 + rng.randrange(1, 4)
            r = rng.random()
            if force == "intake_supplement":
                path = "S"
            elif force:
                path = "R"
            elif r < COUNTER_SUPPLEMENT:
                path = "S"
            elif r < COUNTER_SUPPLEMENT + COUNTER_REFUSE:
                path = "F"
            else:
                path = "R"
        times: list[Any] = [check]
        if path == "S":
            limit = head.proc.supplement_limit
            deadline = clock.due(check, *limit)
            r = rng.random()
            online = head.channel == "online"
            if force == "intake_supplement" or (not force and r < INTAKE_ANSWERED):
                if online:
                    answered = check + int(rng.uniform(0.2, 7) * 86400)
                    completed = clock.add(answered, 20 + rng.randrange(400)) + rng.randrange(60)
                else:  # the applicant comes back to the counter: recorded and taken at once
                    answered = clock.add(check, 240 + rng.randrange(480 * 6)) + rng.randrange(60)
                    completed = answered + rng.randrange(30, 300)
                if force == "intake_supplement":
                    answered = completed = self.anchor + 86400
                times += ["answered", min(answered, deadline - 60), completed]
            elif r < INTAKE_ANSWERED + INTAKE_LAPSED:
                times += ["lapsed", _daily(deadline, LAPSE_JOB_AT)]
            else:
                times += ["withdrawn", check + int(rng.uniform(0.5, 5) * 86400)]
        head.intake = path
        head.times = times
        received = None
        if path == "R":
            received = check
        elif path == "S" and times[1] == "answered":
            received = times[3]
        head.received = received if received is not None and received <= self.anchor else None

    def _codes(self, heads: list[Head]) -> None:
        """Codes per desk and day, book numbers per desk and year, in order of receipt,
        continuing the counters already there."""
        from egov.dossiers.models import BookCounter, DailyCounter

        desk_ids = [d.id for d in self.desks]
        self.daily: dict[tuple[int, int], int] = {}
        self.books: dict[tuple[int, int], int] = {}
        self.daily_known = {
            (c.agency_id, c.day.toordinal()): c.last
            for c in DailyCounter.objects.filter(agency_id__in=desk_ids)
        }
        self.books_known = {
            (c.agency_id, c.year): c.last
            for c in BookCounter.objects.filter(agency_id__in=desk_ids)
        }
        receipts = sorted(
            ((h.desk, h.received, h.pk, h) for h in heads if h.received is not None),
            key=lambda r: (r[0], r[1], r[2]),
        )
        for desk_index, received, _, head in receipts:
            desk = self.desks[desk_index]
            day = self.clock.local_day(received)
            key = (desk.id, day)
            number = self.daily.get(key)
            if number is None:
                number = self.daily_known.get(key, 0)
            number += 1
            if number > 9999:
                raise RuntimeError(f"More than 9999 receipts at {desk.code} on one day")
            self.daily[key] = number
            year = datetime.date.fromordinal(day).year
            book_key = (desk.id, year)
            book = self.books.get(book_key)
            if book is None:
                book = self.books_known.get(book_key, 0)
            self.books[book_key] = book = book + 1
            stamp = datetime.date.fromordinal(day).strftime("%y%m%d")
            head.code = f"{desk.code}-{stamp}-{number:04d}"
            head.book = book

    def _counters(self) -> None:
        from egov.dossiers.models import BookCounter, DailyCounter

        DailyCounter.objects.bulk_create(
            [
                DailyCounter(agency_id=agency, day=datetime.date.fromordinal(day), last=last)
                for (agency, day), last in self.daily.items()
            ],
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["agency", "day"],
            update_fields=["last"],
        )
        BookCounter.objects.bulk_create(
            [
                BookCounter(agency_id=agency, year=year, last=last)
                for (agency, year), last in self.books.items()
            ],
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["agency", "year"],
            update_fields=["last"],
        )

    # ------------------------------------------------------------------ the stories

    def _play(self, heads: list[Head], workers: int) -> None:
        """The stories, CHUNK dossiers at a time, each chunk with its own random stream (so
        the rows do not depend on how many processes play them): in forked worker processes
        when `workers` > 1, which hand their rows back; here the rows go to the database,
        the outbox gets its ids and the message log its chain."""
        from django.conf import settings

        self.heads = heads
        self.soon = self.clock.add(self.anchor, 480)  # "due soon": within a working day
        self.payload_seconds = int(settings.MOTCUA_OUTBOX_PAYLOAD_DAYS) * 86400
        self.notes: dict[str, str] = {}
        self.labels: dict[tuple[int | None, int, int, int], tuple[str, str]] = {}
        self.log_heap: list[tuple[int, int, tuple[Any, ...]]] = []
        self.health: dict[str, list[Any]] = {system: [0, 0, "", 0] for system in SYSTEMS}
        self._write_people()
        chunks = range((len(heads) + CHUNK - 1) // CHUNK)
        if workers > 1 and len(chunks) > 1:
            import multiprocessing

            global _PLAYING  # what forked workers play
            _PLAYING = self
            context = multiprocessing.get_context("fork")
            with context.Pool(workers) as pool:
                for result in pool.imap(_play_chunk, chunks):
                    self._take(result)
            _PLAYING = None
        else:
            for index in chunks:
                self._take(self._chunk(index))
        self._flush_log(None)
        self.progress.show("dossiers", len(heads), len(heads), final=True)

    def _chunk(self, index: int) -> ChunkResult:
        """Play the stories of one chunk; its rows, log entries (outbox ids from 0)."""
        from egov.demo.dossiers import People

        self.main_rng = random.Random(self.seed * 1_000_003 + self.next_dossier + index)  # noqa: S311
        self.random = self.main_rng.random
        self.form_people = People(self.main_rng)
        for table in self.sink.tables.values():
            table.chunk = []
        self.log_entries: list[tuple[int, int, tuple[Any, ...]]] = []
        self.log_order = index * 10**8
        self.next_outbox = 0
        self.health = {system: [0, 0, "", 0] for system in SYSTEMS}
        for head in self.heads[index * CHUNK : (index + 1) * CHUNK]:
            Story(self, head).play()
        rows = {table.name: table.chunk for table in self.sink.tables.values() if table.chunk}
        return ChunkResult(index, rows, self.log_entries, self.next_outbox, self.health)

    def _take(self, result: ChunkResult) -> None:
        """A played chunk's rows to the database: outbox ids from the running number, log
        rows chained up to where the next chunk's could begin."""
        offset = self.outbox_id
        tables = self.sink.tables
        outbox, tax = self.t_outbox.name, self.t_tax.name
        for name, rows in result.rows.items():
            table = tables[name]
            if name == outbox:
                table.rows.extend([(offset + row[0], *row[1:]) for row in rows])
            elif name == tax:
                table.rows.extend([(row[0], offset + row[1], *row[2:]) for row in rows])
            else:
                table.rows.extend(rows)
        push, heap = heapq.heappush, self.log_heap
        for at, order, entry in result.logs:
            if entry[5] is not None:
                entry = (*entry[:5], offset + entry[5], *entry[6:])
            push(heap, (at, order, entry))
        self.outbox_id += result.outboxes
        for system, (success, failure, error, duration) in result.health.items():
            health = self.health[system]
            if success > health[0]:
                health[0], health[3] = success, duration
            if failure > health[1]:
                health[1], health[2] = failure, error
        following = (result.index + 1) * CHUNK
        # A later chunk's log rows come at the earliest 90 s before its first submission.
        bound = self.heads[following].submitted - 120 if following < len(self.heads) else None
        self._flush_log(bound)
        self.sink.tick()
        if following < len(self.heads):
            self.progress.show("dossiers", following, len(self.heads))

    def resync_spread(self, pk: int) -> int:
        """When `portal_resync` queued this older dossier: over the go-live's first hours."""
        return (pk - self.next_dossier) * 6 * 3600 // max(1, self.total) + 1

    def note_json(self, note: str) -> str:
        found = self.notes.get(note)
        if found is None:
            found = self.notes[note] = json.dumps(note, ensure_ascii=False)
        return found

    def _write_people(self) -> None:
        """The citizen accounts and their VNeID identities (only those new here)."""
        stamps, anchor = self.stamps, self.anchor
        levels = self.identities
        for person in self.new_users:
            joined = stamps.db(anchor - 86400 * 400)
            self.sink.add(
                self.t_user,
                (
                    person.user_id,
                    "!" + uuid.UUID(int=self.plan_rng.getrandbits(128)).hex,
                    stamps.db(anchor - 86400 * 3),
                    False,
                    person.username,
                    person.name[:150],
                    "",
                    person.email,
                    False,
                    True,
                    joined,
                ),
            )
            subject, level = levels[_some(person.user_id)]
            address = f"{person.street}, {self.commune_by_ward[person.ward].place}, tỉnh An Giang"
            self.sink.add(
                self.t_identity,
                (
                    person.user_id,
                    subject,
                    "person",
                    level,
                    person.id_number,
                    person.name,
                    person.birth.isoformat(),
                    person.gender,
                    person.phone,
                    person.email,
                    address,
                    person.ward,
                    "",
                    "",
                    stamps.db(anchor - 86400 * 3),
                    joined,
                ),
            )
        self.sink.flush(self.t_user)
        self.sink.flush(self.t_identity)

    # ------------------------------------------------------------------ the bus

    def outbox(
        self,
        *,
        system: str,
        topic: str,
        ordering_key: str,
        key: str,
        created: int,
        payload: Callable[[], dict[str, Any]] | None,
        blocked: dict[str, int] | None = None,
    ) -> tuple[int, int | None]:
        """Queue and deliver one message as the worker would have: a second or two later,
        retried with backoff while its system is down, behind the earlier messages of its
        ordering key. Returns its id and when it was delivered (None: pending or dead);
        `last_status` says which."""
        random = self.random
        pk = self.next_outbox
        self.next_outbox = pk + 1
        anchor = self.anchor
        status, attempts, delivered, dead, last_status, last_error = (
            "pending",
            0,
            None,
            None,
            None,
            "",
        )
        t = created + int(random() * 3)
        next_attempt = created
        waiting = False
        if blocked is not None:
            after = blocked.get(ordering_key)
            if after is not None:
                if after < 0:
                    waiting = True  # behind a message not delivered: never tried
                elif after >= t:
                    t = after + 1
        if not waiting:
            windows = self.outages.get(system)
            storage = self.storage.get(topic, "digest")
            while True:
                if t > anchor:
                    next_attempt = t
                    break
                attempts += 1
                down = False
                if windows:
                    for begin, end in windows:
                        if begin <= t < end:
                            down = True
                            break
                if down or random() < TRANSIENT_FAILURE:
                    timeout = down and random() < 0.5
                    duration = 10_000 if timeout else 200 + int(random() * 2000)
                    answer = None if timeout else 503
                    settle = t + duration // 1000 + 1
                    self._log(
                        settle, "out", system, topic, "motcua", key, pk, storage, answer, "",
                        duration, "retry",
                    )  # fmt: skip
                    last_status = answer
                    last_error = "Hết thời gian chờ" if timeout else "HTTP 503"
                    health = self.health[system]
                    if settle > health[1]:
                        health[1], health[2] = settle, last_error
                    if settle - created >= RETRY_BUDGET:
                        status, dead = "dead", settle
                        break
                    ceiling = min(900, 10 * 2 ** (attempts - 1))
                    t = next_attempt = settle + int(ceiling * (0.5 + random() / 2))
                    continue
                duration = 60 + int(-350 * math.log(1.0 - random()))
                settle = t + duration // 1000 + 1
                if (
                    system == "dvcqg"
                    and anchor - t < DEAD_LETTER_DAYS * 86400
                    and random() < REJECTED
                ):
                    self._log(
                        settle, "out", system, topic, "motcua", key, pk, storage, 422, "E422",
                        duration, "rejected",
                    )  # fmt: skip
                    status, dead, last_status, last_error = "dead", settle, 422, "HTTP 422 [E422]"
                    break
                self._log(
                    settle, "out", system, topic, "motcua", key, pk, storage, 200, "",
                    duration, "ok",
                )  # fmt: skip
                health = self.health[system]
                if settle > health[0]:
                    health[0], health[3] = settle, duration
                status, delivered, last_status = "delivered", settle, 200
                break
        if blocked is not None:
            blocked[ordering_key] = delivered if delivered is not None else -1
        cleared = None
        if delivered is not None:
            # The daily clearing job, the first night after the retention.
            local = delivered + self.payload_seconds + OFFSET
            run = local - local % 86400 + PAYLOAD_CLEAR_AT
            if run <= local:
                run += 86400
            if run - OFFSET <= anchor:
                cleared = run - OFFSET
        if cleared is None and payload is not None:
            text = _encode(payload())
            digest = _sha(text)
        else:  # cleared (or built without one): the digest of a payload we never built
            text = "{}"
            digest = _pseudo_digest(self.log_order * 64 + pk)
        db = self.stamps.db
        queued = db(created)
        self.t_outbox.chunk.append(
            (
                pk,
                system,
                topic,
                ordering_key,
                key,
                text,
                digest,
                None if cleared is None else db(cleared),
                status,
                attempts,
                queued if next_attempt == created else db(next_attempt),
                None,
                "",
                queued,
                last_status,
                last_error,
                queued,
                None if delivered is None else db(delivered),
                None if dead is None else db(dead),
                0,
            ),
        )
        self.last_status = status
        return pk, delivered

    def _log(
        self,
        at: int,
        direction: str,
        system: str,
        service: str,
        party: str,
        key: str,
        outbox_id: int | None,
        storage: str,
        status: int | None,
        code: str,
        duration: int,
        outcome: str,
    ) -> None:
        """A message-log row, chained later in time order (`_flush_log`)."""
        self.log_order += 1
        self.log_entries.append(
            (
                at,
                self.log_order,
                (
                    direction,
                    system,
                    service,
                    party,
                    key,
                    outbox_id,
                    storage,
                    status,
                    code,
                    duration,
                    outcome,
                ),
            ),
        )

    def _flush_log(self, bound: int | None) -> None:
        """Chain and write the log rows earlier than `bound` (no later dossier can add one).
        Bodies are kept as digests (the services carry personal data): the digests of bodies
        never built are stand-ins."""
        heap, sink, table = self.log_heap, self.sink, self.t_log
        pair = self.stamps.pair
        pop = heapq.heappop
        previous, seq = self.log_hash, self.log_seq
        while heap and (bound is None or heap[0][0] < bound):
            at, order, entry = pop(heap)
            (
                direction,
                system,
                service,
                party,
                key,
                outbox_id,
                storage,
                status,
                code,
                duration,
                outcome,
            ) = entry
            seq += 1
            request = _pseudo_digest(order * 2 + self.seed)
            response = "" if status is None else _pseudo_digest(order * 2 + 1 + self.seed)
            stored, iso = pair(at)
            content = (
                f'{{"at":"{iso}","body_storage":"{storage}","direction":"{direction}",'
                f'"duration_ms":{duration},"idempotency_key":"{key}","outbox_id":'
                f'{"null" if outbox_id is None else outbox_id},"outcome":"{outcome}",'
                f'"party":"{party}","request_body":"","request_digest":"{request}",'
                f'"response_body":"","response_code":"{code}","response_digest":"{response}",'
                f'"response_status":{"null" if status is None else status},"seq":{seq},'
                f'"service":"{service}","system":"{system}"}}'
            )
            digest = hashlib.sha256(f"{previous}:{content}".encode()).hexdigest()
            sink.add(
                table,
                (
                    seq, stored, direction, system, service, party, key, outbox_id, request, "",
                    status, code, response, "", storage, duration, outcome, previous, digest,
                ),
            )  # fmt: skip
            previous = digest
        self.log_hash, self.log_seq = previous, seq

    def _finish_bus(self) -> None:
        """The log's head, and each system's last answers."""
        from egov.interop.models import LogHead, SystemHealth

        LogHead.objects.update_or_create(
            pk=1, defaults={"seq": self.log_seq, "hash": self.log_hash}
        )

        def aware(ts: int) -> datetime.datetime | None:
            return datetime.datetime.fromtimestamp(ts, UTC) if ts else None

        for system, (success, failure, error, duration) in sorted(self.health.items()):
            if success or failure:
                SystemHealth.objects.filter(system__code=system).update(
                    last_success_at=aware(success),
                    last_failure_at=aware(failure),
                    last_error=error,
                    last_duration_ms=duration or None,
                )


# When citizens submit online (local hours, by weight).
ONLINE_HOURS = [7, 8, 9, 9, 10, 10, 11, 12, 13, 14, 14, 15, 15, 16, 17, 19, 20, 20, 21, 21]
ONLINE_HOURS += [22, 23, 6, 0]

DOSSIER_COLUMNS = [
    "id",
    "code",
    "reference",
    "national_reference",
    "procedure_id",
    "procedure_revision_id",
    "receiving_agency_id",
    "competent_agency_id",
    "channel",
    "return_method",
    "applicant_type",
    "applicant_name",
    "applicant_id_number",
    "applicant_birth_date",
    "applicant_gender",
    "applicant_tax_code",
    "applicant_representative",
    "applicant_phone",
    "applicant_email",
    "applicant_ward_code",
    "applicant_street",
    "submitter_name",
    "submitter_id_number",
    "submitter_phone",
    "owner_id",
    "created_by_id",
    "corrects_id",
    "status",
    "form_data",
    "submitted_at",
    "received_at",
    "book_number",
    "received_papers",
    "due_at",
    "original_due_at",
    "completed_at",
    "returned_at",
    "clock_state",
    "clock_remaining_minutes",
    "paused_at",
    "supplement_minutes",
    "supplement_count",
    "result_signed",
    "outcome",
    "due_soon",
    "overdue",
    "digitised",
    "reused",
    "vneid_verified",
    "population_verified",
    "paid_online",
    "version",
    "event_seq",
    "event_head",
    "search_text",
    "updated_at",
]


def _some(value: T | None) -> T:
    """What the story's state says is there."""
    if value is None:
        raise RuntimeError("bench.generate: a story lost track of its state")
    return value


def _cumulative(weights: Iterable[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _daily(ts: int, at: int) -> int:
    """The first run of a daily job at local second `at` after `ts`."""
    local = ts + OFFSET
    day_start = local - local % 86400
    run = day_start + at
    if run <= local:
        run += 86400
    return run - OFFSET


# ------------------------------------------------------------------------------ e-forms


def _construction_permit(c: Any) -> dict[str, Any]:
    area = c.rng.randint(40, 180)
    floors = c.rng.randint(1, 4)
    return {
        "investor_name": c.who.name,
        "investor_id_number": c.who.id_number,
        "investor_phone": c.who.phone,
        "construction_address": f"Thửa đất số {c.rng.randint(1, 900)}, tờ bản đồ số "
        f"{c.rng.randint(1, 60)}, {c.address}",
        "land_certificate_number": (
            f"{c.rng.choice(['CS', 'DĐ', 'CH'])} {c.rng.randint(10000, 99999)}"
        ),
        "work_type": c.rng.choices(["nha_o_rieng_le", "cap_iii", "cap_iv"], [8, 1, 2])[0],
        "site_area_m2": area,
        "total_floor_area_m2": area * floors,
        "floors": floors,
        "height_m": 4 * floors + c.rng.randint(0, 3),
    }


def _tour_guide_card(c: Any) -> dict[str, Any]:
    from egov.demo.dossiers import _ascii

    return {
        "full_name": c.who.name,
        "birth_date": c.who.birth.isoformat(),
        "id_number": c.who.id_number,
        "address": c.address,
        "phone": c.who.phone,
        "email": (
            f"{'.'.join(_ascii(c.who.name).lower().split())}.{c.who.id_number[-4:]}@example.com"
        ),
        "qualification": c.rng.choice(["trung_cap_hddl", "chung_chi_noi_dia"]),
        "certificate_number": f"HDDL-{c.rng.randint(1000, 99999)}",
    }


# The demo's e-forms (`egov.demo.dossiers.FORMS`) cover the others.
EXTRA_FORMS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "1.013225": _construction_permit,
    "1.004623": _tour_guide_card,
}

CHANNEL_CODE = {"counter": 1, "online": 2, "postal": 3}
RETURN_CODE = {"counter": 1, "online": 2, "postal": 3}
STATUS_CODE = {
    "submitted": 1,
    "received": 2,
    "refused": 3,
    "processing": 4,
    "supplement_requested": 5,
    "awaiting_obligation": 6,
    "withdrawn": 7,
    "stopped": 8,
    "result_ready": 9,
    "returned": 10,
}
LAPSED_NOTE = (
    "Quá hạn bổ sung hồ sơ ghi trên Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ mà người nộp "
    "chưa bổ sung."
)


# ------------------------------------------------------------------------------ a story


class Story:
    """One dossier's life as the engine would have lived it, played to the anchor; its rows
    go to the sink when it is over (or cut by the anchor)."""

    __slots__ = (
        "apology",
        "blocked",
        "bus_started",
        "civil_sent",
        "clock",
        "clock_state",
        "code",
        "competent",
        "completed",
        "desk",
        "due",
        "form",
        "g",
        "h",
        "last_at",
        "national_reference",
        "open",
        "original_due",
        "outcome",
        "paid_online",
        "paused_at",
        "person",
        "pk",
        "prev",
        "proc",
        "queued",
        "random",
        "received",
        "reference",
        "remaining",
        "return_method",
        "returned",
        "rng",
        "seq",
        "signed",
        "spent",
        "staff",
        "stamps",
        "status",
        "supplement_count",
        "supplement_minutes",
        "supplements",
        "sync_at",
        "sync_failed",
        "synced",
        "tasks",
        "tax_delivered",
        "tax_notice",
        "verified",
    )

    def __init__(self, generator: Generator, head: Head) -> None:
        self.g = generator
        self.h = head
        self.rng = generator.main_rng
        self.random = generator.random
        self.clock = generator.clock
        self.stamps = generator.stamps
        self.staff = generator.staff
        self.proc = head.proc
        self.pk = head.pk
        self.desk = generator.desks[head.desk]
        self.competent = self.proc.competent_id or head.commune.committee_id
        self.person = head.person
        self.status = ""
        self.seq = 0
        self.prev = generator.genesis
        self.last_at = head.submitted
        self.code: str | None = None
        self.received: int | None = None
        self.due: int | None = None
        self.original_due: int | None = None
        self.completed: int | None = None
        self.returned: int | None = None
        self.clock_state = "not_started"
        self.remaining: int | None = None
        self.paused_at: int | None = None
        self.supplement_minutes = 0
        self.supplement_count = 0
        self.signed = False
        self.outcome = ""
        self.tasks: list[list[Any]] = []
        self.open: list[Any] | None = None
        self.spent: dict[int, int] = {}
        self.supplements: list[list[Any]] = []
        self.apology: tuple[Any, ...] | None = None
        self.synced = 0
        self.queued = 0
        self.sync_at: int | None = None
        self.sync_failed = False
        self.bus_started = False
        self.tax_delivered: int | None = None
        self.return_method = "counter"
        self.national_reference = ""
        self.blocked: dict[str, int] = {}
        self.civil_sent = False
        self.tax_notice: tuple[Any, ...] | None = None
        self.form: dict[str, Any] = {}
        self.reference = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        self.verified = False
        if head.owner is not None and head.owner not in self.staff.names:
            self.staff.names[head.owner] = " ".join(self.person.name.split())

    # ------------------------------------------------------------------ the whole

    def play(self) -> None:
        # A history that reaches the anchor (now) stops where it stands (Cut).
        with contextlib.suppress(Cut):
            self._submit()
            self._intake()
            if self.status == "received":
                self._process()
        self._write()

    def when(self, ts: int) -> int:
        """The instant of the next action, or Cut if it comes after the anchor."""
        ts = max(ts, self.last_at + 1)
        if ts > self.g.anchor:
            raise Cut
        self.last_at = ts
        return ts

    def later(self, ts: int, minutes: int) -> int:
        """An instant in working time `minutes` working minutes after `ts`."""
        return self.clock.add(ts, max(1, minutes)) + int(self.random() * 60)

    def factor(self) -> float:
        """How much of its share of the time a step takes: mostly well within it, a few
        percent late, one in a hundred stuck for weeks (the overdue backlog)."""
        rng = self.rng
        r = rng.random()
        if r < 0.70:
            return rng.uniform(0.1, 0.7)
        if r < 0.97:
            return rng.uniform(0.7, 1.0)
        if r < 0.99:
            return rng.uniform(1.0, 1.8)
        return rng.uniform(3.0, 15.0)

    # ------------------------------------------------------------------ events

    def event(
        self,
        action: str,
        target: str,
        at: int,
        actor: int | None,
        *,
        note: str = "",
        payload: dict[str, Any] | None = None,
        step: Any = OPEN,
    ) -> int:
        """`door._write_event` and the handlers' outbox rows; returns the event's number.
        `step` is the task that was open when the action began (default: the open one)."""
        g = self.g
        source = self.status
        seq = self.seq + 1
        task = self.open if step is OPEN else step
        labels = g.labels
        key = (actor, task[2] if task else 0, self.competent, self.desk.id)
        found = labels.get(key)
        if found is None:
            agencies = key[1:] if task else key[2:]
            found = labels[key] = self.staff.label(actor, agencies)
        label, label_json = found
        if not payload:
            body = "{}"
        elif len(payload) == 2 and "task" in payload and "finished_task" in payload:
            body = f'{{"finished_task":{payload["finished_task"]},"task":{payload["task"]}}}'
        else:
            body = _canonical(payload)
        note_json = g.notes.get(note) or g.note_json(note)
        stored, iso = self.stamps.pair(at)
        content = (
            f'{{"action":"{action}","actor":{label_json},"at":"{iso}",'
            f'"dossier":{self.pk},"from":"{source}","note":{note_json},"payload":{body},'
            f'"seq":{seq},"to":"{target}"}}'
        )
        digest = hashlib.sha256(f"{self.prev}:{content}".encode()).hexdigest()
        row = (
            self.pk,
            seq,
            action,
            source,
            target,
            actor,
            label,
            stored,
            note,
            body,
            self.prev,
            digest,
        )
        g.t_event.chunk.append(row)
        if at >= g.bus_from:
            if not self.bus_started:
                self._go_live(at)
            self.prev, self.seq, self.status = digest, seq, target
            self._handlers(action, source, target, at, seq, note, payload or {})
        else:
            self.prev, self.seq, self.status = digest, seq, target
            if action == "request_obligation":  # the tax office was told the old way
                self.tax_delivered = at + 3600
        return seq

    def _go_live(self, at: int | None) -> None:
        """The bus went live (`bus_from`) after this dossier began: `portal_resync` queued
        its whole history for the national portal, unless an event of its own did first."""
        self.bus_started = True
        g = self.g
        if not self.seq or not (self.code or self.status in ("refused", "withdrawn")):
            return
        resync = g.bus_from + g.resync_spread(self.pk)
        if (at is not None and at <= resync) or resync > g.anchor:
            return
        pk, seq = self.pk, self.seq
        _, delivered = g.outbox(
            system="dvcqg",
            topic="dvcqg.dossier.sync",
            ordering_key=f"dossier:{pk}",
            key=f"dvcqg:{pk}:{seq}",
            created=resync,
            payload=lambda: self._portal_payload(resync, ""),
            blocked=self.blocked,
        )
        self.queued = seq
        self.sync_failed = g.last_status == "dead"
        if delivered is not None:
            self.synced, self.sync_at = seq, delivered

    def _handlers(
        self,
        action: str,
        source: str,
        target: str,
        at: int,
        seq: int,
        note: str,
        payload: dict[str, Any],
    ) -> None:
        """What the registered handlers queue: the portal's sync (10), the applicant's
        notice (20), the civil status registration (30), the tax transfer (40)."""
        g, pk = self.g, self.pk
        if self.code or target in ("refused", "withdrawn"):
            _, delivered = g.outbox(
                system="dvcqg",
                topic="dvcqg.dossier.sync",
                ordering_key=f"dossier:{pk}",
                key=f"dvcqg:{pk}:{seq}",
                created=at,
                payload=lambda: self._portal_payload(at, note),
                blocked=self.blocked,
            )
            self.queued = seq
            # `portal_sync_failed` marks a dead letter; the next queued message, pending.
            self.sync_failed = g.last_status == "dead"
            if delivered is not None:
                self.synced = max(self.synced, seq)
                self.sync_at = max(self.sync_at or 0, delivered)
        notice = self._notice(action, source, target)
        if notice is not None:
            self._notify(notice, at, seq)
        if action == "transfer" and self.proc.civil_module and not self.civil_sent:
            self.civil_sent = True
            g.outbox(
                system="hotich",
                topic="hotich.register",
                ordering_key=f"hotich:{pk}",
                key=f"hotich:{pk}:register",
                created=at,
                payload=lambda: {
                    "maDonVi": self.desk.ward or self.h.commune.ward,
                    "module": self.proc.civil_module,
                    "maHoSo": self.code,
                    "ngayTiepNhan": self.stamps.portal(self.received),
                    "data": "",
                },
                blocked=self.blocked,
            )
        if action == "request_obligation" and payload.get("tax"):
            tax = payload["tax"]
            value = int(tax["taxable_value"])
            transfer, delivered = g.outbox(
                system="thue",
                topic="thue.dossier.transfer",
                ordering_key=f"thue:{pk}",
                key=f"thue:{pk}:{seq}",
                created=at,
                payload=lambda: {
                    "maHoSo": self.code,
                    "loaiNghiaVu": tax["kind"],
                    "nguoiNopThue": self.applicant_name,
                    "giaTriTinhThue": value,
                },
                blocked=self.blocked,
            )
            if delivered is not None:
                rate = Decimal("0.02") if tax["kind"] == "TNCN" else Decimal("0.005")
                local = self.clock.local_day(delivered)
                self.tax_notice = (
                    transfer,
                    f"TB{self.stamps.day(local)[2:4]}{transfer:09d}",
                    int(value * rate),
                    self.stamps.day(local + 30),
                    delivered,
                )
            self.tax_delivered = delivered

    def _notice(self, action: str, source: str, target: str) -> str | None:
        """`notifications.handlers.notice_for`."""
        if target == "result_ready" and source != "result_ready":
            return "result_ready"
        if action == "submit":
            return "submitted" if self.h.channel == "online" else None
        if action == "complete_supplement":
            return "received" if target == "received" else "supplement_accepted"
        return NOTICE_BY_ACTION.get(action)

    def _notify(self, notice: str, at: int, seq: int) -> None:
        """`citizen_notify`: a row per channel the person gets (SMS to a mobile number,
        e-mail to an address), as this deployment offers them."""
        g, person = self.g, self.person
        if not person.contact:
            person.contact = True  # contact details worked out once per person
            from egov.notifications.addresses import email_address, mobile_number

            person.mobile = mobile_number(person.phone)
            if person.mobile:
                person.sms_key = f"notify:sms:{_sha(person.mobile)[:32]}"
            address = email_address(person.email)
            if address:
                person.mail_key = f"notify:email:{_sha(address)[:32]}"
        key = f"notify:{self.pk}:{seq}"
        subject = NOTICE_SUBJECTS[notice]

        def body(channel: str, to: str) -> Callable[[], dict[str, Any]]:
            return lambda: {
                "channel": channel,
                "to": to,
                "name": self.applicant_name,
                "subject": subject,
                "text": f"{subject}: hồ sơ {self.code or self.reference}, "
                f"{self.proc.name.removeprefix('Thủ tục ')[:90]}. "
                f"Tra cứu: /tra-cuu/{self.code or ''}",
                "template": f"notifications/messages/{notice}",
                "key": key,
            }

        if person.sms_key and "sms" in g.offered:
            g.outbox(
                system="sms",
                topic="sms.send",
                ordering_key=person.sms_key,
                key=f"{key}:sms",
                created=at,
                payload=body("sms", person.mobile or ""),
            )
        if person.mail_key and "email" in g.offered:
            g.outbox(
                system="notify",
                topic="notify.applicant",
                ordering_key=person.mail_key,
                key=f"{key}:email",
                created=at,
                payload=body("email", person.email),
            )

    def _portal_payload(self, at: int, note: str) -> dict[str, Any]:
        """The national portal's sync message (`adapters.dvcqg.event_payload`), shortened."""
        stamps, h = self.stamps, self.h
        return {
            "MaHoSo": self.code or self.reference,
            "MaTTHC": self.proc.code,
            "TenTTHC": self.proc.name,
            "MaLinhVuc": self.proc.sector,
            "TenLinhVuc": self.proc.sector_name,
            "KenhThucHien": CHANNEL_CODE[h.channel],
            "ChuHoSo": self.applicant_name,
            "LoaiDoiTuong": h.applicant_type,
            "SoGiayToChuHoSo": self.person.id_number if h.org is None else h.org[1],
            "Email": self.person.email,
            "SoDienThoai": self.person.phone,
            "NgayNopHoSo": stamps.portal(h.submitted),
            "NgayTiepNhan": stamps.portal(self.received),
            "NgayHenTra": stamps.portal(self.due),
            "TrangThaiHoSo": STATUS_CODE[self.status],
            "NgayTra": stamps.portal(self.returned),
            "HinhThuc": RETURN_CODE[self.return_method],
            "NgayKetThucXuLy": stamps.portal(self.completed),
            "DonViXuLy": self.g.agencies[self.competent].name,
            "GhiChu": note,
            "NoiNopHoSo": 1 if h.national else 2,
            "MaHoSoDVCQG": self.national_reference,
            "NgayTuChoi": stamps.portal(at) if self.status == "refused" else "",
            "DanhSachLePhi": [
                {
                    "TenPhiLePhi": name,
                    "MaPhiLePhi": code,
                    "Gia": amount,
                    "LoaiPhiLePhi": 1 if kind == "fee" else 2,
                }
                for code, name, kind, amount in self.proc.fees
            ]
            if self.code
            else [],
        }

    # ------------------------------------------------------------------ intake

    @property
    def applicant_name(self) -> str:
        return self.h.org[0] if self.h.org else self.person.name

    def _submit(self) -> None:
        g, h, rng = self.g, self.h, self.rng
        proc = self.proc
        online = h.channel == "online"
        # How the result goes back: at the counter mostly; by post where the procedure
        # allows; an electronic result for a citizen's own online dossier.
        r = rng.random()
        if online and h.owner is not None and proc.online == "full" and r < 0.5:
            self.return_method = "online"
        elif proc.postal_return and (r < 0.06 or (h.channel == "postal" and r < 0.7)):
            self.return_method = "postal"
        else:
            self.return_method = "counter"
        self.national_reference = ""
        if h.national:
            stamp = datetime.date.fromordinal(self.clock.local_day(h.submitted)).strftime("%y%m%d")
            self.national_reference = f"G22.99-{stamp}-{(self.pk * 48271) % 10**8:08d}"
        if h.submitted < g.bus_from:
            self.verified = not online and h.applicant_type == 1 and rng.random() < 0.96
        elif h.national:
            g._log(
                h.submitted,
                "in",
                "dvcqg",
                "dvcqg.dossier.submit",
                "dvcqg-portal",
                self.national_reference,
                None,
                g.storage.get("dvcqg.dossier.submit", "digest"),
                201,
                "0",
                120 + rng.randrange(900),
                "ok",
            )
        elif not online and h.applicant_type == 1:
            # The counter asks the population database before its transaction.
            g._log(
                h.submitted - rng.randrange(5, 90),
                "out",
                "csdldc",
                "csdldc.person.lookup",
                f"motcua:{self.staff.usernames[h.receiver]}",
                "",
                None,
                g.storage.get("csdldc.person.lookup", "digest"),
                200,
                "",
                100 + rng.randrange(700),
                "ok",
            )
            self.verified = rng.random() < 0.96
        if proc.form is not None:
            self.form = proc.form(self._form_context())
        self.paid_online = online and proc.fee_total > 0 and rng.random() < 0.6
        actor = h.owner if online else h.receiver
        payload: dict[str, Any] = {"channel": h.channel}
        if self.national_reference:
            payload["national_reference"] = self.national_reference
        self.event("submit", "submitted", h.submitted, actor, payload=payload)

    def _form_context(self) -> Any:
        from egov.demo.dossiers import FormContext
        from egov.demo.dossiers import Person as DemoPerson

        person, h = self.person, self.h
        who = DemoPerson(person.name, person.gender, person.birth, person.id_number, person.phone)
        return FormContext(
            rng=self.rng,
            people=self.g.form_people,
            who=who,
            place=h.commune.place,
            street=person.street,
            day=datetime.date.fromordinal(self.clock.local_day(h.submitted)),
            prefix=h.commune.prefix,
        )

    def _intake(self) -> None:
        h, rng = self.h, self.rng
        times = h.times
        receiver = h.receiver
        applicant = h.owner if h.owner is not None else receiver
        if h.intake == "R":
            self._receive(self.when(times[0]), receiver, "receive")
        elif h.intake == "F":
            at = self.when(times[0])
            self.completed = at
            self.clock_state = "stopped"
            self.event("refuse", "refused", at, receiver, note=rng.choice(REFUSALS))
        elif h.intake == "W":
            at = self.when(times[0])
            self.clock_state = "stopped"
            self.event("withdraw", "withdrawn", at, applicant, note=WITHDRAW_NOTE)
        else:
            supplement = self._ask(self.when(times[0]), receiver, at_intake=True)
            what = times[1]
            if what == "answered":
                if h.channel == "online":
                    at = self.when(times[2])
                    supplement[6] = at
                    self.event(
                        "submit_supplement",
                        "supplement_requested",
                        at,
                        h.owner,
                        payload={"requested_by": self.staff.usernames[receiver]},
                    )
                at = self.when(times[3])
                supplement[7] = at
                self._receive(at, receiver, "complete_supplement")
            elif what == "lapsed":
                at = self.when(times[2])
                supplement[8] = True
                self.completed = at
                self.clock_state = "stopped"
                self.event("refuse", "refused", at, None, note=LAPSED_NOTE)
            else:
                at = self.when(times[2])
                supplement[8] = True
                self.clock_state = "stopped"
                self.event("withdraw", "withdrawn", at, applicant, note=WITHDRAW_NOTE)

    def _ask(self, at: int, actor: int, *, at_intake: bool) -> list[Any]:
        """`request_supplement`: Mẫu 02, with its deadline."""
        rng = self.rng
        note = rng.choice(SUPPLEMENT_NOTES)
        deadline = self.clock.due(at, *self.proc.supplement_limit)
        items = rng.choice(SUPPLEMENT_ITEMS)
        supplement = [at_intake, note, _encode(items), at, actor, deadline, None, None, False]
        self.supplements.append(supplement)
        if not at_intake:
            self.clock_state = "paused"
            self.paused_at = at
            self.supplement_count += 1
        self.event(
            "request_supplement",
            "supplement_requested",
            at,
            actor,
            note=note,
            payload={"at_intake": at_intake, "deadline": self.stamps.local(deadline)},
        )
        return supplement

    def _limit(self) -> tuple[Decimal, str]:
        if self.h.channel == "online" and self.proc.online_limit:
            return self.proc.online_limit
        return self.proc.limit

    def _receive(self, at: int, actor: int, action: str) -> None:
        """`effects._receive`: the code, the book's row, the clock, the fees, the desk's step."""
        h = self.h
        if h.received != at or h.code is None:
            raise AssertionError(f"dossier {self.pk}: planned receipt {h.received}, played {at}")
        self.received = at
        self.code = h.code
        self.due = self.original_due = self.clock.due(at, *self._limit())
        self.clock_state = "running"
        payload: dict[str, Any] = {"due_at": self.stamps.local(self.due)}
        self._open_step(1, at, actor=actor, payload=payload)
        payload.update(
            {"code": self.code, "book_number": h.book, "procedure_version": self.proc.version}
        )
        self.event(action, "received", at, actor, payload=payload, step=None)

    # ------------------------------------------------------------------ steps

    def _step_agency(self, position: int) -> int:
        step = self.proc.steps[position - 1]
        if position == 1 or (step.agency_id is None and step.kind == "commune_service_center"):
            return self.desk.id
        return step.agency_id or self.competent

    def _open_step(
        self,
        position: int,
        now: int,
        *,
        after: int | None = None,
        actor: int | None = None,
        payload: dict[str, Any],
    ) -> list[Any]:
        """`effects._open_step`."""
        step = self.proc.steps[position - 1]
        share = max(step.minutes - self.spent.get(position, 0), 0)
        start = max(after, now) if after is not None else now
        agency = self._step_agency(position)
        holders = self.staff.holders.get((agency, step.role), [])
        assignee = None
        if position == 1:
            if actor in holders:
                assignee = actor
        else:
            earlier = next(
                (t[4] for t in reversed(self.tasks) if t[0] == position and t[4] is not None), None
            )
            if earlier is not None and earlier in holders:
                assignee = earlier
        if assignee is None and len(holders) == 1:
            assignee = holders[0]
        due = self.clock.add(start, share)
        task = [
            position,
            step.name,
            agency,
            step.role,
            assignee,
            step.hours,
            now,
            due,
            None,
            "",
            step.minutes,
        ]
        self.tasks.append(task)
        self.open = task
        username = self.staff.usernames[assignee] if assignee is not None else ""
        payload["task"] = Raw(
            f'{{"agency":"{self.g.agency_codes[agency]}","assignee":"{username}",'
            f'"due_at":"{self.stamps.local(due)}","position":{position}}}'
        )
        return task

    def _close_step(self, now: int, payload: dict[str, Any]) -> int | None:
        """`effects._close_step`: the closed step's due time."""
        task = self.open
        if task is None:
            return None
        task[8] = now
        task[9] = self._outcome(now, task[7])
        self.spent[task[0]] = self.spent.get(task[0], 0) + self.clock.between(task[6], now)
        payload["finished_task"] = Raw(f'{{"outcome":"{task[9]}","position":{task[0]}}}')
        self.open = None
        return int(task[7])

    def _outcome(self, finished: int, due: int) -> str:
        if finished > due:
            return "late"
        if self.clock.local_day(finished) < self.clock.local_day(due):
            return "early"
        return "on_time"

    def _complete(self, now: int, payload: dict[str, Any]) -> None:
        """`effects._complete`: decided, on time or not against the original due time."""
        self._close_step(now, payload)
        self.completed = now
        measured = self.paused_at if self.clock_state == "paused" and self.paused_at else now
        self.clock_state = "stopped"
        if self.original_due is not None:
            outcome = self._outcome(measured, self.original_due)
            self.outcome = "late" if self.supplement_count > 1 else outcome
        payload["outcome"] = self.outcome

    def _holder(self, task: list[Any]) -> int:
        """Who acts at a step: its assignee, else one of its role's holders there."""
        if task[4] is not None:
            return int(task[4])
        return self.staff.any(task[2], task[3], self.rng)

    def _leader(self) -> int:
        return self.staff.any(self.competent, "leader", self.rng)

    def _applicant_actor(self) -> int:
        """The applicant, or the desk recording what the applicant asked."""
        if self.h.owner is not None:
            return self.h.owner
        return self.staff.any(self.desk.id, "reception", self.rng)

    # ------------------------------------------------------------------ processing

    def _process(self) -> None:
        rng, clock, proc, force = self.rng, self.clock, self.proc, self.h.force
        anchor = self.g.anchor
        positions = [p for p, s in enumerate(proc.steps, 1) if not s.when or self.form.get(s.when)]
        leaders = [p for p in positions if proc.steps[p - 1].role == "leader"]
        signing = leaders[-1] if leaders else positions[-1]
        # The desk's step: the dossier goes to the competent body.
        desk_task = _some(self.open)
        minutes = max(2, int(desk_task[10] * rng.uniform(0.05, 0.9)))
        if force == "received":
            minutes = clock.between(desk_task[6], anchor) + 60
        at = self.later(desk_task[6], minutes)
        if not force and rng.random() < WITHDRAW_RECEIVED:
            self._withdraw(self.when(at))
            return
        actor = self._holder(desk_task)
        at = self.when(at)
        payload: dict[str, Any] = {}
        if len(positions) == 1:  # decided at the desk
            self.signed = True
            self._complete(at, payload)
            self.event("approve", "result_ready", at, actor, payload=payload, step=desk_task)
            self._return()
            return
        after = self._close_step(at, payload)
        self._open_step(positions[1], at, after=after, payload=payload)
        self.event("transfer", "processing", at, actor, payload=payload, step=desk_task)
        # What may happen on the way, decided once: a stop or a withdrawal (up to the
        # signing), a send-back at the signing step, a supplement at the first step.
        up_to_signing = [p for p in positions[1:] if p <= signing]
        stop = force == "stopped" or (not force and rng.random() < STOP)
        withdraw = force == "withdrawn" or (not force and not stop and rng.random() < WITHDRAW)
        ending = 0
        if stop or withdraw:
            ending = up_to_signing[0] if force else rng.choice(up_to_signing)
        send_back = not force and rng.random() < SEND_BACK
        supplement = force == "supplement" or (
            not force and rng.random() < SUPPLEMENT_IN_PROCESSING
        )
        obligation = force == "obligation" or (not force and rng.random() < OBLIGATION)
        while True:
            task = _some(self.open)
            position = task[0]
            ready = int(task[6])
            holders = self.staff.holders.get((task[2], task[3]), [])
            if task[4] is None and task[3] != "leader" and len(holders) > 1:
                ready = self._assign(task, ready)
            share = max(1, clock.between(task[6], task[7]))
            work = max(
                1, min(int(share * (rng.uniform(0.3, 0.8) if force else self.factor())), 480 * 60)
            )
            if force == "processing":
                work = max(work, clock.between(ready, anchor) + 480)
            if force == "apology" and position == positions[1]:
                work = max(work, clock.between(ready, self.due or ready) + 240)
            # A supplement asked while processing: at the first step after the desk's,
            # within 3 working days of receipt.
            if position == positions[1] and supplement:
                supplement = False
                at = self.later(ready, 10 if force else min(work // 3 + 1, 600))
                if clock.between(_some(self.received), at) <= 3 * 480:
                    ready = self._supplement(task, self.when(at))
                    if self.status != "processing":
                        return
                    work = max(1, int(work * 0.7))
            # The tax office's step of a land dossier: the obligation and its payment.
            if position == proc.tax_position and obligation:
                obligation = False
                ready = self._obligation(self.when(self.later(ready, work // 2 + 1)))
                work = max(1, work // 2)
            if position == ending:
                at = self.when(self.later(ready, work // 2 + 1))
                if stop:
                    payload = {}
                    self._complete(at, payload)
                    self.event(
                        "stop",
                        "stopped",
                        at,
                        self._leader(),
                        note=rng.choice(STOP_REASONS),
                        payload=payload,
                        step=task,
                    )
                else:
                    self._withdraw(at)
                return
            finish = self.later(ready, work)
            # About to be late: the competent leader may apologise, once, with a new date.
            due = self.due
            if (
                self.apology is None
                and due is not None
                and finish > due
                and (force == "apology" or (not force and rng.random() < APOLOGY))
            ):
                at = max(ready, clock.at(max(1, clock.w(due) - 480)) + rng.randrange(60))
                at = self.when(min(at, finish - 1))
                new_due = clock.at(clock.w(finish) + 60 + rng.randrange(480))
                if force == "apology":
                    new_due = clock.at(clock.w(max(finish, anchor)) + 960)
                self._apologize(at, new_due)
                if force == "apology":
                    raise Cut
            # The leader sends the draft back to the step before, once in a while.
            reopen = [p for p in positions if 1 < p < position]
            if position == signing and send_back and reopen:
                send_back = False
                at = self.when(self.later(ready, max(1, work // 3)))
                actor = self._holder(task)
                payload = {}
                self._close_step(at, payload)
                self._open_step(reopen[-1], at, payload=payload)
                note = rng.choice(SEND_BACK_NOTES)
                self.event(
                    "send_back", "processing", at, actor, note=note, payload=payload, step=task
                )
                redo = _some(self.open)
                at = self.when(self.later(at, max(1, int(redo[10] * rng.uniform(0.05, 0.3)))))
                payload = {}
                after = self._close_step(at, payload)
                self._open_step(position, at, after=after, payload=payload)
                actor = self._holder(redo)
                self.event("forward", "processing", at, actor, payload=payload, step=redo)
                continue
            at = self.when(finish)
            actor = self._holder(task)
            later = [p for p in positions if p > position]
            payload = {}
            if position == signing:
                self.signed = True
                if later:
                    after = self._close_step(at, payload)
                    self._open_step(later[0], at, after=after, payload=payload)
                    self.event("approve", "processing", at, actor, payload=payload, step=task)
                    continue
                self._complete(at, payload)
                self.event("approve", "result_ready", at, actor, payload=payload, step=task)
                break
            if not later:  # the last step after the signing
                self._complete(at, payload)
                self.event("forward", "result_ready", at, actor, payload=payload, step=task)
                break
            after = self._close_step(at, payload)
            self._open_step(later[0], at, after=after, payload=payload)
            self.event("forward", "processing", at, actor, payload=payload, step=task)
        self._return()

    def _assign(self, task: list[Any], ready: int) -> int:
        """Several officers hold the step's role: it waits for a leader to give it."""
        at = self.when(self.later(ready, 5 + self.rng.randrange(240)))
        leader = (
            self.staff.holders.get((task[2], "leader"))
            or self.staff.holders[(self.competent, "leader")]
        )
        assignee = self.rng.choice(self.staff.holders[(task[2], task[3])])
        task[4] = assignee
        self.event(
            "assign",
            self.status,
            at,
            leader[0],
            payload={"position": task[0], "assignee": self.staff.usernames[assignee]},
        )
        return at

    def _supplement(self, task: list[Any], at: int) -> int:
        """Asked during processing: answered and accepted (the clock starts again), lapsed
        (stopped by the daily job), or withdrawn. Returns when work resumes."""
        rng, clock = self.rng, self.clock
        asker = self._holder(task)
        supplement = self._ask(at, asker, at_intake=False)
        r = rng.random()
        if self.h.force == "supplement":
            raise Cut
        if r < SUPPLEMENT_ANSWERED:
            if self.h.owner is not None:
                answered = self.when(at + int(rng.uniform(0.5, 10) * 86400))
            else:
                answered = self.when(self.later(at, 120 + rng.randrange(480 * 6)))
            answered = min(answered, supplement[5])
            supplement[6] = answered
            self.event(
                "submit_supplement",
                "supplement_requested",
                answered,
                self._applicant_actor(),
                payload={"requested_by": self.staff.usernames[asker]},
            )
            done = self.when(self.later(answered, 20 + rng.randrange(460)))
            supplement[7] = done
            self.supplement_minutes += clock.between(_some(self.paused_at), done)
            self.due = self.original_due = clock.due(done, *self._limit())
            self.clock_state, self.remaining, self.paused_at = "running", None, None
            task[7] = clock.add(done, int(task[10]))
            self.event(
                "complete_supplement",
                "processing",
                done,
                asker,
                payload={"due_at": self.stamps.local(self.due)},
            )
            return done
        if r < SUPPLEMENT_ANSWERED + SUPPLEMENT_LAPSED:
            at = self.when(_daily(supplement[5], LAPSE_JOB_AT))
            supplement[8] = True
            payload: dict[str, Any] = {}
            self._complete(at, payload)
            self.event("stop", "stopped", at, None, note=LAPSED_NOTE, payload=payload, step=task)
            return at
        at = self.when(at + int(rng.uniform(1, 8) * 86400))
        supplement[8] = True
        self._withdraw(at)
        return at

    def _obligation(self, at: int) -> int:
        """`request_obligation` with the tax transfer, then the payment the poll confirms.
        Returns when work resumes."""
        rng, clock = self.rng, self.clock
        self.remaining = clock.between(at, _some(self.due))
        self.clock_state, self.paused_at = "paused", at
        kind = "TNCN" if self.form.get("change_kind") == "chuyen_nhuong" else "LPTB"
        value = self.form.get("contract_value_vnd") or rng.randint(4, 60) * 50_000_000
        self.tax_delivered = None
        self.event(
            "request_obligation",
            "awaiting_obligation",
            at,
            self._leader(),
            note=OBLIGATION_NOTE,
            payload={
                "remaining_minutes": self.remaining,
                "tax": {"kind": kind, "taxable_value": value},
            },
        )
        if self.h.force == "obligation" or self.tax_delivered is None:
            raise Cut  # waits for the payment (or for the transfer to get through)
        paid = self.when(max(self.tax_delivered + 3600, at + int(rng.uniform(2, 25) * 86400)))
        if paid >= self.g.bus_from:
            self.g._log(
                paid,
                "out",
                "thue",
                "thue.payment.read",
                "motcua",
                "",
                None,
                self.g.storage.get("thue.payment.read", "digest"),
                200,
                "0",
                150 + rng.randrange(900),
                "ok",
            )
        paused = at
        if self.original_due is not None:
            left = clock.between(paused, self.original_due)
            if left > 0:
                self.original_due = clock.add(paid, left)
        task = self.open
        if task is not None:
            left = clock.between(paused, task[7])
            if left > 0:
                task[7] = clock.add(paid, left)
        if self.remaining and self.remaining > 0:
            self.due = clock.add(paid, self.remaining)
        self.clock_state, self.remaining, self.paused_at = "running", None, None
        reference = f"CT{self.pk:010d}"
        self.event(
            "confirm_obligation",
            "processing",
            paid,
            None,
            payload={"payment_reference": reference, "due_at": self.stamps.local(self.due)},
        )
        return paid

    def _apologize(self, at: int, new_due: int) -> None:
        due = _some(self.due)
        leader = self._leader()
        notice = self.clock.between(at, due)
        reason = self.rng.choice(APOLOGY_REASONS)
        late = notice < 480
        self.apology = (reason, at, leader, due, new_due, late)
        self.due = new_due
        if self.clock_state == "paused":
            self.remaining = self.clock.between(at, new_due)
        self.event(
            "apologize",
            self.status,
            at,
            leader,
            note=reason,
            payload={"new_due_at": self.stamps.local(new_due), "late_notice": late},
        )

    def _withdraw(self, at: int) -> None:
        payload: dict[str, Any] = {}
        before = self.open
        self._close_step(at, payload)
        for supplement in self.supplements:
            if supplement[7] is None:  # `_close_supplement`
                supplement[8] = True
        self.clock_state = "stopped"
        self.event(
            "withdraw",
            "withdrawn",
            at,
            self._applicant_actor(),
            note=WITHDRAW_NOTE,
            step=before,
            payload=payload,
        )

    def _return(self) -> None:
        """The result handed over: at the counter (who took it, with which ID), by post, or
        downloaded by the applicant."""
        rng, h = self.rng, self.h
        completed = _some(self.completed)
        if h.force == "result_ready" or (not h.force and rng.random() < UNCOLLECTED):
            raise Cut
        method = self.return_method
        payload: dict[str, Any] = {}
        if method == "online" and h.owner is not None:
            at = self.when(completed + int(rng.uniform(0.02, 3) * 86400))
            actor = h.owner
        else:
            if method == "postal":
                minutes = 60 + rng.randrange(900)
            else:
                r = rng.random()
                minutes = (
                    30 + rng.randrange(270)
                    if r < 0.35
                    else 480 + rng.randrange(480 * 4)
                    if r < 0.85
                    else 480 * 5 + rng.randrange(480 * 25)
                )
            at = self.when(self.later(completed, minutes))
            actor = self.staff.any(self.desk.id, "reception", rng)
            if method == "counter":
                who = h.submitter or self.person
                payload["recipient"] = {"name": who.name, "id_number": who.id_number}
        self.returned = at
        self.event("return_result", "returned", at, actor, payload=payload)

    # ------------------------------------------------------------------ rows

    def _write(self) -> None:
        if not self.bus_started:
            self._go_live(None)
        g, h, stamps, person = self.g, self.h, self.stamps, self.person
        anchor, soon = g.anchor, g.soon
        running = self.clock_state == "running"
        org = h.org
        if not person.fold:
            person.fold = fold_text(f"{person.name} {person.id_number} ")
        search = " " + (person.fold if org is None else fold_text(f"{org[0]}  {org[1]}"))
        if self.code:
            search += (
                f" {self.code.lower()} {self.code.lower().replace('.', ' ').replace('-', ' ')}"
            )
        submitter = h.submitter
        papers = "[]"
        if self.code:
            papers = self.proc.papers_counter if h.channel == "counter" else self.proc.papers_other
        due, overdue, due_soon = self.due, False, False
        if running and due is not None:
            overdue = due < anchor
            due_soon = anchor <= due <= soon
        g.t_dossier.chunk.append(
            (
                self.pk,
                self.code,
                self.reference,
                self.national_reference,
                self.proc.id,
                self.proc.revision_id,
                self.desk.id,
                self.competent,
                h.channel,
                self.return_method,
                h.applicant_type,
                self.applicant_name,
                person.id_number if org is None else "",
                person.birth.isoformat() if org is None else None,
                person.gender if org is None else "",
                org[1] if org else "",
                person.name if org else "",
                person.phone,
                person.email,
                person.ward,
                person.street,
                submitter.name if submitter else "",
                submitter.id_number if submitter else "",
                submitter.phone if submitter else "",
                h.owner,
                h.owner if h.channel == "online" else h.receiver,
                None,
                self.status,
                _encode(self.form),
                stamps.db(h.submitted),
                stamps.db(self.received),
                h.book if self.code else None,
                papers,
                stamps.db(due),
                stamps.db(self.original_due),
                stamps.db(self.completed),
                stamps.db(self.returned),
                self.clock_state,
                self.remaining,
                stamps.db(self.paused_at),
                self.supplement_minutes,
                self.supplement_count,
                self.signed,
                self.outcome,
                due_soon,
                overdue,
                False,
                False,
                h.owner is not None and h.channel == "online",
                self.verified,
                self.paid_online,
                self.seq,
                self.seq,
                self.prev,
                search,
                stamps.db(self.last_at),
            ),
        )
        pk = self.pk
        for task in self.tasks:
            open_now = task[8] is None
            task_overdue = task_soon = False
            if open_now and running:
                task_overdue = task[7] < anchor
                task_soon = anchor <= task[7] <= soon
            row: tuple[Any, ...] = (
                pk,
                task[0],
                task[1],
                task[2],
                task[3],
                task[4],
                task[5],
                stamps.db(task[6]),
                stamps.db(task[7]),
                stamps.db(task[8]),
                task[9],
                task_soon,
                task_overdue,
            )
            if g.task_elsewhere:
                row += (task[2] != self.desk.id and task[2] != self.competent,)
            g.t_task.chunk.append(row)
        if self.code:
            for code, name, kind, amount in self.proc.fees:
                g.t_fee.chunk.append((pk, code, name, kind, amount))
        for s in self.supplements:
            g.t_supplement.chunk.append(
                (
                    pk,
                    s[0],
                    s[1],
                    s[2],
                    stamps.db(s[3]),
                    s[4],
                    stamps.db(s[5]),
                    stamps.db(s[6]),
                    stamps.db(s[7]),
                    s[8],
                ),
            )
        if self.apology is not None:
            reason, at, by, original, new_due, late = self.apology
            g.t_apology.chunk.append(
                (pk, reason, stamps.db(at), by, stamps.db(original), stamps.db(new_due), late),
            )
        if self.queued:
            state = (
                "synced"
                if self.synced >= self.queued
                else "failed"
                if self.sync_failed
                else "pending"
            )
            g.t_sync.chunk.append(
                (
                    pk,
                    self.queued,
                    self.synced,
                    state,
                    stamps.db(self.sync_at),
                    "HTTP 422 [E422]" if self.sync_failed else "",
                ),
            )
        if self.tax_notice is not None:
            transfer, number, total, due_date, recorded = self.tax_notice
            g.t_tax.chunk.append((pk, transfer, number, total, due_date, stamps.db(recorded)))


def fold_text(text: str) -> str:
    from egov.core.text import fold

    return fold(text)


# ------------------------------------------------------------------------------ command line


def _database_name(url: str) -> str:
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(url).path.lstrip("/"))


def _recreate(url: str, *, keep: bool = False) -> None:
    """Drop the database of `url` if it exists and create it empty (PostgreSQL: through
    its server's `postgres` database; SQLite: the file). `keep`: only create it if missing."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        if not keep:
            Path(parts.path[1:] if parts.path.startswith("//") else parts.path).unlink(
                missing_ok=True
            )
        return
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"bench.generate: a PostgreSQL or SQLite URL, not {parts.scheme}://")
    import psycopg

    name = _database_name(url)
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    quoted = '"' + name.replace('"', '""') + '"'
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if keep and exists.fetchone():
            return
        try:
            connection.execute(f"DROP DATABASE IF EXISTS {quoted}")
        except psycopg.errors.ObjectInUse as error:
            raise SystemExit(
                f"bench.generate: {name} is in use; close its connections first ({error})"
            ) from error
        connection.execute(f"CREATE DATABASE {quoted}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description="Make the bench database: the demo province and N generated dossiers.",
    )
    parser.add_argument("--dossiers", type=int, default=100_000, help="how many (100,000)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"the database (BENCH_DATABASE_URL, else {DEFAULT_DATABASE_URL}); dropped and "
        "created again unless --keep",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the database if it exists: migrate it, seed what is missing and add the "
        "dossiers to those it holds",
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed ({SEED})")
    parser.add_argument(
        "--now",
        type=datetime.datetime.fromisoformat,
        help="the anchor, an ISO time with its offset (default: the current hour); the same "
        "seed, size and anchor make the same rows",
    )
    parser.add_argument("--years", type=float, default=YEARS, help=f"history ({YEARS:g} years)")
    parser.add_argument(
        "--bus-days",
        type=float,
        default=BUS_DAYS,
        help=f"days of outbox and message-log history ({BUS_DAYS})",
    )
    parser.add_argument("--workers", type=int, help="processes that play the stories")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    if args.dossiers < 0:
        parser.error("--dossiers must be 0 or more")
    if args.now is not None and args.now.tzinfo is None:
        parser.error("--now needs an offset, e.g. 2026-12-04T15:00:00+07:00")
    started = time.perf_counter()
    _recreate(args.database_url, keep=args.keep)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("MOTCUA_MODE", "demo")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from egov.demo.seed import seed_demo

    if not args.quiet:
        sys.stderr.write(f" migrate and seed {_database_name(args.database_url)}\n")
    call_command("migrate", interactive=False, verbosity=0)
    seed_demo()
    report = generate(
        args.dossiers,
        seed=args.seed,
        progress=not args.quiet,
        now=args.now,
        years=args.years,
        bus_days=args.bus_days,
        workers=args.workers,
    )
    print(report.text())
    print(f"{time.perf_counter() - started:,.0f} s in all, with the migrations and the seed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
