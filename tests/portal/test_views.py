import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_lists_procedures_in_vietnamese(client, procedures):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Tra cứu thủ tục hành chính" in html
    assert "Thủ tục đăng ký khai sinh" in html
    assert "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" in html
    assert "Tìm thấy 2 thủ tục" in html


def test_search_without_accents_finds_the_procedure(client, procedures):
    response = client.get(reverse("portal:home"), {"q": "dang ky khai sinh"})
    html = response.content.decode()
    assert "Thủ tục đăng ký khai sinh" in html
    assert "lý lịch tư pháp" not in html
    assert "Tìm thấy 1 thủ tục" in html


def test_search_with_no_result_says_so(client, procedures):
    response = client.get(reverse("portal:home"), {"q": "giấy phép lái tàu vũ trụ"})
    assert "Không tìm thấy thủ tục nào" in response.content.decode()


def test_htmx_search_returns_only_the_results(client, procedures):
    response = client.get(reverse("portal:home"), {"q": "ly lich"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert "Cấp Phiếu lý lịch tư pháp" in html


def test_filters_ignore_unknown_values(client, procedures):
    response = client.get(reverse("portal:home"), {"cap": "district", "linh_vuc": "HT"})
    html = response.content.decode()
    assert "Thủ tục đăng ký khai sinh" in html and "Tìm thấy 1 thủ tục" in html


def test_home_query_count_does_not_grow_with_the_catalogue(
    client, procedures, django_assert_num_queries
):
    client.get(reverse("portal:home"))  # the process caches the sectors
    # The reference stamp, the count, one page of procedures with sector and agency, the
    # agency list (the sectors come from the process's cache).
    with django_assert_num_queries(4):
        client.get(reverse("portal:home"))


def test_procedure_page_shows_documents_fees_time_and_process(client, procedures):
    response = client.get(reverse("portal:procedure", args=["2.001417"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" in html
    assert "10 ngày làm việc" in html
    assert "200.000 đồng" in html
    assert "Sở Tư pháp tỉnh An Giang" in html
    assert "Công an tỉnh An Giang" in html
    assert "Liên thông" in html
    assert "Một phần" in html
    assert "Tờ khai đăng ký khai sinh" in html  # the fixture shares its documents


def test_commune_procedure_names_the_commune_agency(client, procedures):
    html = client.get(reverse("portal:procedure", args=["1.001193"])).content.decode()
    assert "Ủy ban nhân dân xã, phường, đặc khu nơi nộp hồ sơ" in html
    assert "miễn" in html
    assert "Toàn trình" in html


def test_unknown_procedure_is_404(client, procedures):
    assert client.get(reverse("portal:procedure", args=["9.999999"])).status_code == 404


def test_pages_send_security_headers(client, procedures):
    response = client.get(reverse("portal:home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_accept_only_get(client, procedures):
    assert client.post(reverse("portal:home")).status_code == 405


def test_numbers_read_the_vietnamese_way(client, procedures):
    html = client.get(reverse("portal:procedure", args=["1.001193"])).content.decode()
    assert "1,5 giờ làm việc" in html
    assert "1 ngày làm việc" in html
    assert "1.50" not in html and "1,50" not in html


def test_restoring_history_gets_the_whole_page(client, procedures):
    response = client.get(
        reverse("portal:home"),
        {"q": "khai sinh"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_home_query_count_stays_flat_with_a_full_page(client, agencies, django_assert_num_queries):
    import copy

    from egov.catalog.services import procedures_import
    from tests.conftest import BIRTH, catalogue

    many = []
    for number in range(30):
        procedure = copy.deepcopy(BIRTH)
        procedure["national_code"] = f"1.{900000 + number}"
        procedure["sector"] = {"code": f"S{number}", "name": f"Lĩnh vực {number}"}
        many.append(procedure)
    procedures_import(data=catalogue(*many))
    client.get(reverse("portal:home"))  # the process caches the sectors
    with django_assert_num_queries(4):
        response = client.get(reverse("portal:home"))
    assert response.content.decode().count('class="badge badge-full"') == 20


def test_the_catalogue_filters_by_agency_and_online_level(client, procedures):
    by_agency = client.get(reverse("portal:home"), {"co_quan": "000.00.03.H01"}).content.decode()
    online = client.get(reverse("portal:home"), {"truc_tuyen": "full"}).content.decode()
    nothing = client.get(reverse("portal:home"), {"truc_tuyen": "none"}).content.decode()
    assert "Thủ tục đăng ký khai sinh" not in by_agency
    assert "Thủ tục đăng ký khai sinh" in online
    assert "Thủ tục đăng ký khai sinh" not in nothing
    # A value not in the list is ignored, never an error.
    assert client.get(reverse("portal:home"), {"truc_tuyen": "<x>"}).status_code == 200
