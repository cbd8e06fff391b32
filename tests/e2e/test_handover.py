"""Issue 11, point 4 in the browser: work finds its officer. After each hand-over the next
officer sees the count of unread notices in the header, the notice links to the dossier, and
a leader's "Việc của tôi" holds what waits for their signature."""

import pytest

from egov.catalog.services import procedures_import
from egov.dossiers.services import dossier_create
from tests.conftest import COMMUNE, catalogue
from tests.dossiers.conftest import CITIZEN, act
from tests.e2e.test_desk import SIMPLE, serious, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_each_hand_over_reaches_the_next_officer(live_server, agencies, people, staff, page):
    procedures_import(data=catalogue(SIMPLE))
    deputy = staff("phochutich.xa", COMMUNE, "leader")  # two leaders: nobody is given the step
    dossier = dossier_create(
        actor=people["desk"],
        procedure_code=SIMPLE["national_code"],
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )
    base = live_server.url
    act(dossier, "transfer", people["desk"])

    sign_in(page, base, "chuyenvien.xa")
    notices = page.get_by_role("link", name="Thông báo 1 chưa đọc")
    notices.click()
    page.get_by_role("link", name=f"Hồ sơ {dossier.code} chờ bạn xử lý").click()
    page.get_by_role("heading", name=dossier.code).first.wait_for()
    assert not serious(page), serious(page)
    act(dossier, "forward", people["specialist"])

    for leader in ("lanhdao.xa", deputy.username):
        sign_in(page, base, leader)
        page.get_by_role("link", name="Thông báo 1 chưa đọc").wait_for()
        page.goto(base + "/can-bo/?tab=mine")
        page.get_by_role("link", name=dossier.code).wait_for()
        assert not serious(page), serious(page)
    act(dossier, "approve", deputy)
    sign_in(page, base, "lanhdao.xa")
    page.goto(base + "/can-bo/?tab=mine")
    assert page.get_by_role("link", name=dossier.code).count() == 0
