"""200 receipts at one desk at once: 200 distinct, consecutive codes (PostgreSQL's row locks)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from egov.dossiers.models import Dossier
from egov.dossiers.services import dossier_create
from tests.dossiers.conftest import CITIZEN

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RECEIPTS = 200
WORKERS = 16


def test_concurrent_receipts_get_distinct_consecutive_codes(procedures, people):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's real row locks (MOTCUA_TEST_DATABASE_URL=postgres://...)")
    desk = people["desk"]

    def receive(_: int) -> str:
        try:
            dossier = dossier_create(
                actor=desk,
                procedure_code="1.001193",
                channel="counter",
                applicant=CITIZEN,
                return_method="counter",
            )
            return dossier.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        codes = list(pool.map(receive, range(RECEIPTS)))

    assert len(set(codes)) == RECEIPTS
    prefix = {code.rsplit("-", 1)[0] for code in codes}
    assert len(prefix) == 1
    assert sorted(int(code.rsplit("-", 1)[1]) for code in codes) == list(range(1, RECEIPTS + 1))
    assert Dossier.objects.count() == RECEIPTS
