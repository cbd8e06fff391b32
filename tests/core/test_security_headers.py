"""Issue 12 point 6: a Content-Security-Policy and a Permissions-Policy on every response, and
templates that give the policy nothing to refuse (tests/e2e/test_csp.py walks the pages in a
browser and counts what it refused)."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from egov.core.security_headers import SecurityHeadersMiddleware
from tests.conftest import CENTER, PROVINCE

pytestmark = pytest.mark.django_db

EGOV = Path(__file__).resolve().parents[2] / "egov"
# Rendered to PDF by WeasyPrint (egov/core/pdf.py), never served to a browser: their <style>
# and style attributes are the forms' layout.
PDF_ONLY = EGOV / "dossiers" / "templates" / "dossiers" / "forms"


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def assert_policies(response: Any) -> None:
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    features = dict(rule.strip().split("=") for rule in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"
    # What Django's SecurityMiddleware already sent stays.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.fixture
def province_admin(staff: Any) -> Any:
    return staff("quantri.tinh", PROVINCE, "province_admin")


def test_a_portal_page_and_its_htmx_partial(client, procedures):
    page = client.get("/")
    assert page.status_code == 200
    assert_policies(page)
    partial = client.get("/?q=khai+sinh", headers={"HX-Request": "true"})
    assert "Thủ tục đăng ký khai sinh" in partial.content.decode()
    assert_policies(partial)


def test_an_officer_page(client, staff):
    client.force_login(staff("tiepnhan", CENTER, "reception"))
    response = client.get("/can-bo/")
    assert response.status_code == 200
    assert_policies(response)


def test_the_admin(client, province_admin):
    client.force_login(province_admin)
    for address in ("/quan-tri/", "/quan-tri/catalog/procedure/", "/quan-tri/catalog/sector/add/"):
        response = client.get(address)
        assert response.status_code == 200, address
        assert_policies(response)


def test_the_api_its_docs_and_its_errors(client, procedures):
    assert client.get("/api/v1/procedures").status_code == 200
    assert_policies(client.get("/api/v1/procedures"))
    assert_policies(client.get("/api/v1/khong-co"))
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert_policies(docs)


def test_the_api_docs_do_not_call_swagger_s_online_validator(client):
    """On a real host Swagger UI shows a badge, a picture from validator.swagger.io that the
    policy refuses (and that would tell that site where our spec is)."""
    html = client.get("/api/v1/docs").content.decode()
    found = re.search(
        r'<script type="application/json" id="swagger-settings">(.*?)</script>', html, re.S
    )
    assert found
    assert json.loads(found.group(1))["validatorUrl"] is None


def test_the_not_found_and_forbidden_pages(client, staff):
    missing = client.get("/khong-co-trang-nay/")
    assert missing.status_code == 404
    assert_policies(missing)
    client.force_login(staff("tiepnhan", CENTER, "reception"))
    forbidden = client.get("/can-bo/lien-thong/")
    assert forbidden.status_code == 403
    assert_policies(forbidden)


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("hong/", _broken)]


@override_settings(ROOT_URLCONF=__name__)
def test_the_server_error_page():
    response = Client(raise_request_exception=False).get("/hong/")
    assert response.status_code == 500
    assert "Hệ thống đang gặp sự cố" in response.content.decode()
    assert "style=" not in response.content.decode()
    assert_policies(response)


def test_static_files(client):
    response = client.get("/static/core/site.js")
    assert response.status_code == 200
    assert_policies(response)


def test_a_response_with_its_own_policy_keeps_it(rf):
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse(b"%PDF-1.7")
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return response

    response = SecurityHeadersMiddleware(view)(rf.get("/"))
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Permissions-Policy"] == settings.MOTCUA_PERMISSIONS_POLICY


def test_an_empty_setting_sends_no_header(rf, settings):
    settings.MOTCUA_CSP = ""
    response = SecurityHeadersMiddleware(lambda request: HttpResponse())(rf.get("/"))
    assert not response.has_header("Content-Security-Policy")
    assert response.has_header("Permissions-Policy")


# ------------------------------------------------------------------- the templates themselves


def served_templates() -> list[Path]:
    found = [
        template
        for template in EGOV.rglob("*.html")
        if "templates" in template.parts and PDF_ONLY not in template.parents
    ]
    assert len(found) > 50
    return found


# Whatever the policy refuses in a page: a script written in the page, an on*= handler, a
# javascript: address, a <style> element and a style attribute.
FORBIDDEN = {
    "inline script": re.compile(
        r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")", re.I
    ),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I | re.S),
    "javascript: address": re.compile(r"javascript:", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I | re.S),
}


def test_no_template_writes_what_the_policy_refuses():
    problems = [
        f"{template.relative_to(EGOV)}:{text[: found.start()].count(chr(10)) + 1}: {what}"
        for template in served_templates()
        for text in [template.read_text()]
        for what, pattern in FORBIDDEN.items()
        for found in pattern.finditer(text)
    ]
    assert problems == []


@pytest.mark.parametrize(
    "bad",
    [
        '<button type="button" onclick="window.print()">In</button>',
        "<script>htmx.config.allowEval = true;</script>",
        '<a href="javascript:history.back()">Quay lại</a>',
        '<section class="cards" style="margin-bottom:1rem">',
        "<style>.x { color: red }</style>",
        '<input\n  type="text"\n  onchange="check(this)">',
    ],
)
def test_the_template_check_catches(bad):
    assert any(pattern.search(bad) for pattern in FORBIDDEN.values())


@pytest.mark.parametrize(
    "fine",
    [
        "<script src=\"{% static 'core/site.js' %}\" defer></script>",
        '<button type="button" data-print hidden>In phiếu</button>',
        '<p data-confirm="Gửi?">Tra cứu theo tên hoặc mã</p>',
        '<svg viewBox="0 0 16 16"><path d="M1 3h14" stroke="currentColor"/></svg>',
    ],
)
def test_the_template_check_lets_through(fine):
    assert not any(pattern.search(fine) for pattern in FORBIDDEN.values())
