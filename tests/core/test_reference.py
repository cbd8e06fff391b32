"""Reference data cached per process, invalidated by one stamp (egov.core.reference; issue 13).

Each test plays the parts of two web processes with one process's cache: what a process has
cached must never outlive a change committed before its next request began."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from egov.catalog.selectors import procedure_in_force
from egov.catalog.services import procedures_import
from egov.core import reference
from egov.core.models import ReferenceStamp
from egov.orgs.models import Agency, Membership, Role
from egov.orgs.selectors import agency_get, memberships_of, working_calendar
from egov.orgs.services import calendar_entry_set
from tests.conftest import BIRTH, CENTER, JUSTICE, catalogue


def in_a_request(read):
    """`read()` as a request runs it: inside the middleware's scope."""
    middleware = reference.ReferenceScopeMiddleware(lambda request: read())
    return middleware(None)


def stamp_reads(queries) -> int:
    return sum("core_referencestamp" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
def test_a_request_reads_the_stamp_once_and_the_data_once(agencies):
    in_a_request(lambda: agency_get(code=CENTER))  # the process's first request loads it
    with CaptureQueriesContext(connection) as queries:
        agency = in_a_request(
            lambda: [agency_get(code=CENTER), agency_get(code=JUSTICE), agency_get(code=CENTER)]
        )
    assert agency[0].code == CENTER and agency[1].code == JUSTICE
    assert stamp_reads(queries) == 1
    assert len(queries) == 2  # the stamp, and the one agency not yet cached


@pytest.mark.django_db
def test_a_change_saved_is_seen_by_the_next_request(agencies):
    assert in_a_request(lambda: agency_get(code=CENTER)).name.startswith("Trung tâm")
    row = Agency.objects.get(code=CENTER)
    row.name = "Trung tâm Phục vụ hành chính công tỉnh An Giang (mới)"
    row.save()
    assert in_a_request(lambda: agency_get(code=CENTER)).name.endswith("(mới)")


@pytest.mark.django_db
def test_a_role_given_or_taken_is_seen_at_once(agencies, staff):
    officer = staff("tiepnhan", CENTER, "reception")
    assert [m.role for m in in_a_request(lambda: memberships_of(user=officer))] == ["reception"]
    membership = Membership.objects.get(user=officer)
    membership.active = False
    membership.save()
    assert in_a_request(lambda: memberships_of(user=officer)) == ()
    Membership.objects.create(user=officer, agency=Agency.objects.get(code=JUSTICE), role="leader")
    assert [m.role for m in memberships_of(user=officer)] == [Role.LEADER]


@pytest.mark.django_db
def test_a_calendar_entry_ends_the_cached_calendar(agencies, staff):
    admin = staff("quantri", CENTER, "province_admin")
    saturday = datetime.date(2026, 12, 5)
    assert not in_a_request(working_calendar).is_working_day(saturday)
    calendar_entry_set(
        actor=admin, date=saturday, kind="working_day", name="Làm bù", legal_basis="QĐ 1/2026"
    )
    assert in_a_request(working_calendar).is_working_day(saturday)


@pytest.mark.django_db
def test_a_catalogue_import_ends_the_cached_procedures(procedures):
    before = in_a_request(lambda: procedure_in_force(national_code="1.001193"))
    procedures_import(data=catalogue({**BIRTH, "name": "Đăng ký khai sinh (sửa)"}))
    after = in_a_request(lambda: procedure_in_force(national_code="1.001193"))
    assert before.name != after.name == "Đăng ký khai sinh (sửa)"


@pytest.mark.django_db
def test_a_change_rolled_back_leaves_nothing_cached_from_it(agencies):
    def renamed_then_failed():
        with transaction.atomic():
            row = Agency.objects.get(code=CENTER)
            row.name = "Tên chưa lưu"
            row.save()
            assert agency_get(code=CENTER).name == "Tên chưa lưu"  # its own write, uncached
            raise RuntimeError

    with pytest.raises(RuntimeError):
        in_a_request(renamed_then_failed)
    assert in_a_request(lambda: agency_get(code=CENTER)).name != "Tên chưa lưu"


@pytest.mark.django_db
def test_what_a_request_began_with_is_what_it_sees_until_it_ends(agencies):
    """A change committed mid-request by someone else reaches the next request, not this one
    half-way (the stamp is read once): simulated by moving the stamp under the request."""
    seen = []

    def read_twice():
        seen.append(agency_get(code=CENTER).name)
        ReferenceStamp.objects.filter(pk=1).update(value=12345)
        Agency.objects.filter(code=CENTER).update(name="Đổi tên")  # as another process would
        seen.append(agency_get(code=CENTER).name)

    in_a_request(read_twice)
    assert seen[0] == seen[1] != "Đổi tên"
    assert in_a_request(lambda: agency_get(code=CENTER)).name == "Đổi tên"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_another_process_commit_is_seen_by_the_next_request(agencies):
    """Another process (a thread with its own connection) commits a change: this process's
    next request sees it, though it cached the agency before."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs a second connection that commits (MOTCUA_TEST_DATABASE_URL=postgres://...)"
        )
    # An earlier test of this kind may have flushed the row the migration made.
    ReferenceStamp.objects.get_or_create(pk=1, defaults={"value": 1})
    assert in_a_request(lambda: agency_get(code=CENTER)).short_name != "TTPVHCC mới"

    def administrator() -> None:
        try:
            row = Agency.objects.get(code=CENTER)
            row.short_name = "TTPVHCC mới"
            row.save()
        finally:
            connection.close()

    worker = threading.Thread(target=administrator)
    worker.start()
    worker.join()
    assert in_a_request(lambda: agency_get(code=CENTER)).short_name == "TTPVHCC mới"
