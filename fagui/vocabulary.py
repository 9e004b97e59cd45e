"""The shared vocabulary (DESIGN.md): statuses, relation types, document types, regions."""

from __future__ import annotations

STATUS_LABELS: dict[str, str] = {
    "effective": "现行有效",
    "not_yet_effective": "尚未生效",
    "amended": "已修改",
    "repealed": "已废止",
    "expired": "已失效",
    "partially_invalid": "部分失效",
}
STATUSES = tuple(STATUS_LABELS)

RELATION_LABELS: dict[str, str] = {
    "amends": "修改",
    "repeals": "废止",
    "replaces": "代替",
    "based_on": "依据",
    "implements": "实施",
    "interprets": "解释",
    "cites": "引用",
}
RELATION_TYPES = tuple(RELATION_LABELS)

DOC_TYPES = (
    "宪法",
    "法律",
    "行政法规",
    "监察法规",
    "司法解释",
    "部门规章",
    "地方性法规",
    "自治条例和单行条例",
    "地方政府规章",
    "行政规范性文件",
    "其他规范性文件",
)

# GB/T 2260 codes of the provincial-level divisions; 全国 (national) uses 000000 since the standard has none.
REGION_CODES: dict[str, str] = {
    "全国": "000000",
    "北京市": "110000", "天津市": "120000", "河北省": "130000", "山西省": "140000", "内蒙古自治区": "150000",
    "辽宁省": "210000", "吉林省": "220000", "黑龙江省": "230000", "上海市": "310000", "江苏省": "320000",
    "浙江省": "330000", "安徽省": "340000", "福建省": "350000", "江西省": "360000", "山东省": "370000",
    "河南省": "410000", "湖北省": "420000", "湖南省": "430000", "广东省": "440000",
    "广西壮族自治区": "450000", "海南省": "460000", "重庆市": "500000", "四川省": "510000",
    "贵州省": "520000", "云南省": "530000", "西藏自治区": "540000", "陕西省": "610000", "甘肃省": "620000",
    "青海省": "630000", "宁夏回族自治区": "640000", "新疆维吾尔自治区": "650000",
}
_SHORT_REGION = {name[:3] if name.startswith(("黑龙江", "内蒙古")) else name[:2]: name
                 for name in REGION_CODES if name != "全国"}


def canonical_region(name: str | None) -> str:
    """山东 / 山东省 / 370000 -> 山东省; empty or 全国/中央 -> 全国. Unknown names are kept as given."""
    if not name:
        return "全国"
    name = name.strip()
    if name in ("全国", "中央", "国家", "national"):
        return "全国"
    if name in REGION_CODES:
        return name
    for code_name, code in REGION_CODES.items():
        if code == name:
            return code_name
    return _SHORT_REGION.get(name, _SHORT_REGION.get(name[:2], name))


def region_code(name: str) -> str | None:
    return REGION_CODES.get(canonical_region(name))
