"""Online submission as a guided form: sign in, answer page by page, upload or reuse papers,
check and submit; the dossier waits in the desk's online intake queue."""

import dataclasses
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from egov.accounts.vneid import citizen_sign_in
from egov.dossiers.models import Dossier, DossierDraft, DraftPaper
from tests.conftest import CENTER, COMMUNE_CENTER
from tests.portal.test_mine import PDF, PERSON

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    # No population database here: the prefill says so and the person types the address.
    settings.MOTCUA_LGSP_SYSTEMS = {
        **settings.MOTCUA_LGSP_SYSTEMS,
        "csdldc": {**settings.MOTCUA_LGSP_SYSTEMS["csdldc"], "url": "http://127.0.0.1:9"},
    }


@pytest.fixture
def signed_in(client: Client, procedures: None) -> Client:
    client.force_login(citizen_sign_in(profile=PERSON))
    return client


def _start(client: Client) -> DossierDraft:
    response = client.post(reverse("portal:submit_start", args=["1.001193"]))
    assert response.status_code == 302
    return DossierDraft.objects.get()


def _page(draft: DossierDraft, page: str) -> str:
    return reverse("portal:draft_page", args=[draft.uuid, page])


def _upload(client: Client, draft: DossierDraft, component: str, name: str = "a.pdf") -> Any:
    return client.post(
        _page(draft, "giay-to"),
        {
            "intent": "upload",
            "component": component,
            f"file_{component}": SimpleUploadedFile(name, PDF),
        },
    )


def test_anonymous_is_sent_to_vneid_and_back(client: Client, procedures: None) -> None:
    start = reverse("portal:submit_start", args=["1.001193"])
    page = client.get(start)
    assert "Đăng nhập bằng VNeID để nộp" in page.content.decode()
    response = client.post(start)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:vneid_start"))
    assert not DossierDraft.objects.exists()


def test_a_citizen_submits_page_by_page_into_the_desks_queue(
    signed_in: Client, people: dict[str, Any]
) -> None:
    draft = _start(signed_in)
    first = signed_in.get(_page(draft, "nguoi-nop"))
    body = first.content.decode()
    # What VNeID verified is shown, never asked again.
    assert PERSON.full_name in body and 'name="id_number"' not in body
    # A missing phone: the error summary links to the field, nothing is kept.
    bad = signed_in.post(
        _page(draft, "nguoi-nop"), {"phone": "", "ward_code": "30307", "street": "12 Trần Hưng Đạo"}
    )
    assert bad.status_code == 422
    assert 'href="#id_phone"' in bad.content.decode()
    ok = signed_in.post(
        _page(draft, "nguoi-nop"),
        {"phone": "0912345678", "ward_code": "30307", "street": "12 Trần Hưng Đạo"},
    )
    assert ok["Location"] == _page(draft, "to-khai")
    bad_choice = signed_in.post(_page(draft, "to-khai"), {"f_child_gender": "robot"})
    assert bad_choice.status_code == 422
    eform = signed_in.post(
        _page(draft, "to-khai"), {"f_child_full_name": "Nguyễn Văn Bé", "f_child_gender": "male"}
    )
    assert eform["Location"] == _page(draft, "giay-to")
    # Going on without the mandatory papers is refused by name.
    missing = signed_in.post(_page(draft, "giay-to"), {"intent": "continue"})
    assert missing.status_code == 422 and "Cần nộp: Giấy chứng sinh." in missing.content.decode()
    assert _upload(signed_in, draft, "TP01").status_code == 302
    assert _upload(signed_in, draft, "TP02").status_code == 302
    lying = _upload(signed_in, draft, "TP02", name="virus.exe")
    assert lying.status_code == 422
    assert DraftPaper.objects.count() == 2
    assert signed_in.post(_page(draft, "giay-to"), {"intent": "continue"})["Location"] == _page(
        draft, "nhan-ket-qua"
    )
    chosen = signed_in.post(
        _page(draft, "nhan-ket-qua"), {"agency_code": CENTER, "return_method": "online"}
    )
    assert chosen["Location"] == _page(draft, "kiem-tra")
    check = signed_in.get(_page(draft, "kiem-tra")).content.decode()
    assert "Trung tâm Phục vụ hành chính công tỉnh An Giang" in check and "a.pdf" in check
    assert "Nguyễn Văn Bé" in check
    done = signed_in.post(_page(draft, "kiem-tra"))
    dossier = Dossier.objects.get()
    assert done["Location"] == reverse("portal:my_dossier", args=[str(dossier.reference)])
    assert dossier.status == "submitted" and dossier.channel == "online"
    assert dossier.vneid_verified and dossier.applicant_id_number == PERSON.id_number
    assert dossier.applicant_phone == "0912345678"
    assert sorted(d.component for d in dossier.documents.all()) == ["TP01", "TP02"]
    assert not DossierDraft.objects.exists() and not DraftPaper.objects.exists()
    # The chosen desk's online intake queue (any desk: intake regardless of boundary).
    assert dossier.receiving_agency.code == CENTER
    assert dossier.competent_agency.ward_code == 30307


