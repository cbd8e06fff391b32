import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from egov.catalog.errors import CatalogueFileError
from egov.catalog.models import Procedure, ProcedureRevision
from egov.catalog.selectors import procedure_get, procedures_export
from egov.catalog.services import procedures_import
from tests.conftest import BIRTH, CRIMINAL_RECORD, POLICE, catalogue

pytestmark = pytest.mark.django_db


def snapshot() -> str:
    return json.dumps(procedures_export(), ensure_ascii=False, sort_keys=True)


def test_import_creates_procedures_with_parts(procedures):
    birth = procedure_get(national_code="1.001193")
    assert birth.name == "Thủ tục đăng ký khai sinh"
    assert birth.version == 1
    assert [d.code for d in birth.documents.all()] == ["TP01", "TP02"]
    assert [s.role for s in birth.steps.all()] == [
        "reception",
        "specialist",
        "specialist",
        "leader",
    ]
    assert [s.is_inter_agency for s in birth.steps.all()] == [False, False, True, False]
    assert birth.revisions.count() == 1


def test_broken_file_changes_nothing_and_names_every_problem(procedures):
    before = snapshot()
    broken_birth = copy.deepcopy(BIRTH)
    broken_birth["name"] = "Đăng ký khai sinh (sửa)"  # a valid change that must not land
    broken_birth["online_level"] = "level4"
    broken_birth["steps"][2]["agency"] = "000.00.99.H01"
    broken_birth["fees"][0]["amount"] = -5
    broken_record = copy.deepcopy(CRIMINAL_RECORD)
    broken_record["steps"][1]["hours"] = 400
    del broken_record["result_name"]
    no_code = copy.deepcopy(BIRTH)
    no_code["national_code"] = "12345"

    with pytest.raises(CatalogueFileError) as caught:
        procedures_import(data=catalogue(broken_birth, broken_record, no_code))

    places = {problem.place for problem in caught.value.problems}
    assert {
        "1.001193: online_level",
        "1.001193: steps[2].agency",
        "1.001193: fees[0].amount",
        "2.001417: steps",
        "2.001417: result_name",
        "procedures[2]: national_code",
    } <= places
    assert snapshot() == before
    assert Procedure.objects.get(national_code="1.001193").name == "Thủ tục đăng ký khai sinh"


def test_a_valid_procedure_beside_a_broken_one_is_not_imported(agencies):
    broken = copy.deepcopy(CRIMINAL_RECORD)
    broken["level"] = "district"
    with pytest.raises(CatalogueFileError):
        procedures_import(data=catalogue(BIRTH, broken))
    assert not Procedure.objects.exists()


@pytest.mark.parametrize(
    ("change", "place"),
    [
        (
            lambda p: p.update(time_limit={"value": 1.5, "unit": "days"}),
            "1.001193: time_limit.value",
        ),
        (lambda p: p.update(valid_to="2025-01-01"), "1.001193: valid_to"),
        (lambda p: p["steps"].clear(), "1.001193: steps"),
        (lambda p: p["steps"][0].update(agency=POLICE), "1.001193: steps[0].agency"),
        (lambda p: p["documents"].append(dict(p["documents"][0])), "1.001193: documents[2].code"),
        (
            lambda p: p["form_schema"]["fields"][1].update(choices=[]),
            "1.001193: form_schema.fields[1].choices",
        ),
        (lambda p: p.update(competent_agency=POLICE), "1.001193: competent_agency"),
        (lambda p: p.update(postal_intake="yes"), "1.001193: postal_intake"),
    ],
)
def test_each_rule_names_its_place(agencies, change, place):
    procedure = copy.deepcopy(BIRTH)
    change(procedure)
    with pytest.raises(CatalogueFileError) as caught:
        procedures_import(data=catalogue(procedure))
    assert place in {problem.place for problem in caught.value.problems}


def test_duplicate_codes_and_wrong_format_are_reported(agencies):
    data = catalogue(BIRTH, BIRTH)
    data["format"] = "something/2"
    with pytest.raises(CatalogueFileError) as caught:
        procedures_import(data=data)
    messages = [str(problem) for problem in caught.value.problems]
    assert any(m.startswith("format:") for m in messages)
    assert any(m.startswith("1.001193:") and "hơn một lần" in m for m in messages)


def test_export_then_import_changes_nothing(procedures):
    exported = procedures_export()
    result = procedures_import(data=exported)
    assert sorted(result.unchanged) == ["1.001193", "2.001417"]
    assert not result.created and not result.updated
    assert Procedure.objects.get(national_code="1.001193").version == 1


