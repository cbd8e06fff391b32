"""Text from the public: cleaned to keep, masked to publish."""

from egov.feedback.cleaning import clean_line, clean_text, redact


def test_clean_text_keeps_lines_and_drops_what_cannot_be_seen():
    assert clean_text("a\r\nb\rc\x00\x1b\u200b\u202e\ufeffd\n\n\n\ne  \t f") == "a\nb\ncd\n\ne f"


def test_clean_line_makes_one_line_in_nfc():
    decomposed = "Đa\u0306ng ky\u0301"  # combining marks
    assert clean_line(f"  {decomposed}\nkhai   sinh ") == "Đăng ký khai sinh"


def test_formulas_stay_text():
    assert clean_line("=1+1") == "=1+1" and clean_line("@SUM(A1)") == "@SUM(A1)"


def test_redact_masks_contacts_ids_and_names():
    text = "Nguyễn Văn A (nguyễn văn a) gọi +84 912.345.678, a@b.vn, CMND 012345678."
    assert redact(text, names=("Nguyễn Văn A",)) == (
        "[họ tên] ([họ tên]) gọi [số điện thoại], [thư điện tử], CMND [số giấy tờ]."
    )
    assert redact("Mã thủ tục 1.001193 năm 2026") == "Mã thủ tục 1.001193 năm 2026"


def test_redact_takes_whole_full_names_only():
    assert redact("Tỉnh An Giang, ông An", names=("An",)) == "Tỉnh An Giang, ông An"
    assert redact("Lê Văn Anh và Lê Văn Anhh", names=("Lê Văn Anh",)) == ("[họ tên] và Lê Văn Anhh")
