"""Files of a dossier over the API: checked on the way in, served only to who may see."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.dossiers.models import DossierDocument
from tests.dossiers.test_api import BODY, bearer, post
from tests.uploads import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier_code(client, people, procedures, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    desk = bearer(client, "tiepnhan.xa")
    return post(client, "/api/v1/dossiers", BODY, desk).json()["code"], desk


def upload(client, code, headers, content=PDF, name="Giấy chứng sinh.pdf", **fields):
    return client.post(
        f"/api/v1/dossiers/{code}/documents",
        {"file": SimpleUploadedFile(name, content), **fields},
        headers=headers,
    )


def test_the_desk_scans_a_paper_and_anyone_who_may_see_downloads_it(client, dossier_code):
    code, desk = dossier_code
    response = upload(client, code, desk, component="TP02", digitised="true")
    assert response.status_code == 201, response.content
    document = response.json()
    assert document["name"] == "Giay-chung-sinh.pdf"
    assert document["content_type"] == "application/pdf" and document["digitised"] is True
    download = client.get(f"/api/v1/dossiers/{code}/documents/{document['uuid']}", headers=desk)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    stranger = bearer(client, "chuyenvien.stp")
    hidden = client.get(f"/api/v1/dossiers/{code}/documents/{document['uuid']}", headers=stranger)
    assert hidden.status_code == 404
    listed = client.get(f"/api/v1/dossiers/{code}/documents", headers=desk).json()
    assert [d["component"] for d in listed] == ["TP02"]
    events = client.get(f"/api/v1/dossiers/{code}/events", headers=desk).json()
    assert events[-1]["action"] == "attach_document"


def test_a_disguised_file_is_refused_and_nothing_is_stored(client, dossier_code, tmp_path):
    code, desk = dossier_code
    response = upload(client, code, desk, content=b"MZ\x90\x00", name="giay-to.pdf")
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "Nội dung tệp không đúng với phần mở rộng của tên tệp."
    )
    assert not DossierDocument.objects.exists()
    assert not list(tmp_path.rglob("*"))


def test_unknown_component_and_the_wrong_person_are_refused(client, dossier_code):
    code, desk = dossier_code
    assert upload(client, code, desk, component="TP99").status_code == 422
    specialist = bearer(client, "chuyenvien.xa")  # the dossier is still at the desk
    assert upload(client, code, specialist).status_code == 403


def test_only_the_desk_marks_papers_digitised(client, dossier_code, people):
    code, desk = dossier_code
    specialist = bearer(client, "chuyenvien.xa")
    post(client, f"/api/v1/dossiers/{code}/actions/transfer", {"version": 2}, desk)
    refused = upload(client, code, specialist, digitised="true")
    assert refused.status_code == 403
    assert upload(client, code, specialist).status_code == 201


def test_pdfs_are_viewed_in_a_sandbox(client, dossier_code):
    code, desk = dossier_code
    uuid = upload(client, code, desk, component="TP02").json()["uuid"]
    shown = client.get(f"/api/v1/dossiers/{code}/documents/{uuid}?inline=true", headers=desk)
    assert shown["Content-Disposition"].startswith("inline")
    assert "sandbox" in shown["Content-Security-Policy"]
