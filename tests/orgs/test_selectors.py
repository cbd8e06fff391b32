"""The province's wards as the desk's picker offers them: by name, accents or not."""

from egov.orgs.selectors import ward_get, ward_resolve, ward_search

AN_GIANG = 91


def test_a_ward_by_its_code_is_the_provinces_only():
    ward = ward_get(province_code=AN_GIANG, code=30307)
    assert ward is not None and ward.label == "Phường Long Xuyên, Tỉnh An Giang"
    assert ward_get(province_code=AN_GIANG, code=4) is None  # Ba Đình, Hà Nội
    assert ward_get(province_code=0, code=30307) is None  # no such province


def test_a_city_is_named_as_a_city():
    [ward] = ward_search(province_code=92, query="Ninh Kiều")  # Cần Thơ
    assert ward.label == "Phường Ninh Kiều, Thành phố Cần Thơ"


def test_search_with_or_without_accents_prefix_first():
    names = [ward.name for ward in ward_search(province_code=AN_GIANG, query="long")]
    assert names[:5] == [
        "Xã Long Điền",
        "Xã Long Kiến",
        "Phường Long Phú",
        "Xã Long Thạnh",
        "Phường Long Xuyên",
    ]
    assert [w.code for w in ward_search(province_code=AN_GIANG, query="LONG XUYÊN")] == [30307]
    assert ward_search(province_code=AN_GIANG, query="  ") == []
    assert len(ward_search(province_code=AN_GIANG, query="xa", limit=3)) == 3


def test_resolve_a_typed_name():
    assert [w.code for w in ward_resolve(province_code=AN_GIANG, text="phuong my thoi")] == [30301]
    assert [w.code for w in ward_resolve(province_code=AN_GIANG, text="Mỹ Thới")] == [30301]
    label = "Phường Long Xuyên, Tỉnh An Giang"
    assert [w.code for w in ward_resolve(province_code=AN_GIANG, text=label)] == [30307]
    assert len(ward_resolve(province_code=AN_GIANG, text="long")) > 1
    assert ward_resolve(province_code=AN_GIANG, text="Ba Đình") == []
    assert ward_resolve(province_code=AN_GIANG, text="\x00\u202e") == []
