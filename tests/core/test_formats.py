"""Dates and times as Vietnamese write them (16/11/2026, 08:30 16/11/2026), never ISO: the
formats of egov/core/formats/vi, the filters of vn_format, and the main pages swept for any
ISO date left in what a person reads."""

import copy
import datetime
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.contrib.admin.utils import display_for_value
from django.template import Context, Template
from django.urls import reverse

from egov.accounts.vneid import citizen_sign_in
from egov.catalog.services import procedures_import
from egov.core.templatetags.vn_format import percent, vn_date, vn_datetime
from egov.dossiers.models import DossierDraft
from egov.dossiers.services import dossier_create
from tests.conftest import BIRTH, COMMUNE_CENTER, CRIMINAL_RECORD, VN, catalogue
from tests.dossiers.conftest import CITIZEN, act
from tests.portal.test_mine import PERSON

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# 01:30 UTC on the 16th is 08:30 on the 16th in An Giang; 20:00 UTC on the 15th is the 16th too.
MORNING = datetime.datetime(2026, 11, 16, 1, 30, tzinfo=datetime.UTC)
PAST_MIDNIGHT = datetime.datetime(2026, 11, 15, 20, 0, tzinfo=datetime.UTC)


def render(source: str, **context: Any) -> str:
    return Template("{% load vn_format %}" + source).render(Context(context))


# ---------------------------------------------------------------------------- the formats


def test_a_bare_moment_and_the_date_filter_write_vietnamese_dates():
    assert render("{{ at }}", at=MORNING) == "08:30 16/11/2026"
    assert render("{{ at|date }}", at=MORNING) == "16/11/2026"
    assert render('{{ at|date:"SHORT_DATETIME_FORMAT" }}', at=MORNING) == "08:30 16/11/2026"
    assert render("{{ day }}", day=datetime.date(2026, 3, 5)) == "05/03/2026"
    assert render('{{ day|date:"SHORT_DATE_FORMAT" }}', day=datetime.date(2026, 3, 5)) == (
        "05/03/2026"
    )
    assert render("{{ at|time }}", at=MORNING) == "08:30"


def test_the_admin_shows_dates_the_same_way():
    assert display_for_value(datetime.date(2025, 7, 1), "—") == "01/07/2025"
    assert display_for_value(MORNING, "—") == "08:30 16/11/2026"


