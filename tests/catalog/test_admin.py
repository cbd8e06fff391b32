"""The procedure's admin page: the e-form is edited with the builder (rows of fields, not
JSON), which saves the catalogue file's schema, refuses what the file would refuse, in
Vietnamese beside the field, and changes nothing then."""

import copy
from typing import Any

import pytest
from django.urls import reverse

from egov.catalog.eform_builder import (
    MAX_FIELDS,
    TYPE_LABELS,
    choices_from_text,
    name_from_label,
)
from egov.catalog.exchange import FORM_FIELD_TYPES, form_schema_problems
from egov.catalog.forms import eform_fields
from egov.catalog.models import Procedure
from egov.catalog.selectors import procedures_export
from egov.catalog.services import procedures_import
from tests.conftest import BIRTH, JUSTICE, PROVINCE, catalogue
from tests.orgs.test_admin import change_form_data

pytestmark = pytest.mark.django_db

# One field of every type the applicant's form knows.
EVERY_TYPE = [
    {"name": "ho_ten", "label": "Họ và tên", "type": "text", "required": True},
    {"name": "ly_do", "label": "Lý do", "type": "textarea", "required": False},
    {"name": "ngay_sinh", "label": "Ngày sinh", "type": "date", "required": True},
    {"name": "so_ban", "label": "Số bản sao", "type": "number", "required": False},
    {
        "name": "gioi_tinh",
        "label": "Giới tính",
        "type": "select",
        "required": True,
        "choices": [["male", "Nam"], ["female", "Nữ"]],
    },
    {"name": "dong_y", "label": "Đồng ý nhận qua bưu chính", "type": "checkbox", "required": False},
    {"name": "email", "label": "Thư điện tử", "type": "email", "required": False},
    {"name": "dien_thoai", "label": "Số điện thoại", "type": "phone", "required": True},
]


def rows(fields: list[dict[str, Any]], *, initial: int = 0) -> dict[str, Any]:
    """The builder's rows as the browser sends them, in the given order."""
    data: dict[str, Any] = {
        "form_schema-TOTAL_FORMS": len(fields),
        "form_schema-INITIAL_FORMS": initial,
    }
    for index, field in enumerate(fields):
        prefix = f"form_schema-{index}-"
        data[prefix + "label"] = field.get("label", "")
        data[prefix + "name"] = field.get("name", "")
        data[prefix + "type"] = field.get("type", "text")
        data[prefix + "choices"] = field.get(
            "choices_text",
            "\n".join(f"{value} | {label}" for value, label in field.get("choices", [])),
        )
        data[prefix + "ORDER"] = field.get("order", index + 1)
        if field.get("required"):
            data[prefix + "required"] = "on"
        if field.get("delete"):
            data[prefix + "DELETE"] = "on"
    return data


@pytest.fixture
def editor(client: Any, staff: Any, procedures: None) -> Any:
    client.force_login(staff("quantri", PROVINCE, "province_admin"))
    return client


def post_eform(client: Any, national_code: str, data: dict[str, Any]) -> Any:
    procedure = Procedure.objects.get(national_code=national_code)
    url = reverse("admin:catalog_procedure_change", args=[procedure.pk])
    form = change_form_data(client, url, procedure)
    form = {key: value for key, value in form.items() if not key.startswith("form_schema")}
    return client.post(url, {**form, **data})


def test_every_type_is_saved_as_the_catalogue_file_writes_it(editor):
    response = post_eform(editor, "2.001417", rows(EVERY_TYPE))
    assert response.status_code == 302, response.context["adminform"].form.errors
    procedure = Procedure.objects.get(national_code="2.001417")
    assert procedure.form_schema == {"fields": EVERY_TYPE}
    assert procedure.version == 2
    # The applicant's form reads it: one field per row, of its type.
    built = eform_fields(procedure.form_schema)
    assert list(built) == [f"f_{field['name']}" for field in EVERY_TYPE]
    assert built["f_gioi_tinh"].choices == [("", "—"), ("male", "Nam"), ("female", "Nữ")]
    # Exported and imported again, it is the same procedure: nothing to change.
    exported = procedures_export(national_codes=["2.001417"])
    assert exported["procedures"][0]["form_schema"] == {"fields": EVERY_TYPE}
    result = procedures_import(data=exported)
    assert result.unchanged == ["2.001417"]


