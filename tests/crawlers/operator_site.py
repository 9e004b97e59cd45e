"""A municipal 行政规范性文件库 of our own, built like the real ones and never seen by the parser's authors'
configs: GB18030 list and detail pages, a list with no record count (it ends where the next list page is
missing), detail pages with an info table whose labels are padded with full-width spaces, one page declared
UTF-8 but sent in GBK, one document past its 有效期. The operator's config for it is written from these pages
alone (tests/examples/operator_site/haizhou.toml) and loaded from outside the package (FAGUI_SITES_DIR).

Form after the 政府信息公开 pages of 地级市 (列表：标题 | 文号 | 发布日期；详情：信息表 + 正文 div.TRS_Editor)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.crawlers.fixture_site import FixtureSite

CONFIG = Path(__file__).resolve().parents[1] / "examples" / "operator_site" / "haizhou.toml"
GB = "text/html; charset=gb18030"


@dataclass
class CityDoc:
    ref: str
    title: str
    number: str
    issuer: str
    written: str
    published: str
    effective: str
    expires: str
    status: str
    body: str


DOCS = [
    CityDoc("art_1001", "海州市城市道路停车管理办法", "海政规〔2024〕3号", "海州市人民政府", "2024-03-01", "2024-03-08",
            "2024-04-01", "2029-03-31", "有效", "第一条　为了加强城市道路停车管理，制定本办法。\n第二条　本办法自2024年4月1日起施行。"),
    CityDoc("art_1002", "海州市既有住宅加装电梯实施意见", "海政办规〔2023〕7号", "海州市人民政府办公室", "2023-06-10",
            "2023-06-15", "2023-07-01", "2028-06-30", "有效", "一、总体要求\n既有住宅加装电梯应当遵循业主自愿、政府引导的原则。"),
    CityDoc("art_1003", "海州市餐厨垃圾管理暂行办法", "海政规〔2018〕2号", "海州市人民政府", "2018-01-20", "2018-01-25",
            "2018-03-01", "2023-02-28", "失效", "第一条　为了规范餐厨垃圾的收集、运输和处置，制定本办法。\n第二条　本办法有效期五年。"),
    CityDoc("art_1004", "海州市人才公寓管理办法", "海人社规〔2025〕1号", "海州市人力资源和社会保障局", "2025-05-06",
            "2025-05-12", "2025-06-01", "2030-05-31", "有效", "第一条　为了保障人才住房需求，制定本办法。\n第二条　本办法由市人力社保局负责解释。"),
]
PER_PAGE = 2


def list_page(docs: list[CityDoc], page: int, last: int, rows_class: str = "zfxxgk_zcwjk") -> str:
    rows = "".join(f"<tr><td class=\"bt\"><a href=\"/art/{d.published[:4]}/{d.ref}.html\" title=\"{d.title}\">"
                   f"{d.title}</a></td><td class=\"wh\">{d.number}</td><td class=\"rq\">{d.published}</td></tr>"
                   for d in docs)
    nav = f"<a href=\"list_{page + 1}.html\">下一页</a>" if page < last else ""
    return (f"<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb18030\">"
            f"<title>规范性文件库</title></head><body><div class=\"main\"><table class=\"{rows_class}\">"
            f"<tr><th>标题</th><th>文号</th><th>发布日期</th></tr>{rows}</table><div class=\"page\">{nav}"
            f"<span>第{page}页</span></div></div></body></html>")


def detail_page(doc: CityDoc, charset: str = "gb18030") -> str:
    info = (f"<table class=\"xxgk\"><tr><td>索 引 号：</td><td>11330400MB1234567X/2024-00{doc.ref[-2:]}</td>"
            f"<td>发文机关：</td><td>{doc.issuer}</td></tr>"
            f"<tr><td>文　　号：</td><td>{doc.number}</td><td>成文日期：</td><td>{doc.written}</td></tr>"
            f"<tr><td>发布日期：</td><td>{doc.published}</td><td>施行日期：</td><td>{doc.effective}</td></tr>"
            f"<tr><th>有效期至：</th><td>{doc.expires}</td><th>效力状态：</th><td><b>{doc.status}</b></td></tr></table>")
    paras = "".join(f"<p style=\"text-indent:2em\">{line}" for line in doc.body.splitlines())  # <p> never closed
    return (f"<html><head><meta charset=\"{charset}\"><title>{doc.title}</title></head><body>"
            f"<div class=\"crumb\">首页 &gt; 规范性文件</div>{info}<h2 class=\"title\">{doc.title}</h2>"
            f"<div class=\"TRS_Editor\"><!-- 正文 -->{paras}<script>var x = 1;</script></div>"
            f"<div class=\"foot\">主办：海州市人民政府办公室</div></body></html>")


def publish(site: FixtureSite, docs: list[CityDoc] | None = None, rows_class: str = "zfxxgk_zcwjk") -> None:
    """The site's pages: list_1.html, list_2.html ... (no record count anywhere), and the details; the second
    document's page says UTF-8 and is sent in GBK."""
    docs = DOCS if docs is None else docs
    pages = [docs[i:i + PER_PAGE] for i in range(0, len(docs), PER_PAGE)] or [[]]
    for path in [p for p in site.routes if p.startswith("/gfxwj/list_")]:
        site.remove(path)
    for n, chunk in enumerate(pages, 1):
        site.page(f"/gfxwj/list_{n}.html", list_page(chunk, n, len(pages), rows_class).encode("gb18030"), GB)
    for i, doc in enumerate(DOCS):
        if i == 1:
            body = detail_page(doc, "utf-8").encode("gbk")
            site.page(f"/art/{doc.published[:4]}/{doc.ref}.html", body, "text/html; charset=utf-8")
        else:
            site.page(f"/art/{doc.published[:4]}/{doc.ref}.html", detail_page(doc).encode("gb18030"), GB)
