"""The admin site speaks Vietnamese to the province's administrator: every heading, label,
column, filter, button and hidden caption of every page they open, including the framework's
own words (egov/locale), and the column names of the data the admin shows."""

import datetime
import gettext
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from egov.appointments.models import DeskSchedule
from egov.feedback.services import FeedbackInput, feedback_send
from egov.interop.inbound.services import connection_account_create
from egov.interop.models import MessageLog
from egov.interop.services.log import Exchange, log_append
from egov.interop.services.outbox import outbox_put
from egov.interop.services.registry import registry_install
from egov.orgs.services import calendar_entry_set
from tests.conftest import COMMUNE_CENTER, PROVINCE

pytestmark = pytest.mark.django_db

CATALOGUES = Path(settings.LOCALE_PATHS[0]) / "vi" / "LC_MESSAGES"

# English words Django's admin and a model without verbose names would show.
ENGLISH = re.compile(
    r"\b(Add|Change|Delete|Save|Search|Filter|Show|Hide|Skip|Toggle|Model|link|True|False|"
    r"Yes|No|Pk|ID|Id|Created|Payload|Hash|Idempotency|key|storage|Outbox|digest|Leased|"
    r"owner|Retry|entry|entries|Sidebar|Breadcrumbs|Select|Action|View|History|Home|Welcome|"
    r"Log|Password|Documentation|Django|administration|object|objects|Run|Go|Clear|Today|"
    r"Now|Choose|Remove|Status|From|status|Error|counts|selected|theme|navigation|"
    r"Prev|Response|Request|Body|Lease|Body storage)\b"
)

# Where the page names things (not the data it lists): headings, labels, column heads,
# buttons, captions, help, and the names given to screen readers.
NAMING_TAGS = {"h1", "h2", "h3", "h4", "label", "legend", "th", "caption", "button", "summary"}
NAMING_CLASSES = {
    "help",
    "visually-hidden",
    "breadcrumbs",
    "paginator",
    "errornote",
    "actions",
    "skip-to-content-link",
    "object-tools",
}
NAMING_ATTRIBUTES = ("aria-label", "title", "placeholder")


VOID = {"input", "img", "br", "hr", "meta", "link", "use", "path", "symbol", "col", "source"}
HIDDEN = {"script", "style", "template", "svg"}


