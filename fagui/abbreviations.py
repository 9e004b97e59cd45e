"""Short names of laws as officers and citizens type them (道交法, 个保法, 民诉法 ...), expanded to the titles
the store holds. A query word starting with one (道交法实施条例) keeps its rest."""

from __future__ import annotations

ABBREVIATIONS: dict[str, str] = {
    "道交法": "道路交通安全法",
    "个保法": "个人信息保护法",
    "网安法": "网络安全法",
    "数安法": "数据安全法",
    "民诉法": "民事诉讼法",
    "刑诉法": "刑事诉讼法",
    "行诉法": "行政诉讼法",
    "行罚法": "行政处罚法",
    "行处法": "行政处罚法",
    "行许法": "行政许可法",
    "行复法": "行政复议法",
    "行强法": "行政强制法",
    "治安处罚法": "治安管理处罚法",
    "治安法": "治安管理处罚法",
    "消法": "消费者权益保护法",
    "消保法": "消费者权益保护法",
    "劳合法": "劳动合同法",
    "食安法": "食品安全法",
    "安生法": "安全生产法",
    "环保法": "环境保护法",
    "招投标法": "招标投标法",
    "政采法": "政府采购法",
    "电商法": "电子商务法",
    "反电诈法": "反电信网络诈骗法",
    "未保法": "未成年人保护法",
    "妇保法": "妇女权益保障法",
    "国赔法": "国家赔偿法",
    "税收征管法": "税收征收管理法",
    "个税法": "个人所得税法",
    "土管法": "土地管理法",
    "城规法": "城乡规划法",
    "野保法": "野生动物保护法",
    "文保法": "文物保护法",
    "海环法": "海洋环境保护法",
    "大气法": "大气污染防治法",
    "固废法": "固体废物污染环境防治法",
}
_BY_LENGTH = sorted(ABBREVIATIONS, key=len, reverse=True)


def expand(word: str) -> str | None:
    """The full name behind a short one, or None when the word is no known short name."""
    word = word.strip().removeprefix("《").removesuffix("》")
    for short in _BY_LENGTH:
        if word.startswith(short) and not word.startswith(ABBREVIATIONS[short]):
            return ABBREVIATIONS[short] + word[len(short):]
    return None