def test_a_level_one_sign_in_types_its_identity(client: Client, procedures: None) -> None:
    client.force_login(citizen_sign_in(profile=dataclasses.replace(PERSON, level=1)))
    draft = _start(client)
    assert 'name="id_number"' in client.get(_page(draft, "nguoi-nop")).content.decode()


def test_someone_elses_draft_is_not_found(signed_in: Client, client: Client) -> None:
    draft = _start(signed_in)
    other = Client()
    other.force_login(
        citizen_sign_in(
            profile=dataclasses.replace(
                PERSON, subject="x-2", id_number="089095000777", birth_date=None, gender="male"
            )
        )
    )
    assert other.get(_page(draft, "nguoi-nop")).status_code == 404
    assert (
        other.get(reverse("portal:draft_page", args=["khong-phai-uuid", "nguoi-nop"])).status_code
        == 404
    )
    assert (
        signed_in.get(reverse("portal:draft_page", args=[draft.uuid, "trang-la"])).status_code
        == 404
    )


def test_a_paper_from_my_documents_is_reused_and_recorded(
    signed_in: Client, people: dict[str, Any]
) -> None:
    from tests.portal.test_mine import submit

    user = (
        DossierDraft.objects.none()
        .model._meta.get_field("owner")
        .related_model.objects.get(username__startswith="vneid_")
    )
    earlier = submit(user)
    reused = earlier.documents.get(component="TP02")
    draft = _start(signed_in)
    signed_in.post(
        _page(draft, "nguoi-nop"),
        {"phone": "0912345678", "ward_code": "30307", "street": "12 Trần Hưng Đạo"},
    )
    _upload(signed_in, draft, "TP01")
    pick = signed_in.post(
        _page(draft, "giay-to"),
        {"intent": "reuse", "component": "TP02", "reuse_TP02": str(reused.uuid)},
    )
    assert pick.status_code == 302
    signed_in.post(_page(draft, "giay-to"), {"intent": "continue"})
    signed_in.post(
        _page(draft, "nhan-ket-qua"), {"agency_code": COMMUNE_CENTER, "return_method": "online"}
    )
    signed_in.post(_page(draft, "kiem-tra"))
    dossier = Dossier.objects.exclude(pk=earlier.pk).get()
    copy = dossier.documents.get(component="TP02")
    assert dossier.reused and copy.reused_from == reused and copy.sha256 == reused.sha256
    assert copy.file.name != reused.file.name


def test_a_draft_is_deleted_with_its_files(
    signed_in: Client, django_capture_on_commit_callbacks: Any
) -> None:
    draft = _start(signed_in)
    _upload(signed_in, draft, "TP01")
    [paper] = DraftPaper.objects.all()
    stored = paper.file.path
    assert signed_in.get(reverse("portal:draft_delete", args=[draft.uuid])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("portal:draft_delete", args=[draft.uuid]))
    assert response["Location"] == reverse("portal:my_dossiers")
    assert not DossierDraft.objects.exists() and not DraftPaper.objects.exists()
    import os

    assert not os.path.exists(stored)


