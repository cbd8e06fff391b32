"""Counter intake and its papers (issue 11, point 2): a dossier is received only when every
mandatory paper is scanned or its original checked at the counter, and the receipt records
how each one came; a desk's list of papers through the API names every mandatory one."""

import io
from pathlib import Path
from typing import Any

import pytest

from egov.dossiers.errors import IntakePapersError
from egov.dossiers.lifecycle import Status
from egov.dossiers.models import Dossier, DossierDocument
from egov.dossiers.services import IntakeFile, counter_intake, dossier_create
from egov.interop.models import MessageLog
from tests.dossiers.conftest import CITIZEN
from tests.dossiers.test_api import BODY, bearer
from tests.uploads import PDF

pytestmark = pytest.mark.django_db

MISSING = "cần bản quét, hoặc đánh dấu đã kiểm tra bản chính tại quầy."


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def scan(component: str) -> IntakeFile:
    return IntakeFile(component=component, stream=io.BytesIO(PDF), name="scan.pdf", size=len(PDF))


def intake(people: dict[str, Any], **changes: Any) -> Dossier:
    """A birth registration (TP01 declaration and TP02 birth note, both mandatory) at the
    Long Xuyên counter."""
    arguments: dict[str, Any] = {
        "actor": people["desk"],
        "procedure_code": "1.001193",
        "agency_code": None,
        "applicant": CITIZEN,
        "return_method": "counter",
        "form_data": {},
        "submitter": None,
        "files": [],
        "decision": "receive",
        "note": "",
        "items": [],
        **changes,
    }
    return counter_intake(**arguments)


def nothing_left(media: Path) -> None:
    assert not Dossier.objects.exists()
    assert not DossierDocument.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_a_dossier_without_its_papers_is_not_received(procedures, people, clock, media):
    with pytest.raises(IntakePapersError) as refused:
        intake(people)
    assert refused.value.code == "papers_missing"
    assert refused.value.fields == {
        "documents.TP01": f"Tờ khai đăng ký khai sinh: {MISSING}",
        "documents.TP02": f"Giấy chứng sinh: {MISSING}",
    }
    assert "bản quét" in refused.value.message
    nothing_left(media)
    # No partner was asked about a dossier that could not be received.
    assert not MessageLog.objects.exists()


def test_one_scan_missing_names_that_paper_and_leaves_nothing(procedures, people, clock, media):
    with pytest.raises(IntakePapersError) as refused:
        intake(people, files=[scan("TP01")])
    assert refused.value.fields == {"documents.TP02": f"Giấy chứng sinh: {MISSING}"}
    nothing_left(media)


def test_each_paper_scanned_or_its_original_checked_is_received(procedures, people, clock, media):
    dossier = intake(people, files=[scan("TP02"), scan("TP02")], originals_checked=["TP01"])
    assert dossier.status == Status.RECEIVED and dossier.code
    assert dossier.received_papers == [
        {
            "component": "TP01",
            "name": "Tờ khai đăng ký khai sinh",
            "copy_kind": "original",
            "quantity": 1,
            "received_as": "original_checked",
        },
        {
            "component": "TP02",
            "name": "Giấy chứng sinh",
            "copy_kind": "original",
            "quantity": 2,
            "received_as": "scan",
        },
    ]
    assert list(dossier.documents.values_list("component", "digitised")) == [
        ("TP02", True),
        ("TP02", True),
    ]


def test_originals_alone_are_enough_and_store_no_file(procedures, people, clock, media):
    dossier = intake(people, originals_checked=["TP02", "TP01", "TP01"])
    assert [(p["component"], p["received_as"]) for p in dossier.received_papers] == [
        ("TP01", "original_checked"),
        ("TP02", "original_checked"),
    ]
    assert not dossier.documents.exists()


@pytest.mark.parametrize("unknown", ["XX99", "tp01", "=cmd|' /C calc'!A0", ""])
def test_a_paper_the_procedure_does_not_have_is_refused(unknown, procedures, people, clock, media):
    with pytest.raises(IntakePapersError) as refused:
        intake(people, files=[scan("TP01"), scan("TP02")], originals_checked=[unknown])
    assert refused.value.code == "unknown_component"
    assert refused.value.fields == {
        f"documents.{unknown}": "Thủ tục không có thành phần hồ sơ này."
    }
    nothing_left(media)


def test_a_scan_for_a_paper_the_procedure_does_not_have_is_refused(
    procedures, people, clock, media
):
    with pytest.raises(IntakePapersError) as refused:
        intake(people, files=[scan("TP01"), scan("TP09")], originals_checked=["TP02"])
    assert refused.value.fields == {"documents.TP09": "Thủ tục không có thành phần hồ sơ này."}
    nothing_left(media)


@pytest.mark.parametrize("decision", ["request_supplement", "refuse"])
def test_asking_for_papers_or_refusing_needs_no_papers(decision, procedures, people, clock, media):
    dossier = intake(
        people, decision=decision, note="Thiếu giấy chứng sinh", items=["Giấy chứng sinh"]
    )
    expected = Status.SUPPLEMENT_REQUESTED if decision == "request_supplement" else Status.REFUSED
    assert dossier.status == expected
    assert dossier.received_papers == []


def test_other_scans_are_listed_after_the_procedure_papers(procedures, people, clock, media):
    dossier = intake(people, files=[scan(""), scan("TP01")], originals_checked=["TP02"])
    assert [(p["name"], p["received_as"]) for p in dossier.received_papers] == [
        ("Tờ khai đăng ký khai sinh", "scan"),
        ("Giấy chứng sinh", "original_checked"),
        ("Giấy tờ khác", "scan"),
    ]


# --------------------------------------------------------- a desk's list, through the API


def test_a_desk_list_without_a_mandatory_paper_is_refused(procedures, people, clock):
    with pytest.raises(IntakePapersError) as refused:
        dossier_create(
            actor=people["desk"],
            procedure_code="1.001193",
            channel="counter",
            applicant=CITIZEN,
            return_method="counter",
            papers=[{"component": "TP02", "copy_kind": "original", "quantity": 1}],
        )
    assert refused.value.fields == {
        "papers.TP01": "Cần ghi nhận đã nhận: Tờ khai đăng ký khai sinh."
    }
    assert not Dossier.objects.exists()


def test_the_api_refuses_an_incomplete_list_with_the_field(procedures, people, clock, client):
    response = client.post(
        "/api/v1/dossiers",
        {**BODY, "papers": [{"component": "TP01"}]},
        content_type="application/json",
        headers=bearer(client, "tiepnhan.xa"),
    )
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "papers_missing"
    assert error["fields"] == {"papers.TP02": "Cần ghi nhận đã nhận: Giấy chứng sinh."}
    assert not Dossier.objects.exists()


def test_the_api_asks_a_counter_receipt_for_its_papers(procedures, people, clock, client):
    """Leaving the list out does not skip the rule the desk's own form keeps."""
    without = {key: value for key, value in BODY.items() if key != "papers"}
    response = client.post(
        "/api/v1/dossiers",
        without,
        content_type="application/json",
        headers=bearer(client, "tiepnhan.xa"),
    )
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "papers_missing"
    assert set(response.json()["error"]["fields"]) == {"papers.TP01", "papers.TP02"}
    assert not Dossier.objects.exists()
