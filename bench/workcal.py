"""How fast the working-time clock answers: due times per second, by unit and limit.

Run with `make bench` (or `.venv/bin/python -m bench.workcal`). Every dossier's receipt, step
hand-over, pause and resume asks the clock, and the overdue scan asks it for many dossiers at
once, so it must stay cheap. Prints a table; asserts nothing about speed.
"""

import random
import time
from datetime import datetime, timedelta
from decimal import Decimal

from egov.core.workcal import VN_TZ, Unit, WorkingCalendar

CASES = [
    ("hours", Decimal(4)),
    ("working_days", Decimal(1)),
    ("working_days", Decimal(3)),
    ("working_days", Decimal(20)),
    ("working_days", Decimal(90)),
    ("days", Decimal(30)),
    ("months", Decimal(3)),
]
CALLS = 20_000


def receipts(count: int, seed: int = 2026) -> list[datetime]:
    """Receipt instants spread over 2026–2027, at minute resolution, any hour of the week."""
    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not a secret
    start = datetime(2026, 1, 1, tzinfo=VN_TZ)
    return [start + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)) for _ in range(count)]


def main() -> None:
    calendar = WorkingCalendar()
    instants = receipts(CALLS)
    # Warm the per-year holiday cache once, as a running server would have it.
    for instant in instants[:100]:
        calendar.due_time(instant, Decimal(1), Unit.WORKING_DAYS)
    print(f"{'unit':<14}{'limit':>7}{'due times/s':>14}{'µs each':>10}")
    for unit, limit in CASES:
        began = time.perf_counter()
        for instant in instants:
            calendar.due_time(instant, limit, Unit(unit))
        elapsed = time.perf_counter() - began
        print(f"{unit:<14}{limit:>7}{CALLS / elapsed:>14,.0f}{elapsed / CALLS * 1e6:>10.1f}")
    began = time.perf_counter()
    for instant in instants:
        due = calendar.due_time(instant, Decimal(10), Unit.WORKING_DAYS)
        calendar.resume(due, calendar.remaining_at(due, instant + timedelta(days=3)))
    elapsed = time.perf_counter() - began
    print(f"{'pause+resume':<14}{10:>7}{CALLS / elapsed:>14,.0f}{elapsed / CALLS * 1e6:>10.1f}")


if __name__ == "__main__":
    main()
