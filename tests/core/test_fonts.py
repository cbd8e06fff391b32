"""The forms' own font: whole files with every Vietnamese letter, loaded by every rendering, and
a clear error where they are missing."""

import io
import unicodedata
from pathlib import Path

import pypdf
import pytest
from django.conf import settings
from fontTools.ttLib import TTFont

from egov.core import fonts
from egov.core.pdf import render_pdf

FORMS = Path(settings.BASE_DIR) / "egov" / "dossiers" / "templates" / "dossiers" / "forms"

# Vietnamese letters: the twelve vowels (a ă â e ê i o ô ơ u ư y) with each of the six tones
# (none, huyền, sắc, hỏi, ngã, nặng), and đ; lower and upper case: 146 precomposed letters.
VOWELS = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
LETTERS = {unicodedata.normalize("NFC", vowel + tone) for vowel in VOWELS for tone in TONES}
LETTERS |= {"đ"}
LETTERS |= {letter.upper() for letter in LETTERS}
# Text typed on some keyboards arrives decomposed: the marks on their own, and the đồng sign.
MARKS = "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b₫"


def cmap(path: Path) -> set[int]:
    with TTFont(path) as font:
        return set(font.getBestCmap())


def test_vietnamese_letters_are_146_single_characters():
    assert len(LETTERS) == 146 and all(len(letter) == 1 for letter in LETTERS)
    assert {"ắ", "Ặ", "ờ", "Ữ", "ỹ", "Đ", "ơ", "Ư"} <= LETTERS


def test_each_face_is_a_whole_font_with_every_vietnamese_letter():
    files = fonts.form_font_files()
    assert len(files) == 4  # regular, italic, bold, bold italic
    for path in files.values():
        covered = cmap(path)
        missing = sorted(c for c in LETTERS | set(MARKS) if ord(c) not in covered)
        assert not missing, (path.name, missing)
        # One file for all scripts, not a subset per Unicode range: Latin, digits and the
        # punctuation of the forms sit in the same file as the Vietnamese letters.
        assert all(ord(c) in covered for c in "AZaz09.,:;()/-–…·"), path.name


def test_the_forms_templates_use_no_character_the_font_lacks():
    covered = set.intersection(*(cmap(path) for path in fonts.form_font_files().values()))
    for template in FORMS.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        missing = sorted({c for c in text if c.isprintable() and ord(c) not in covered})
        assert not missing, (template.name, missing)


def test_each_file_is_the_style_its_rule_says():
    for face, path in fonts.form_font_files().items():
        with TTFont(path) as font:
            selection = font["OS/2"].fsSelection
            italic, bold = bool(selection & 0x01), bool(selection & 0x20)
            assert italic == (face.style == "italic"), path.name
            assert bold == (face.weight == 700), path.name
            assert font["OS/2"].usWeightClass == face.weight, path.name


def test_the_rules_bind_each_file_to_its_style():
    css = fonts.font_face_css()
    assert css.count("@font-face") == 4
    for face, path in fonts.form_font_files().items():
        rule = next(line for line in css.splitlines() if path.as_uri() in line)
        assert f'font-family: "{fonts.FAMILY}"' in rule
        assert f"font-style: {face.style}; font-weight: {face.weight};" in rule


FORM = {
    "title": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "key_label": "Mã hồ sơ",
    "key": "001.03.50.H01-261116-0001",
    "issuer": {
        "parent": "Ủy ban nhân dân phường Long Xuyên",
        "name": "Trung tâm Phục vụ hành chính công phường Long Xuyên",
    },
    "place_date": "An Giang, ngày 16 tháng 11 năm 2026",
}


def pdf_fonts(pdf: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_a_form_is_set_in_the_shipped_font_only():
    pdf = render_pdf("dossiers/forms/base.html", FORM)
    # Regular, bold (the motto, the issuer) and italic (the place and date): all ours.
    assert pdf_fonts(pdf) == {"MotCua-Serif", "MotCua-Serif-Bold", "MotCua-Serif-Italic"}
    text = " ".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "ỦY BAN NHÂN DÂN PHƯỜNG LONG XUYÊN",
        "An Giang, ngày 16 tháng 11 năm 2026",
    ):
        assert expected in text


def test_a_missing_font_stops_the_rendering_and_says_how_to_install_it(settings, tmp_path):
    settings.NODE_MODULES = tmp_path  # npm ci never ran here
    with pytest.raises(fonts.FormFontMissingError, match="make install") as caught:
        render_pdf("dossiers/forms/base.html", FORM)
    assert fonts.PACKAGE in str(caught.value) and str(tmp_path) in str(caught.value)