class Words(HTMLParser):
    """The naming words of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.naming: list[bool] = []  # for each open element, whether it names something
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.words.extend(str(found[name]) for name in NAMING_ATTRIBUTES if found.get(name))
        if tag == "input" and found.get("type") in {"submit", "button"} and found.get("value"):
            self.words.append(str(found["value"]))
        if tag in VOID:
            return
        self.hidden += tag in HIDDEN
        classes = set((found.get("class") or "").split())
        self.naming.append(tag in NAMING_TAGS or bool(classes & NAMING_CLASSES))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        self.hidden -= tag in HIDDEN
        if self.naming:
            self.naming.pop()

    def handle_data(self, data: str) -> None:
        if not self.hidden and any(self.naming) and data.strip():
            self.words.append(data.strip())


@pytest.fixture
def everything(agencies, procedures, people) -> None:
    make_everything(agencies)


def make_everything(agencies: dict[str, Any]) -> None:
    """A row of every kind the administrator opens (with the catalogue's and the staff's)."""
    registry_install()  # a browser test's database starts without the migrations' rows
    with transaction.atomic():
        outbox_put(
            system="dvcqg",
            topic="dvcqg.dossier.sync",
            ordering_key="dossier:1",
            idempotency_key="dvcqg:1:1",
            payload={"MaHoSo": "001.03.50.H01-261116-0001"},
        )
    exchange = Exchange(
        direction="out",
        system="dvcqg",
        service="dvcqg.dossier.sync",
        party="motcua",
        request=b"{}",
        response=b"{}",
        status=200,
        code="",
        duration_ms=120,
        outcome="ok",
    )
    log_append(exchange, at=timezone.now())
    connection_account_create(
        system_code="dvcqg", name="Cổng DVC quốc gia gọi tra cứu", scopes=["dossier.status"]
    )
    DeskSchedule.objects.create(agency=agencies[COMMUNE_CENTER])
    calendar_entry_set(
        date=datetime.date(2026, 9, 2), kind="day_off", name="Quốc khánh", legal_basis="BLLĐ"
    )
    feedback_send(
        actor=AnonymousUser(),
        data=FeedbackInput(
            kind="report",
            subject_type="procedure",
            procedure_code="2.001417",
            title="Cấp phiếu lý lịch tư pháp chậm",
            content="Tôi nộp hồ sơ cấp phiếu lý lịch tư pháp đã quá hạn mà chưa có kết quả.",
            sender_name="Trần Văn Bình",
            sender_phone="0987654321",
            consent=True,
        ),
    )


def pages_of(user: Any, *, every: bool = True) -> list[str]:
    """The admin's pages the user may open: the index, each app, and each model's list, add,
    change and delete pages; `every` adds a search with no result and each history page."""
    request = RequestFactory().get("/")
    request.user = user
    pages = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_module_permission(request):
            continue
        app, name = model._meta.app_label, model._meta.model_name
        changelist = reverse(f"admin:{app}_{name}_changelist")
        pages += [reverse("admin:app_list", args=[app]), changelist]
        if every:
            pages.append(changelist + "?q=zz")
        if model_admin.has_add_permission(request):
            pages.append(reverse(f"admin:{app}_{name}_add"))
        first = model_admin.get_queryset(request).first()
        if first is None:
            continue
        pages.append(reverse(f"admin:{app}_{name}_change", args=[first.pk]))
        if every:
            pages.append(reverse(f"admin:{app}_{name}_history", args=[first.pk]))
        if model_admin.has_delete_permission(request, first):
            pages.append(reverse(f"admin:{app}_{name}_delete", args=[first.pk]))
    return list(dict.fromkeys(pages))


def test_every_admin_page_names_things_in_vietnamese(client, staff, everything):
    administrator = staff("quantri.tinh", PROVINCE, "province_admin")
    client.force_login(administrator)
    pages = pages_of(administrator)
    assert len(pages) > 50 and any("/delete/" in page for page in pages)
    english: dict[str, set[str]] = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        words = Words()
        words.feed(response.content.decode())
        found = {text for text in words.words if ENGLISH.search(text)}
        if found:
            english[page] = found
    assert not english, english


def test_the_site_header_and_the_models_are_named_in_vietnamese(client, staff, everything):
    client.force_login(staff("quantri.tinh", PROVINCE, "province_admin"))
    index = client.get(reverse("admin:index")).content.decode()
    assert "<title>Danh mục và cấu hình | Quản trị MotCua</title>" in index
    assert "Bỏ qua, đến nội dung chính" in index  # Django's skip link, from egov/locale
    row = MessageLog.objects.get()
    log = client.get(reverse("admin:interop_messagelog_change", args=[row.pk])).content.decode()
    for label in ("Khóa chống gửi trùng", "Cách lưu nội dung", "Mã băm dòng trước"):
        assert f">{label}:</label>" in log
    assert f"#{row.seq} Gửi đi dvcqg dvcqg.dossier.sync" in log


def _po_entries(path: Path) -> dict[tuple[str | None, str, bool], str]:
    """(msgctxt, msgid, plural?) → msgstr (a plural's only form in Vietnamese) of a .po."""
    entries: dict[tuple[str | None, str, bool], str] = {}
    current: dict[str, str] = {}
    key = ""

    def flush() -> None:
        if current.get("msgid"):
            entry = (current.get("msgctxt"), current["msgid"], "msgid_plural" in current)
            entries[entry] = current.get("msgstr", "")

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            current[key] += _unquote(line)
            continue
        if keyword in {"msgctxt", "msgid"} and key.startswith("msgstr"):
            flush()
            current = {}
        key = "msgstr" if keyword == "msgstr[0]" else keyword
        current[key] = _unquote(rest)
    flush()
    return entries


def _unquote(text: str) -> str:
    return text.strip()[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_compiled_catalogue_matches_its_source(domain):
    entries = _po_entries(CATALOGUES / f"{domain}.po")
    assert len(entries) > 10
    with (CATALOGUES / f"{domain}.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    placeholders = re.compile(r"%\(\w+\)[sdr]|%[sd]|\{\w*\}")
    for (context, message, plural), translation in entries.items():
        assert translation, message
        if context:
            assert catalogue.pgettext(context, message) == translation, message
        elif plural:
            assert catalogue.ngettext(message, message, 2) == translation, message
        else:
            assert catalogue.gettext(message) == translation, message
        assert sorted(placeholders.findall(message)) == sorted(placeholders.findall(translation)), (
            message
        )
        assert not ENGLISH.search(translation), translation