def test_a_paper_that_is_not_really_a_picture_is_refused_with_the_reason(
    signed_in: Client,
) -> None:
    draft = _start(signed_in)
    # A JPEG's first bytes, then nothing a viewer could show.
    fake = SimpleUploadedFile("giay-chung-sinh.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 64)
    response = signed_in.post(
        _page(draft, "giay-to"), {"intent": "upload", "component": "TP01", "file_TP01": fake}
    )
    assert response.status_code == 422
    # In the page's summary of problems, linked to the file input it is about.
    assert (
        '<a href="#file_TP01">Tệp ảnh bị hỏng hoặc không phải ảnh thật.</a>'
        in response.content.decode()
    )
    assert not DraftPaper.objects.exists()


def _ready_to_submit(client: Client) -> DossierDraft:
    draft = _start(client)
    client.post(
        _page(draft, "nguoi-nop"),
        {"phone": "0912345678", "ward_code": "30307", "street": "12 Trần Hưng Đạo"},
    )
    client.post(_page(draft, "to-khai"), {})
    _upload(client, draft, "TP01")
    _upload(client, draft, "TP02")
    client.post(_page(draft, "giay-to"), {"intent": "continue"})
    client.post(_page(draft, "nhan-ket-qua"), {"agency_code": CENTER, "return_method": "online"})
    return draft


def test_a_second_click_on_submit_makes_no_second_dossier(signed_in: Client) -> None:
    draft = _ready_to_submit(signed_in)
    # Resuming a finished draft opens its check page: every page is answered.
    assert signed_in.get(reverse("portal:draft", args=[draft.uuid]))["Location"] == _page(
        draft, "kiem-tra"
    )
    first = signed_in.post(_page(draft, "kiem-tra"))
    again = signed_in.post(_page(draft, "kiem-tra"))
    assert first.status_code == 302 and again.status_code == 404
    assert Dossier.objects.count() == 1


def test_hidden_characters_and_huge_numbers_are_refused_with_a_message(
    signed_in: Client,
) -> None:
    draft = _start(signed_in)
    refused_at_once = signed_in.post(
        _page(draft, "nguoi-nop"),
        {"phone": "0912345678", "ward_code": "30307", "street": "12\x07\x1b[31m A"},
    )
    assert refused_at_once.status_code == 400  # control characters: egov.core.input_guard
    signed_in.post(
        _page(draft, "nguoi-nop"),
        {"phone": "0912345678", "ward_code": "30307", "street": "12 A\u202e"},
    )
    signed_in.post(_page(draft, "to-khai"), {})
    _upload(signed_in, draft, "TP01")
    _upload(signed_in, draft, "TP02")
    signed_in.post(_page(draft, "giay-to"), {"intent": "continue"})
    signed_in.post(_page(draft, "nhan-ket-qua"), {"agency_code": CENTER, "return_method": "online"})
    refused = signed_in.post(_page(draft, "kiem-tra"))
    assert refused.status_code == 422
    assert "ký tự điều khiển" in refused.content.decode()
    assert not Dossier.objects.exists() and DossierDraft.objects.exists()


def test_a_number_past_any_meaning_is_refused_not_a_crash(procedures: None) -> None:
    from django import forms

    from egov.catalog.forms import eform_fields

    form = forms.Form({"f_copies": "1e5000"})
    form.fields.update(eform_fields({"fields": [{"name": "copies", "type": "number"}]}))
    assert not form.is_valid() and "f_copies" in form.errors


def test_an_abandoned_draft_is_deleted_with_its_files(
    signed_in: Client, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime
    import os

    from django.utils import timezone

    from egov.dossiers.services.drafts import drafts_expire

    old = _start(signed_in)
    _upload(signed_in, old, "TP01")
    stored = DraftPaper.objects.get().file.path
    from egov.dossiers.services.drafts import draft_start

    fresh = draft_start(actor=old.owner, procedure_code="1.001193")
    DossierDraft.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert drafts_expire(now=timezone.now()) == 1
    assert list(DossierDraft.objects.all()) == [fresh]
    assert not os.path.exists(stored)
