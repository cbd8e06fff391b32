"""Control characters are refused at every page's input, naming the field (issue 12, point 2).
The API's half is in tests/dossiers/test_api_contract.py."""

import pytest
from axes.models import AccessAttempt

from egov.core.input_guard import body_fields, page_fields

pytestmark = pytest.mark.django_db


def test_a_form_with_a_control_character_reaches_no_view(client):
    response = client.post(
        "/dang-nhap/", {"username": "tiepnhan\x01xa", "password": "Mat-khau-2026"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "ký tự điều khiển" in html and "<code>username</code>" in html
    assert not AccessAttempt.objects.exists()  # the sign-in never ran


def test_a_query_with_a_control_character(client):
    response = client.get("/", {"q": "khai\x00sinh"})
    assert response.status_code == 400
    assert "Dữ liệu chưa gửi được" in response.content.decode()


def test_line_breaks_and_tabs_are_text(rf):
    request = rf.post("/phan-anh/gui/", {"content": "Dòng một\r\n\tDòng hai"})
    assert page_fields(request) == []


def test_every_c0_character_but_tab_and_line_breaks_is_found(rf):
    for code in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]:
        request = rf.get("/", {"q": f"a{chr(code)}b"})
        assert page_fields(request) == ["q"], hex(code)


def test_json_bodies_name_the_place(rf):
    request = rf.post("/x/", {"a": [{"b": "ok"}, {"b": "x\x1fy"}]}, content_type="application/json")
    assert body_fields(request) == ["a.1.b"]


def test_the_address_itself(client):
    response = client.get("/tra-cuu/ab%00c/")
    assert response.status_code == 400 and "<code>path</code>" in response.content.decode()


def test_htmx_gets_the_refusal_swapped_into_the_page(client):
    response = client.get("/", {"q": "a\x00"}, headers={"HX-Request": "true"})
    assert response.status_code == 200  # htmx swaps no 4xx answer
    assert response["HX-Retarget"] == "body" and "ký tự điều khiển" in response.content.decode()


def test_a_body_nested_too_deep_to_walk_is_left_to_the_view(rf):
    request = rf.post("/x/", "[" * 100_000, content_type="text/plain")
    assert body_fields(request) == []