class _DayForm(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


def test_a_typed_date_is_day_first_and_a_date_input_still_gets_iso():
    typed = _DayForm({"day": "05/03/2026"})
    assert typed.is_valid() and typed.cleaned_data["day"] == datetime.date(2026, 3, 5)
    picked = _DayForm({"day": "2026-03-05"})
    assert picked.is_valid() and picked.cleaned_data["day"] == datetime.date(2026, 3, 5)
    # <input type="date"> takes only ISO in its value attribute.
    shown = str(_DayForm(initial={"day": datetime.date(2026, 3, 5)})["day"])
    assert 'value="2026-03-05"' in shown


# ---------------------------------------------------------------------------- the filters


def test_vn_date_takes_dates_moments_and_iso_text():
    assert vn_date(datetime.date(2026, 3, 5)) == "05/03/2026"
    assert vn_date(PAST_MIDNIGHT) == "16/11/2026"  # the province's day, not UTC's
    assert vn_date("2026-11-10") == "10/11/2026"
    assert vn_date(" 2026-11-10 ") == "10/11/2026"
    assert vn_date("2026-02-30") == "2026-02-30"  # no such day: as typed, never a crash
    assert vn_date("Tại nhà") == "Tại nhà" and vn_date(7) == 7
    assert vn_date(None) == "" and vn_date("") == ""


def test_vn_datetime_is_in_the_provinces_time():
    assert vn_datetime(MORNING) == "08:30 16/11/2026"
    assert vn_datetime(PAST_MIDNIGHT) == "03:00 16/11/2026"
    assert vn_datetime(None) == ""


def test_percent_to_one_decimal_with_a_comma():
    assert percent(2 / 3) == "66,7%"
    assert percent(1) == "100%"
    assert percent(0) == "0%"
    assert percent(0.125) == "12,5%"
    assert percent(None) == "—"


# ---------------------------------------------------------------------------- the pages


class _Text(HTMLParser):
    """What a person reads: the text of the page, not its attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in {"script", "style", "template"}:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "template"}:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def iso_dates(html: str) -> list[str]:
    text = visible_text(html)
    return [text[max(0, m.start() - 60) : m.end() + 10] for m in ISO_DATE.finditer(text)]


def test_the_text_finder_sees_text_and_not_attributes():
    html = '<p>Hẹn <time datetime="2026-11-16T08:00">2026-11-16</time></p><script>"2026-01-01"'
    assert visible_text(html) == "Hẹn 2026-11-16"
    assert iso_dates('<input type="date" value="2026-11-16"><p>16/11/2026</p>') == []


BIRTH_WITH_DATE = copy.deepcopy(BIRTH)
BIRTH_WITH_DATE["form_schema"]["fields"].append(
    {"name": "child_birth_date", "label": "Ngày sinh của trẻ", "type": "date", "required": False}
)


@pytest.fixture
def world(agencies, people, clock, django_user_model, settings, tmp_path) -> dict[str, Any]:
    """An online birth registration with a date in its e-form, received, with a step, an
    apology and a supplement asked; a counter one overdue; the citizen's draft of another."""
    settings.MEDIA_ROOT = tmp_path
    procedures_import(data=catalogue(BIRTH_WITH_DATE, CRIMINAL_RECORD))
    citizen = citizen_sign_in(profile=PERSON)
    online = dossier_create(
        actor=citizen,
        procedure_code="1.001193",
        channel="online",
        applicant=CITIZEN,
        return_method="online",
        agency_code=COMMUNE_CENTER,
        form_data={"child_full_name": "Trần Gia Bảo", "child_birth_date": "2026-11-10"},
    )
    act(online, "receive", people["desk"])
    act(online, "transfer", people["desk"])
    clock.set(2026, 11, 16, 9, 0)
    act(
        online,
        "apologize",
        people["leader"],
        note="Chờ xác minh",
        new_due_at=datetime.datetime(2026, 11, 20, 16, 0, tzinfo=VN),
    )
    act(online, "request_supplement", people["specialist"], note="Thiếu giấy chứng sinh")
    late = dossier_create(
        actor=people["desk"],
        procedure_code="1.001193",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )
    act(late, "transfer", people["desk"])
    clock.set(2026, 11, 19, 10, 0)
    online.refresh_from_db()
    return {
        "online": online,
        "late": late,
        "citizen": citizen,
        "admin": django_user_model.objects.create_superuser("quantri", password="x"),
    }


def _draft_check_page(client: Any) -> str:
    """The citizen's "check your answers" page with a date answered on the e-form."""
    client.post(reverse("portal:submit_start", args=["1.001193"]))
    draft = DossierDraft.objects.get()
    client.post(
        reverse("portal:draft_page", args=[draft.uuid, "to-khai"]),
        {"f_child_full_name": "Nguyễn Văn Bé", "f_child_birth_date": "2026-11-12"},
    )
    page = client.get(reverse("portal:draft_page", args=[draft.uuid, "kiem-tra"]))
    assert page.status_code == 200
    return page.content.decode()


def test_no_page_writes_an_iso_date(client, world, people):
    online, late = world["online"], world["late"]
    found: dict[str, list[str]] = {}

    def sweep(address: str, *, must_show: str = "") -> None:
        page = client.get(address)
        assert page.status_code == 200, address
        html = page.content.decode()
        if must_show:
            assert must_show in visible_text(html), (address, must_show)
        if hits := iso_dates(html):
            found[address] = hits

    client.force_login(people["leader"])
    sweep(reverse("desk:dashboard"), must_show="hẹn trả")
    sweep(reverse("desk:worklist") + "?tab=all", must_show="/11/2026")
    sweep(reverse("desk:worklist") + "?tab=overdue", must_show=late.code)
    # The e-form's date answer, the log's times, the apology's new date.
    sweep(reverse("desk:dossier", args=[online.code]), must_show="10/11/2026")
    sweep(reverse("notifications:list"))
    client.force_login(people["specialist"])
    sweep(reverse("desk:dossier", args=[late.code]), must_show="17/11/2026")
    sweep(reverse("notifications:list"), must_show="/11/2026")

    client.logout()
    sweep(reverse("portal:lookup_code", args=[online.code]), must_show="/11/2026")

    client.force_login(world["citizen"])
    sweep(reverse("portal:my_dossiers"))
    sweep(reverse("portal:my_dossier", args=[online.code]), must_show="20/11/2026")
    check = _draft_check_page(client)
    assert "12/11/2026" in visible_text(check)
    if hits := iso_dates(check):
        found["kiem-tra"] = hits

    client.force_login(world["admin"])
    sweep(reverse("admin:orgs_agency_changelist"), must_show="01/07/2025")
    sweep(reverse("admin:interop_outboxmessage_changelist"))
    sweep(reverse("admin:interop_messagelog_changelist"))
    sweep(reverse("admin:feedback_feedback_changelist"))
    assert not found, found
