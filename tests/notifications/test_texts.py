"""The message templates: each event's notice renders, in plain Vietnamese, within what an
SMS carries, whatever it is filled with."""

import datetime

import pytest
from django.template import TemplateDoesNotExist

from egov.notifications import texts
from egov.notifications.handlers import NOTICES, TEMPLATES
from egov.notifications.templatetags.notify_format import vn_day, vn_due
from tests.conftest import VN

LINK = "http://127.0.0.1:8000/tra-cuu/001.03.50.H01-261116-0001/"
MINE = "http://127.0.0.1:8000/ho-so-cua-toi/001.03.50.H01-261116-0001/"


def context(**changes):
    base = {
        "name": "Nguyễn Thị Ánh Tuyết",
        "you": "ông/bà",
        "code": "001.03.50.H01-261116-0001",
        "key": "001.03.50.H01-261116-0001",
        "procedure": "Đăng ký khai sinh",
        "desk": "Trung tâm Phục vụ hành chính công phường Long Xuyên",
        "due": datetime.datetime(2026, 12, 11, 16, 30, tzinfo=VN),
        "return_method": "counter",
        "reason": "Thiếu bản sao giấy chứng sinh",
        "link": LINK,
        "own": False,
        "mine": LINK,
        "rate": LINK,
        "items": ["Giấy chứng sinh (bản chính)", "Tờ khai có chữ ký của người đi khai"],
        "deadline": datetime.datetime(2026, 11, 20, 16, 30, tzinfo=VN),
        "at_intake": False,
        "new_due": datetime.datetime(2026, 12, 18, 10, 0, tzinfo=VN),
    }
    return {**base, **changes}


def render(notice, **changes):
    return texts.render(f"{TEMPLATES}/{notice}", context(**changes))


def test_times_read_as_people_say_them():
    friday = datetime.datetime(2026, 12, 11, 16, 30, tzinfo=VN)
    assert vn_due(friday) == "16 giờ 30, thứ Sáu 11/12/2026"
    # Stored in UTC, told in the province's time.
    assert vn_due(friday.astimezone(datetime.UTC)) == "16 giờ 30, thứ Sáu 11/12/2026"
    assert vn_day(datetime.date(2026, 12, 13)) == "Chủ nhật 13/12/2026"
    assert vn_due(None) == "" and vn_day(None) == ""


@pytest.mark.parametrize("notice", NOTICES)
@pytest.mark.parametrize("own", [False, True])
@pytest.mark.parametrize("method", ["counter", "online", "postal"])
def test_every_notice_renders_short_plain_text(notice, own, method):
    rendered = render(notice, own=own, mine=MINE if own else LINK, return_method=method)
    assert rendered.subject and "\n" not in rendered.subject
    assert len(rendered.subject) <= texts.SUBJECT_LIMIT
    text = rendered.text
    assert "{" not in text and "}" not in text and "<" not in text and "&#" not in text
    assert "  " not in text and "\n\n" not in text
    assert len(text) <= texts.SHORT_LIMIT, (notice, len(text), text)
    assert rendered.short == text
    # Every notice says which dossier and where to follow it.
    assert "Đăng ký khai sinh" in text
    assert text.splitlines()[-1].endswith(("/tra-cuu/001.03.50.H01-261116-0001/", "-0001/"))
    assert "ông/bà" in text.lower()


def test_what_each_notice_says():
    received = render("received").text
    assert "Mã hồ sơ: 001.03.50.H01-261116-0001." in received
    assert "Hẹn trả kết quả: 16 giờ 30, thứ Sáu 11/12/2026." in received
    assert "không cần làm gì thêm" in received
    assert render("received").subject == "Hồ sơ 001.03.50.H01-261116-0001 đã được tiếp nhận"

    supplement = render("supplement_requested").text
    assert "Giấy chứng sinh (bản chính); Tờ khai có chữ ký của người đi khai" in supplement
    assert "Hạn bổ sung: 16 giờ 30, thứ Sáu 20/11/2026." in supplement
    assert "Mang giấy tờ đến Trung tâm Phục vụ hành chính công phường Long Xuyên" in supplement
    assert "bị dừng giải quyết" in supplement
    # Without items, the officer's reason says what is missing; online, it is sent online.
    online = render("supplement_requested", items=[], own=True, mine=MINE, at_intake=True)
    assert "Thiếu bản sao giấy chứng sinh" in online.text
    assert "Nộp bổ sung trên trang hồ sơ" in online.text and MINE in online.text
    assert "không được tiếp nhận" in online.text

    apology = render("apology").text
    assert "xin lỗi" in apology and "Hẹn trả kết quả mới: 10 giờ 00, thứ Sáu 18/12/2026." in apology
    assert "Lý do: Thiếu bản sao giấy chứng sinh" in apology

    assert "thẻ căn cước" in render("result_ready", return_method="counter").text
    assert "Bưu điện" in render("result_ready", return_method="postal").text
    downloaded = render("result_ready", return_method="online", own=True, mine=MINE).text
    assert f"Tải kết quả tại: {MINE}" in downloaded
    assert "Lý do: Thiếu bản sao" in render("refused").text
    assert "Lý do: Thiếu bản sao" in render("stopped").text
    assert "báo ngay" in render("withdrawn").text
    assert "đánh giá" in render("returned", own=True, rate=MINE + "danh-gia/").text
    organisation = render("received", you="quý tổ chức", name="Công ty TNHH Lúa Vàng").text
    assert "của quý tổ chức" in organisation and "Quý tổ chức không cần" in organisation


def test_hostile_content_stays_plain_and_short():
    nasty = "<script>alert(1)</script>Thiếu\x00 giấy\x1b[31m tờ\u202e " + "rất dài " * 600
    rendered = render(
        "refused", reason=nasty, name="<b>Tuyết</b>", procedure="A & B <i>x</i> " * 20
    )
    text = rendered.short
    assert "<" not in text and "\x00" not in text and "\x1b" not in text
    assert len(text) <= texts.SHORT_LIMIT
    assert text.splitlines()[-1] == f"Tra cứu: {LINK}"  # the link survives the cut
    assert "&amp;" not in rendered.text and "A & B" in rendered.text


def test_fit_cuts_at_a_word_and_keeps_the_link():
    long = "Một hai ba bốn năm " * 40 + "\nTra cứu: http://x.vn/tra-cuu/1/"
    fitted = texts.fit(long, 120)
    assert len(fitted) <= 120
    assert fitted.endswith("…\nTra cứu: http://x.vn/tra-cuu/1/")
    assert texts.fit("ngắn", 120) == "ngắn"
    plain = texts.fit("chữ " * 100, 50)
    assert len(plain) <= 50 and plain.endswith("chữ…")


def test_a_template_that_renders_nothing_or_is_missing_is_a_programming_error(tmp_path, settings):
    (tmp_path / "rong.txt").write_text("{# nothing #}\n\n")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0].get("DIRS", [])]}
    ]
    with pytest.raises(texts.MessageTemplateError):
        texts.render("rong", {})
    with pytest.raises(TemplateDoesNotExist):
        texts.render("notifications/messages/khong-co", {})
