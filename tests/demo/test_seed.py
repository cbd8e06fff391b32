"""The demo province: what `make demo` loads, and that loading it again changes nothing."""

from io import StringIO

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.db.models import Q

from egov.catalog.models import Procedure, ProcessStep
from egov.demo.seed import DEMO_CLIENTS, DEMO_LOGINS, DEMO_PASSWORD
from egov.interop.models import ConnectionAccount
from egov.orgs.models import Agency, AgencyKind

pytestmark = pytest.mark.django_db

DEPARTMENT_NAMES = [
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Xây dựng",
    "Sở Nông nghiệp và Môi trường",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Công Thương",
    "Sở Khoa học và Công nghệ",
    "Sở Nội vụ",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Dân tộc và Tôn giáo",
    "Công an tỉnh",
]


@pytest.fixture
def seeded() -> str:
    out = StringIO()
    call_command("seed_demo", dossiers=0, stdout=out)
    return out.getvalue()


def dump() -> str:
    models = [
        model for model in apps.get_models() if model._meta.app_label in {"orgs", "catalog", "auth"}
    ]
    return "".join(serializers.serialize("json", model.objects.order_by("pk")) for model in models)


def test_demo_province_has_its_agencies(seeded):
    assert Agency.objects.get(code="000.00.00.H01").name == "Ủy ban nhân dân tỉnh An Giang"
    assert Agency.objects.filter(kind=AgencyKind.PROVINCE_SERVICE_CENTER).count() == 1
    for name in DEPARTMENT_NAMES:
        assert Agency.objects.filter(name__startswith=name).exists(), name
    communes = Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE)
    centers = Agency.objects.filter(kind=AgencyKind.COMMUNE_SERVICE_CENTER)
    assert communes.count() == 102 and centers.count() == 102
    assert communes.values("ward_code").distinct().count() == 102
    long_xuyen = Agency.objects.get(kind=AgencyKind.COMMUNE_COMMITTEE, ward_code=30307)
    assert long_xuyen.name == "Ủy ban nhân dân phường Long Xuyên"
    assert long_xuyen.children.get().kind == AgencyKind.COMMUNE_SERVICE_CENTER


def test_demo_catalogue_is_rich_enough(seeded):
    procedures = Procedure.objects.all()
    assert procedures.count() >= 40
    assert procedures.filter(online_level="full").count() >= 10
    assert procedures.filter(postal_intake=True).count() >= 10
    assert procedures.filter(level="province").count() >= 10
    assert procedures.filter(level="commune").count() >= 10
    steps = ProcessStep.objects.select_related("agency", "procedure__competent_agency")
    inter_agency = {step.procedure_id for step in steps if step.is_inter_agency}
    assert len(inter_agency) >= 10
    for procedure in procedures.prefetch_related("steps"):
        assert 2 <= procedure.steps.count() <= 5, procedure.national_code
    assert (
        Procedure.objects.filter(
            Q(name__icontains="khai sinh") | Q(name__icontains="hộ kinh doanh")
        ).count()
        >= 3
    )


def test_seed_twice_changes_nothing(seeded):
    before = dump()
    out = StringIO()
    call_command("seed_demo", dossiers=0, stdout=out)
    assert dump() == before
    assert "(0 ghi mới hoặc cập nhật)" in out.getvalue()
    assert "0 mới, 0 cập nhật" in out.getvalue()
    assert "Tài khoản cán bộ: 0 tạo mới" in out.getvalue()


def test_seed_prints_the_demo_logins_and_they_work(seeded, client):
    assert DEMO_PASSWORD in seeded
    for login in DEMO_LOGINS:
        assert login.username in seeded
    response = client.post("/dang-nhap/", {"username": "tiepnhan.tinh", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_seed_prints_the_bus_demo_clients_and_they_sign_in(seeded, client):
    call_command("seed_demo", dossiers=0, stdout=StringIO())  # again: no second account
    for demo in DEMO_CLIENTS:
        assert f"{demo.client_id:<12} / {demo.secret}" in seeded
        assert ConnectionAccount.objects.filter(application__client_id=demo.client_id).count() == 1
        answer = client.post(
            "/lgsp/oauth/token/",
            {
                "grant_type": "client_credentials",
                "client_id": demo.client_id,
                "client_secret": demo.secret,
            },
        )
        assert answer.status_code == 200, answer.content
        assert answer.json()["scope"] == " ".join(demo.scopes)


def test_seed_at_verbosity_0_says_nothing_and_seeds_all_the_same():
    out = StringIO()
    call_command("seed_demo", dossiers=0, verbosity=0, stdout=out)
    assert out.getvalue() == ""
    assert Agency.objects.filter(code="000.00.00.H01").exists()
    assert Procedure.objects.count() >= 40
