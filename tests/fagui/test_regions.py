"""The GB/T 2260 hierarchy shipped as data, locating a work's city or county, and the deployment settings."""

from __future__ import annotations

import pytest

from fagui import regions
from fagui.errors import SettingsError
from fagui.settings import DEFAULT_PLATFORM_NAME, load_settings


def test_the_data_holds_every_province_city_and_county_level():
    all_regions = regions.regions()
    levels = [r.level for r in all_regions.values()]
    assert levels.count(1) == 31  # the mainland's provincial divisions
    assert levels.count(2) > 300 and levels.count(3) > 2800
    assert all_regions["410100"].name == "郑州市" and all_regions["410100"].parent == "410000"
    # Pseudo-levels are dropped: 北京's districts and 河南's 济源 hang from the province itself.
    assert all_regions["110105"].parent == "110000" and all_regions["419001"].parent == "410000"
    assert [r.name for r in regions.lineage("410105")] == ["河南省", "郑州市", "金水区"]
    assert regions.path_codes("410105") == ["410000", "410100", "410105"]
    assert regions.path_codes(regions.NATIONAL) == [regions.NATIONAL] == regions.path_codes(None)


@pytest.mark.parametrize(("province", "names", "code"), [
    ("370000", ["东营市人民代表大会常务委员会"], "370500"),
    ("410000", ["河南省人民政府", "河南省郑州市城市供水条例"], "410100"),
    ("410000", ["郑州市金水区人民政府"], "410105"),
    ("220000", ["延边朝鲜族自治州人民代表大会"], "222400"),
    ("410000", ["河南省人民代表大会常务委员会", "河南省道路交通安全条例"], "410000"),
    ("000000", ["国务院"], "000000"),
])
def test_a_work_is_placed_in_the_finest_division_its_body_or_title_names(province, names, code):
    assert regions.locate(province, names) == code


def test_a_county_name_shared_inside_a_province_is_not_guessed():
    # 朝阳区 is a district of 北京 only once, but 鼓楼区 occurs in several cities of 江苏省.
    assert regions.locate("320000", ["鼓楼区人民政府"]) == "320000"


def test_deployment_settings():
    nationwide = load_settings({})
    assert nationwide.region_code is None and nationwide.platform_name == DEFAULT_PLATFORM_NAME
    city = load_settings({"FAGUI_REGION": "410100"})
    assert (city.region_code, city.platform_name) == ("410100", "郑州市法规统一公开查询平台")
    named = load_settings({"FAGUI_REGION": "河南省", "FAGUI_PLATFORM_NAME": "河南省法规规章规范性文件库"})
    assert (named.region_code, named.platform_name) == ("410000", "河南省法规规章规范性文件库")
    with pytest.raises(SettingsError, match="FAGUI_REGION.*GB/T 2260"):
        load_settings({"FAGUI_REGION": "999999"})
    with pytest.raises(SettingsError, match="FAGUI_PLATFORM_NAME"):
        load_settings({"FAGUI_PLATFORM_NAME": "名" * 61})