def test_changed_procedure_gets_a_new_version_and_revision(procedures):
    changed = copy.deepcopy(BIRTH)
    changed["fees"][0]["amount"] = 8000
    result = procedures_import(data=catalogue(changed))
    assert result.updated == ["1.001193"]
    birth = procedure_get(national_code="1.001193")
    assert birth.version == 2
    assert [f.amount for f in birth.fees.all()] == [8000]
    revisions = ProcedureRevision.objects.filter(procedure=birth).order_by("version")
    assert [r.content["fees"][0]["amount"] for r in revisions] == [0, 8000]


def test_export_command_writes_the_fields_people_rely_on(procedures):
    out = StringIO()
    call_command("export_procedures", stdout=out)
    document = json.loads(out.getvalue())
    birth = next(p for p in document["procedures"] if p["national_code"] == "1.001193")
    assert birth["name"] == "Thủ tục đăng ký khai sinh"
    assert birth["online_level"] == "full"
    assert birth["postal_intake"] is True and birth["postal_return"] is True
    assert birth["steps"][2] == {
        "name": "Đăng ký thường trú (liên thông)",
        "agency": POLICE,
        "role": "specialist",
        "hours": 1.5,
    }


def test_import_command_reports_problems_and_exit_code(agencies, tmp_path: Path):
    broken = copy.deepcopy(BIRTH)
    broken["level"] = "district"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(catalogue(broken), ensure_ascii=False), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="chưa nhập thủ tục nào"):
        call_command("import_procedures", str(path), stderr=err)
    assert "1.001193: level" in err.getvalue()
    assert not Procedure.objects.exists()


def test_import_command_rejects_files_that_are_not_json(agencies, tmp_path: Path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="không phải JSON"):
        call_command("import_procedures", str(path))
    with pytest.raises(CommandError, match="Không đọc được"):
        call_command("import_procedures", str(tmp_path / "missing.json"))


def test_import_command_succeeds(agencies, tmp_path: Path):
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(catalogue(BIRTH), ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("import_procedures", str(path), stdout=out)
    assert "1 thủ tục mới" in out.getvalue()


@pytest.mark.parametrize(
    ("change", "place"),
    [
        (lambda p: p["fees"][0].update(amount=10**20), "1.001193: fees[0].amount"),
        (lambda p: p["documents"][0].update(quantity=40000), "1.001193: documents[0].quantity"),
        (lambda p: p["steps"][0].update(hours=float("inf")), "1.001193: steps[0].hours"),
        (lambda p: p["steps"][0].update(hours=float("nan")), "1.001193: steps[0].hours"),
        (lambda p: p["time_limit"].update(value=1e300), "1.001193: time_limit.value"),
        (lambda p: p["steps"][0].update(hours=0.125), "1.001193: steps[0].hours"),
    ],
)
def test_numbers_out_of_bounds_are_problems_not_crashes(agencies, change, place):
    procedure = copy.deepcopy(BIRTH)
    change(procedure)
    with pytest.raises(CatalogueFileError) as caught:
        procedures_import(data=catalogue(procedure))
    assert place in {problem.place for problem in caught.value.problems}


def test_one_sector_code_cannot_carry_two_names_in_a_file(agencies):
    other = {**copy.deepcopy(CRIMINAL_RECORD), "sector": {"code": "HT", "name": "Hộ tịch khác"}}
    with pytest.raises(CatalogueFileError) as caught:
        procedures_import(data=catalogue(BIRTH, other))
    assert "2.001417: sector.name" in {problem.place for problem in caught.value.problems}


def test_renaming_a_sector_keeps_its_procedures_findable(procedures):
    from egov.catalog.selectors import procedure_search

    renamed = copy.deepcopy(BIRTH)
    renamed["sector"]["name"] = "Hộ tịch và quốc tịch"
    procedures_import(data=catalogue(renamed))
    assert [p.national_code for p in procedure_search(query="quoc tich")] == ["1.001193"]
    birth = Procedure.objects.get(national_code="1.001193")
    latest = birth.revisions.order_by("-version").first()
    assert latest.version == birth.version
    assert latest.content["sector"]["name"] == "Hộ tịch và quốc tịch"


def test_calendar_day_limits_hold_five_working_days_a_week(agencies):
    thirty_days = copy.deepcopy(CRIMINAL_RECORD)
    thirty_days["time_limit"] = {"value": 30, "unit": "days"}
    thirty_days["steps"][1]["hours"] = 200  # 240 h in all: more than 30 days can hold
    with pytest.raises(CatalogueFileError) as caught:
        procedures_import(data=catalogue(thirty_days))
    assert any("171.42 giờ" in problem.message for problem in caught.value.problems)
