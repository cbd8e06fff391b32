"""Mẫu 01 as the applicant takes it home: each paper with how the desk took it in, the
address written once, agency names kept whole, and one A5 sheet even for the longest
dossier a desk meets."""

import copy
import io
from typing import Any

import pypdf
import pytest

from egov.catalog.services import procedures_import
from egov.dossiers.models import Dossier
from egov.dossiers.printing import FORMS, receipt_slip
from egov.dossiers.printing.formatting import held_phrases, street_only, unbroken
from egov.dossiers.services import Applicant, IntakeFile, Submitter, counter_intake
from egov.orgs.models import Agency
from tests.conftest import BIRTH, COMMUNE, COMMUNE_CENTER, catalogue
from tests.dossiers.conftest import CITIZEN, received_with_scans_and_an_original
from tests.dossiers.test_printing import A5, assert_size, read
from tests.uploads import PDF

pytestmark = pytest.mark.django_db


# A land procedure's name as the national catalogue writes it (one of its longest).
LONG_PROCEDURE = (
    "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất trong các "
    "trường hợp chuyển nhượng, cho thuê, cho thuê lại, thừa kế, tặng cho, góp vốn bằng quyền "
    "sử dụng đất, quyền sở hữu tài sản gắn liền với đất; chuyển quyền sử dụng đất, quyền sở "
    "hữu tài sản gắn liền với đất của vợ hoặc chồng thành của chung vợ và chồng; tăng thêm "
    "diện tích do nhận chuyển nhượng, thừa kế, tặng cho quyền sử dụng đất đã có Giấy chứng nhận"
)
LONG_PAPERS = (
    "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất theo Mẫu số 11/ĐK",
    "Bản gốc Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền "
    "với đất đã cấp",
    "Hợp đồng, văn bản về việc chuyển nhượng, tặng cho quyền sử dụng đất, quyền sở hữu tài sản "
    "gắn liền với đất đã được công chứng hoặc chứng thực theo quy định",
    "Văn bản thỏa thuận phân chia di sản thừa kế hoặc văn bản khai nhận di sản thừa kế",
    "Tờ khai lệ phí trước bạ nhà, đất theo Mẫu số 01/LPTB",
    "Tờ khai thuế thu nhập cá nhân đối với cá nhân có thu nhập từ chuyển nhượng bất động sản",
    "Văn bản của người sử dụng đất đồng ý cho chủ sở hữu tài sản gắn liền với đất được xây dựng",
    "Giấy tờ chứng minh thuộc đối tượng được miễn, giảm nghĩa vụ tài chính về đất đai (nếu có)",
)
WORST = {
    **copy.deepcopy(BIRTH),
    "national_code": "1.013831",
    "name": LONG_PROCEDURE,
    "documents": [
        {
            "code": f"TP{index:02d}",
            "name": name,
            "copy_kind": "certified_copy" if index % 2 else "original",
            "quantity": 1,
            "mandatory": True,
            "template": "",
            "reusable": False,
        }
        for index, name in enumerate(LONG_PAPERS, start=1)
    ],
    "fees": [
        {"code": "LP01", "name": "Lệ phí cấp Giấy chứng nhận", "kind": "charge", "amount": 50000},
        {"code": "P01", "name": "Phí thẩm định hồ sơ", "kind": "fee", "amount": 1250000},
        {"code": "P02", "name": "Phí đo đạc, lập bản đồ địa chính", "kind": "fee", "amount": 0},
    ],
    "form_schema": {"fields": []},
}
WORST["fees"] = [{**fee, "note": ""} for fee in WORST["fees"]]
# The longest names a commune's desk and its committee carry after the 2025 merger.
LONG_DESK = "Trung tâm Phục vụ hành chính công xã Vĩnh Thạnh Trung"
LONG_COMMUNE = "Ủy ban nhân dân xã Vĩnh Thạnh Trung"
LONG_APPLICANT = Applicant(
    type=1,
    name="Công Tằng Tôn Nữ Thị Phương Quỳnh Hoa Nguyễn Huỳnh Bảo Ngọc",
    id_number=CITIZEN.id_number,
    birth_date=CITIZEN.birth_date,
    gender=CITIZEN.gender,
    phone="0912345678",
    email="congtangtonnu.phuongquynhhoa@gmail.com",
    ward_code=30307,
    street=(
        "Số nhà 123/45/6A, hẻm 7 (hẻm Bảy Hiền cũ), đường Trần Hưng Đạo nối dài, tổ dân phố "
        "số 12, khóm Bình Khánh 3, khu dân cư Tây Sông Hậu giai đoạn II, lô B, căn hộ số 1205"
    ),
)


def worst_case(people: dict[str, Any]) -> Dossier:
    """Eight papers with the catalogue's long names (six scanned, two checked in the
    original), the longest procedure name, a long address, name and e-mail, a submitter, three
    fees, and long agency names."""
    procedures_import(data=catalogue(WORST))
    Agency.objects.filter(code=COMMUNE_CENTER).update(name=LONG_DESK)
    Agency.objects.filter(code=COMMUNE).update(name=LONG_COMMUNE)
    scans = [
        IntakeFile(component=f"TP{index:02d}", stream=io.BytesIO(PDF), name="a.pdf", size=len(PDF))
        for index in range(1, 7)
    ]
    return counter_intake(
        actor=people["desk"],
        procedure_code=WORST["national_code"],
        agency_code=None,
        applicant=LONG_APPLICANT,
        return_method="postal",
        form_data={},
        submitter=Submitter(name="Tôn Thất Nguyễn Phước Bảo Long Hoàng Thiên Ân"),
        files=[*scans, scans[0]],
        decision="receive",
        note="",
        items=[],
        originals_checked=["TP07", "TP08"],
    )


def squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_the_receipt_says_how_each_paper_was_taken_in(procedures, people, clock, media):
    dossier = received_with_scans_and_an_original(people["desk"])
    text, _ = read(receipt_slip(dossier))
    listing = text.split("Thành phần hồ sơ đã nhận gồm:")[1].split("2. Số lượng")[0]
    assert "TT Tên giấy tờ Hình thức Số lượng" in listing
    assert "1 Tờ khai đăng ký khai sinh Bản quét 02" in listing
    # (a label wrapped in its cell comes back from the PDF without the space it broke at)
    assert squeezed("2 Giấy chứng sinh Bản chính, đã kiểm tra tại quầy 01") in squeezed(listing)
    assert "3 " not in listing


def test_a_street_written_with_its_ward_and_province_is_not_written_twice(counter_dossier):
    # As the population database writes a residence, and as the form once kept it whole.
    Dossier.objects.filter(pk=counter_dossier.pk).update(
        applicant_street="Số 213 đường Nguyễn Thái Học, Phường Long Xuyên, tỉnh An Giang"
    )
    text, _ = read(receipt_slip(counter_dossier))
    assert "Địa chỉ: Số 213 đường Nguyễn Thái Học, phường Long Xuyên, tỉnh An Giang " in text
    assert text.count("Long Xuyên, tỉnh An Giang") == 1


def test_the_longest_dossier_still_fits_one_a5_sheet(people, agencies, clock, media):
    pdf = receipt_slip(worst_case(people))
    text, sizes = read(pdf)
    assert len(sizes) == 1, f"Mẫu 01 runs to {len(sizes)} pages"
    assert_size(sizes, A5)
    # All of it is on that sheet: the last paper, the fees, the book and both signatures.
    assert LONG_PAPERS[-1].split()[-1] in text and "8 Giấy tờ chứng minh" in text
    assert squeezed("7 Văn bản") in squeezed(text)
    assert squeezed("Bản chính, đã kiểm tra tại quầy 01") in squeezed(text)
    assert "Phí thẩm định hồ sơ: 1.250.000 đồng" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "Tôn Thất Nguyễn Phước Bảo Long Hoàng Thiên Ân" in text


def _header_lines(pdf: bytes) -> list[str]:
    """The issuer's block: the lines above the national title, as a person reads them."""
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return lines[: lines.index("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")]


def _whole_phrases(name: str) -> set[str]:
    """Every run of an agency's name that starts and ends between held phrases."""
    phrases = [phrase.upper() for phrase in held_phrases(name)]
    return {
        " ".join(phrases[start:end])
        for start in range(len(phrases))
        for end in range(start + 1, len(phrases) + 1)
    }


@pytest.mark.parametrize("form", ["01", "05"])
def test_agency_names_break_only_between_whole_phrases(form, people, agencies, clock, media):
    """Mẫu 01 (wider) and Mẫu 05 (narrower) columns: the committee's and the desk's names
    break, if at all, between their kind and their place, never inside "Ủy ban nhân dân",
    "hành chính công" or "xã Vĩnh Thạnh Trung"."""
    pdf = FORMS[form](worst_case(people))
    allowed = _whole_phrases(LONG_COMMUNE) | _whole_phrases(LONG_DESK)
    names = [line for line in _header_lines(pdf) if not line.startswith(("001.", "http"))]
    assert " ".join(names) == f"{LONG_COMMUNE} {LONG_DESK}".upper()
    for line in names:
        assert line in allowed, line
    if form == "01":  # as wide as the slip allows: the committee on one line
        assert names[0] == LONG_COMMUNE.upper()


def test_an_agency_name_is_held_by_its_kind_and_its_place():
    assert held_phrases("Trung tâm Phục vụ hành chính công xã  Vĩnh Thạnh Trung") == [
        "Trung tâm",
        "Phục vụ",
        "hành chính công",
        "xã Vĩnh Thạnh Trung",
    ]
    assert held_phrases("Ủy ban nhân dân Thành phố Hồ Chí Minh") == [
        "Ủy ban nhân dân",
        "Thành phố Hồ Chí Minh",
    ]
    # A name that goes on after its place is held only where it names a kind.
    assert held_phrases("Văn phòng Đăng ký đất đai tỉnh An Giang - Chi nhánh Châu Phú") == [
        "Văn phòng",
        "Đăng ký đất đai",
        *["tỉnh", "An", "Giang", "-", "Chi", "nhánh", "Châu", "Phú"],
    ]
    # Printed as markup, escaped, with the space after each phrase kept as text.
    assert unbroken("<b>Sở</b> Tư pháp tỉnh An Giang") == (
        '<span class="held">&lt;b&gt;Sở&lt;/b&gt; </span><span class="held">Tư pháp </span>'
        '<span class="held">tỉnh An Giang</span>'
    )


@pytest.mark.parametrize(
    ("written", "street"),
    [
        (
            "Số 213 đường Nguyễn Thái Học, phường Mỹ Thới, tỉnh An Giang",
            "Số 213 đường Nguyễn Thái Học",
        ),
        ("Số 5, PHUONG MY THOI, An Giang", "Số 5"),
        ("phường Mỹ Thới, tỉnh An Giang", ""),
        # Another place, or a hamlet named like the ward, is part of the street: it stays.
        ("ấp Mỹ Thới, phường Long Xuyên", "ấp Mỹ Thới, phường Long Xuyên"),
        ("12 Trần Hưng Đạo", "12 Trần Hưng Đạo"),
    ],
)
def test_street_only_drops_only_this_ward_and_province(written, street):
    assert street_only(written, 30301) == street  # 30301: phường Mỹ Thới, An Giang
    assert street_only(written, None) == written