def test_the_saved_form_comes_back_as_rows_and_saves_unchanged(editor):
    procedure = Procedure.objects.get(national_code="1.001193")
    page = editor.get(reverse("admin:catalog_procedure_change", args=[procedure.pk]))
    html = page.content.decode()
    # Each field a row of inputs, each input named by a label; the list's choices as lines.
    assert 'value="child_full_name"' in html and 'value="Họ, chữ đệm và tên của trẻ"' in html
    assert "male | Nam\nfemale | Nữ</textarea>" in html
    assert html.count('<label for="id_form_schema-0-') == 7  # label, name … order, delete
    assert 'id="id_form_schema-2-label"' in html  # a blank row adds a field without script
    assert '<script src="/static/catalog/eform_builder.js"' in html
    # The preview shows the form as the applicant sees it.
    assert "Xem trước tờ khai" in html and '<option value="female">Nữ</option>' in html
    assert 'name="form_schema-TOTAL_FORMS" value="3"' in html
    assert 'name="form_schema-INITIAL_FORMS" value="2"' in html
    response = post_eform(editor, "1.001193", rows(BIRTH["form_schema"]["fields"], initial=2))
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.form_schema == BIRTH["form_schema"] and procedure.version == 1


def test_order_removal_choices_and_names_from_labels(editor):
    fields = [
        {"label": "Dân tộc", "type": "select", "choices_text": "Kinh\nHoa\nkhmer | Khơ-me"},
        {"name": "child_full_name", "label": "Họ, chữ đệm và tên của trẻ", "order": 3},
        {"name": "child_gender", "label": "Giới tính", "type": "select", "delete": True},
        {"label": "Nơi sinh (xã, phường)", "type": "text", "order": 1, "required": True},
        {},  # the blank row
    ]
    response = post_eform(editor, "1.001193", rows(fields, initial=3))
    assert response.status_code == 302, response.context["adminform"].form.errors
    procedure = Procedure.objects.get(national_code="1.001193")
    assert procedure.form_schema["fields"] == [
        {"name": "dan_toc", "label": "Dân tộc", "type": "select", "required": False,
         "choices": [["kinh", "Kinh"], ["hoa", "Hoa"], ["khmer", "Khơ-me"]]},
        {"name": "noi_sinh_xa_phuong", "label": "Nơi sinh (xã, phường)", "type": "text",
         "required": True},
        {"name": "child_full_name", "label": "Họ, chữ đệm và tên của trẻ", "type": "text",
         "required": False},
    ]  # fmt: skip
    assert not form_schema_problems(procedure.form_schema)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"name": "dan_toc", "type": "text"}, "Cần nhập nhãn của trường"),
        ({"label": "Họ tên", "name": "Họ tên"}, "Tên trường bắt đầu bằng chữ cái"),
        ({"label": "Họ tên", "name": "1ho_ten"}, "Tên trường bắt đầu bằng chữ cái"),
        ({"label": "Dân tộc", "type": "select"}, "Danh sách chọn cần ít nhất một lựa chọn."),
        (
            {"label": "Dân tộc", "type": "text", "choices_text": "kinh | Kinh"},
            "Chỉ kiểu “Danh sách chọn” có các lựa chọn",
        ),
        (
            {
                "label": "Dân tộc",
                "type": "select",
                "choices_text": "kinh | Kinh\nkinh | Người Kinh",
            },
            "Dòng 2: mã “kinh” đã có ở dòng trên.",
        ),
        (
            {"label": "Dân tộc", "type": "select", "choices_text": "| Kinh"},
            "Dòng 1 cần cả mã và nhãn, dạng “mã | nhãn”.",
        ),
        ({"label": "Tệp", "type": "file"}, "Kiểu trường không có trong danh sách."),
        ({"label": "x" * 301}, "Nhãn tối đa 300 ký tự."),
        ({"label": "Họ tên", "order": "đầu"}, "Thứ tự là một số nguyên."),
        ({"label": "!!!"}, "Không tạo được tên từ nhãn này; hãy nhập tên trường."),
        (
            {"label": "Giới tính của trẻ", "name": "child_gender"},
            "Tên “child_gender” đã dùng cho trường thứ 2.",
        ),
    ],
)
def test_a_bad_field_is_refused_in_vietnamese_and_nothing_changes(editor, field, message):
    fields = [*copy.deepcopy(BIRTH["form_schema"]["fields"]), field]
    response = post_eform(editor, "1.001193", rows(fields, initial=2))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html  # beside the row, and in the summary above the builder
    summary = response.context["adminform"].form.errors["form_schema"]
    assert any(line.startswith("Trường thứ 3") and message in line for line in summary), summary
    procedure = Procedure.objects.get(national_code="1.001193")
    assert procedure.form_schema == BIRTH["form_schema"] and procedure.version == 1


@pytest.mark.parametrize("label", ["Họ\x1btên", "Họ\x00tên"])
def test_a_control_character_is_refused_before_the_builder(editor, label):
    fields = [*copy.deepcopy(BIRTH["form_schema"]["fields"]), {"label": label}]
    response = post_eform(editor, "1.001193", rows(fields, initial=2))
    assert response.status_code == 400 and "ký tự điều khiển" in response.content.decode()
    procedure = Procedure.objects.get(national_code="1.001193")
    assert procedure.form_schema == BIRTH["form_schema"] and procedure.version == 1


