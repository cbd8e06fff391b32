"""One tracking book per desk per year, numbered continuously: Mẫu 01's "Số thứ tự" and
Mẫu 06's "STT" are the dossier's book number, and the book is in its order."""

import datetime
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from egov.dossiers.models import Dossier
from egov.dossiers.printing import (
    receipt_slip,
    tracking_book,
    tracking_book_rows,
    tracking_book_xlsx,
)
from egov.orgs.models import Agency
from tests.conftest import COMMUNE_CENTER
from tests.dossiers.test_printing import name_officer, read, receive

pytestmark = pytest.mark.django_db

NOVEMBER = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


def number(dossier: Any, book_number: int | None) -> None:
    """The row the receipt gave the dossier in its desk's book (set as the engine sets it)."""
    Dossier.objects.filter(pk=dossier.pk).update(book_number=book_number)


def desk() -> Agency:
    return Agency.objects.get(code=COMMUNE_CENTER)


def test_receipt_slip_numbers_the_dossier_by_its_book_row_not_its_code(counter_dossier):
    assert counter_dossier.code.endswith("-0001")
    number(counter_dossier, 1234)
    text, _ = read(receipt_slip(counter_dossier))
    assert "Vào Sổ theo dõi hồ sơ, Quyển số: ……, Số thứ tự: 1234" in text
    number(counter_dossier, 7)
    text, _ = read(receipt_slip(counter_dossier))
    assert "Số thứ tự: 07" in text  # numbered from 01


def test_a_dossier_received_before_books_were_numbered_leaves_the_number_blank(
    counter_dossier,
):
    number(counter_dossier, None)
    text, _ = read(receipt_slip(counter_dossier))
    assert "Số thứ tự: ……" in text and "Số thứ tự: 0001" not in text
    [row] = tracking_book_rows(desk(), *NOVEMBER)
    assert row.number is None and row.stt == ""


def test_the_book_prints_book_numbers_in_their_order(counter_dossier, people, clock):
    clock.set(2026, 11, 17, 9, 0)
    second = receive(people)
    clock.set(2026, 11, 18, 9, 0)
    third = receive(people)
    # The book continues the year's numbering; the second was entered before the first
    # (two officers at the counter at once).
    number(counter_dossier, 812)
    number(second, 811)
    number(third, 813)
    rows = tracking_book_rows(desk(), *NOVEMBER)
    assert [(row.number, row.code) for row in rows] == [
        (811, second.code),
        (812, counter_dossier.code),
        (813, third.code),
    ]
    text, _ = read(tracking_book(desk(), *NOVEMBER))
    dense = "".join(text.split())
    assert dense.index(f"811{second.code}") < dense.index(f"812{counter_dossier.code}")
    assert dense.index(f"812{counter_dossier.code}") < dense.index(f"813{third.code}")


def test_a_period_across_new_year_keeps_each_year_in_its_own_order(procedures, people, clock):
    clock.set(2026, 12, 31, 9, 0)
    last_of_2026 = receive(people)
    clock.set(2027, 1, 4, 9, 0)
    first_of_2027 = receive(people)
    number(last_of_2026, 4521)
    number(first_of_2027, 1)
    rows = tracking_book_rows(desk(), datetime.date(2026, 12, 15), datetime.date(2027, 1, 15))
    assert [(row.stt, row.code) for row in rows] == [
        ("4521", last_of_2026.code),
        ("01", first_of_2027.code),
    ]


def test_the_book_names_the_receiving_officer_not_the_login(counter_dossier, people):
    name_officer(people["desk"], COMMUNE_CENTER, "reception", "Võ Thị Kim Yến", "Công chức")
    [row] = tracking_book_rows(desk(), *NOVEMBER)
    assert str(row.receiver) == "Võ Thị Kim Yến, Công chức"
    text, _ = read(tracking_book(desk(), *NOVEMBER))
    assert "Võ Thị Kim Yến, Công chức" in text
    assert "tiepnhan.xa" not in text


def test_the_spreadsheet_has_the_same_numbers_and_officers(counter_dossier, people):
    name_officer(people["desk"], COMMUNE_CENTER, "reception", "Võ Thị Kim Yến", "Công chức")
    number(counter_dossier, 42)
    sheet = load_workbook(io.BytesIO(tracking_book_xlsx(desk(), *NOVEMBER))).active
    header = [cell.value for cell in sheet[3]]
    row = dict(zip(header, [cell.value for cell in sheet[4]], strict=True))
    assert row["STT"] == 42
    assert row["Mã hồ sơ"] == counter_dossier.code
    assert row["Cán bộ tiếp nhận"] == "Võ Thị Kim Yến, Công chức"


def test_the_spreadsheet_keeps_formula_looking_text_as_text(counter_dossier):
    Dossier.objects.filter(pk=counter_dossier.pk).update(
        applicant_street='=HYPERLINK("http://example.com","Bấm vào đây")'
    )
    sheet = load_workbook(io.BytesIO(tracking_book_xlsx(desk(), *NOVEMBER))).active
    address = sheet["E4"]
    assert address.data_type == "s"
    assert address.value.startswith('=HYPERLINK("http://example.com"')


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_could_become_a_formula_stays_text_when_edited(counter_dossier, start):
    """Issue 12, point 1: the file's own "typed with an apostrophe" mark on every text that
    begins like a formula, so neither opening nor editing the cell runs it."""
    name = f'{start}HYPERLINK("http://example.com","Bấm vào đây")'
    Dossier.objects.filter(pk=counter_dossier.pk).update(applicant_name=name)
    sheet = load_workbook(io.BytesIO(tracking_book_xlsx(desk(), *NOVEMBER))).active
    header = [cell.value for cell in sheet[3]]
    cell = sheet.cell(row=4, column=header.index("Người nộp") + 1)
    # (XML reads a carriage return back as a line feed.)
    assert cell.value == name.replace("\r", "\n")
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
    plain = sheet.cell(row=4, column=header.index("Mã hồ sơ") + 1)
    assert plain.quotePrefix is False


def test_a_stored_control_character_does_not_break_the_spreadsheet(counter_dossier):
    """Issue 12, point 2: one name with a control character used to fail the month's file for
    everyone (a NUL on SQLite; PostgreSQL refuses to store that one, not the others)."""
    Dossier.objects.filter(pk=counter_dossier.pk).update(applicant_name="Nguyễn\x01Văn\x1fAn")
    sheet = load_workbook(io.BytesIO(tracking_book_xlsx(desk(), *NOVEMBER))).active
    header = [cell.value for cell in sheet[3]]
    assert sheet.cell(row=4, column=header.index("Người nộp") + 1).value == (
        "Nguyễn\ufffdVăn\ufffdAn"
    )