def test_a_refused_form_comes_back_in_the_order_it_was_arranged(editor):
    fields = [
        {"name": "child_full_name", "label": "Họ, chữ đệm và tên của trẻ", "order": 2},
        {"name": "child_gender", "label": "Giới tính", "type": "select", "order": 3,
         "choices": [["male", "Nam"], ["female", "Nữ"]]},
        {"label": "Dân tộc", "type": "select", "order": 1},  # moved to the top, no choices
    ]  # fmt: skip
    response = post_eform(editor, "1.001193", rows(fields, initial=2))
    html = response.content.decode()
    assert html.index('id="id_form_schema-2-label"') < html.index('id="id_form_schema-0-label"')
    assert "Trường 1</span><span data-eform-title>: Dân tộc" in html
    summary = response.context["adminform"].form.errors["form_schema"]
    assert summary == [
        "Trường thứ 1 (“Dân tộc”) — Các lựa chọn: Danh sách chọn cần ít nhất một lựa chọn."
    ]
    preview = html[html.index("data-eform-preview-fields") :]
    assert preview.index("Dân tộc") < preview.index("Họ, chữ đệm") < preview.index("Giới tính")


def test_a_forged_or_oversized_post_is_refused(editor):
    too_many = rows([{"label": f"Trường {n}"} for n in range(MAX_FIELDS + 1)])
    response = post_eform(editor, "1.001193", too_many)
    assert response.status_code == 200
    assert f"Tờ khai có tối đa {MAX_FIELDS} trường." in response.content.decode()
    response = post_eform(editor, "1.001193", {"form_schema": '{"fields": []}'})
    assert response.status_code == 200
    assert "Biểu mẫu điện tử gửi lên không đầy đủ" in response.content.decode()
    procedure = Procedure.objects.get(national_code="1.001193")
    assert procedure.form_schema == BIRTH["form_schema"] and procedure.version == 1


def test_a_field_a_step_depends_on_cannot_go(editor):
    procedure = Procedure.objects.get(national_code="1.001193")
    procedure.steps.filter(position=3).update(when="child_gender")
    fields = [*copy.deepcopy(BIRTH["form_schema"]["fields"])]
    fields[1]["delete"] = True
    response = post_eform(editor, "1.001193", rows(fields, initial=2))
    assert response.status_code == 200
    assert (
        "Bước “Đăng ký thường trú (liên thông)” chỉ thực hiện khi tờ khai có trường "
        "“child_gender”: không thể xóa hay đổi tên trường này."
    ) in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.form_schema == BIRTH["form_schema"]


def test_an_auditor_reads_the_eform_as_a_list(client, staff, procedures):
    client.force_login(staff("thanhtra", JUSTICE, "auditor"))
    procedure = Procedure.objects.get(national_code="1.001193")
    html = client.get(reverse("admin:catalog_procedure_change", args=[procedure.pk])).content
    html = html.decode()
    assert "<li>Giới tính <small>(Danh sách chọn)</small></li>" in html
    assert "data-eform-builder" not in html and '"fields"' not in html


def test_the_builder_names_every_type_and_makes_names_from_labels():
    assert set(TYPE_LABELS) == set(FORM_FIELD_TYPES)
    assert name_from_label("Họ, chữ đệm và tên của trẻ") == "ho_chu_dem_va_ten_cua_tre"
    assert name_from_label("Đơn vị 2") == "don_vi_2"
    assert name_from_label("2 bản") == "truong_2_ban"
    assert name_from_label("—") == ""
    assert len(name_from_label("Tên " * 40)) <= 60
    assert choices_from_text("nam | Nam\n\n Nữ \nkhac|Khác | nữa") == (
        [["nam", "Nam"], ["nu", "Nữ"], ["khac", "Khác | nữa"]],
        [],
    )


def test_the_catalogue_file_and_the_builder_agree_on_a_demo_procedure(editor):
    """A procedure imported from the file opens in the builder and saves back unchanged."""
    procedures_import(data=catalogue({**BIRTH, "form_schema": {"fields": EVERY_TYPE}}))
    imported = Procedure.objects.get(national_code="1.001193")
    response = post_eform(editor, "1.001193", rows(EVERY_TYPE, initial=len(EVERY_TYPE)))
    assert response.status_code == 302
    procedure = Procedure.objects.get(national_code="1.001193")
    assert procedure.form_schema == {"fields": EVERY_TYPE}
    assert procedure.version == imported.version  # nothing changed, no new version
