"""Build the example sites of the source adapters from real corpus texts (run once; the output is committed):

    .venv/bin/python tests/examples/build_source_examples.py [flk gov_policy normative_library files]

Each folder gets the responses its site would serve and a routes.json saying which URL serves which file
(method, path with query, the JSON body fields a POST must carry, content type). The response formats follow
the public crawler code named in each folder's README.md; the texts are corpus documents (../shared/corpus).
After building, write the expected records with FAGUI_REGENERATE_EXAMPLES=1 and read the diff."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.examples.example_files import (  # noqa: E402
    corpus_markdown,
    document_lines,
    make_doc,
    make_docx,
    make_pdf,
    write_json,
)

JSON = "application/json;charset=UTF-8"
SHANGHAI = timezone(timedelta(hours=8))


def _route(method: str, path: str, file: str, kind: str, content_type: str = JSON, match: dict | None = None,
           status: int = 200) -> dict:
    route = {"method": method, "path": path, "file": file, "kind": kind, "content_type": content_type}
    if match:
        route["match"] = match
    if status != 200:
        route["status"] = status
    return route


FLK_FILES = "https://flkoss.obs-bj2.cucloud.cn"  # the object store of the signed download links


def _signed(day: str, name: str) -> str:
    """A signed object-store link in the form api_reference.md shows (made-up key, date and signature)."""
    return (f"{FLK_FILES}/prod/{day}/{name}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20260601T000000Z"
            f"&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Credential=MADEUP%2F20260601%2Fcn-north-4%2Fs3"
            f"%2Faws4_request&X-Amz-Signature=0000madeup")


def build_flk() -> None:
    """Following ZongziForu/npc-law-db references/api_reference.md: list rows, a details answer whose
    `content` is headings only, ossFile paths `prod/<date>/<uuid>.<ext>`, and a download API answering a
    signed link on flkoss.obs-bj2.cucloud.cn (with the internal `urlIn`), the Word file often an old .doc."""
    folder = HERE / "flk"
    for old in folder.glob("*"):
        if old.is_file() and not old.name.endswith(".expected.json") and old.name != "README.md":
            old.unlink()
    # bbbs -> corpus file, sxx, flxz, body, gbrq, sxrq, flfgCodeId, the text's file: doc (binary Word), docx, pdf
    laws = {
        "ff8081818f5e7e3c018fe0a0b1b2001a": ("宪法相关法/立法法(2023-03-13).md", 3, "法律", "全国人民代表大会",
                                            "2023-03-13", "2023-03-15", 110, "doc"),
        "ff808181796a636a0179822a19350acb": ("宪法相关法/立法法(2015-03-15).md", 2, "法律", "全国人民代表大会",
                                            "2015-03-15", "2015-03-15", 110, "docx"),
        "ff808181653e2d1b01659c2b6ff204c7": ("诉讼与非诉讼程序法/行政复议法(2017-09-01).md", 2, "法律",
                                            "全国人民代表大会常务委员会", "2017-09-01", "2018-01-01", 110, "pdf"),
        "ff8080816f135f46016f202df4eb0e49": ("行政法规/行政复议法实施条例(2007-05-29).md", 3, "行政法规", "国务院",
                                            "2007-05-29", "2007-08-01", 210, "doc"),
    }
    texts = corpus_markdown([v[0] for v in laws.values()])
    titles = {b: document_lines(texts[v[0]])[0] for b, v in laws.items()}
    routes = []
    rows = []
    for n, (bbbs, (path, sxx, flxz, body, gbrq, sxrq, code, fmt)) in enumerate(laws.items()):
        lines = document_lines(texts[path])
        title = lines[0]
        day = gbrq.replace("-", "")
        uuid = f"0000000{n}-made-up0-uuid-{bbbs[-12:]}"
        rows.append({"bbbs": bbbs, "title": title, "gbrq": gbrq, "sxrq": sxrq, "sxx": sxx, "flxz": flxz,
                     "zdjgName": body, "flfgCodeId": code, "zdjgCodeId": 10, "score": None,
                     "titleHightLightList": []})
        detail = {"bbbs": bbbs, "title": title, "flxz": flxz, "zdjgName": body, "gbrq": gbrq, "sxrq": sxrq,
                  "sxx": sxx, "flfgCodeId": code,
                  "ossFile": {"ossWordPath": f"prod/{day}/{uuid}.docx", "ossPdfPath": f"prod/{day}/{uuid}.pdf",
                              "ossWordOfdPath": f"prod/{day}/{uuid}.ofd", "ossPdfOfdPath": f"prod/{day}/{uuid}.ofd"},
                  "content": _content_tree(lines, with_text=False),
                  "lsyg": [{"bbbs": b, "title": titles[b], "gbrq": laws[b][4]} for b in laws
                           if b != bbbs and laws[b][0].split("(")[0] == path.split("(")[0]],
                  "xgwj": []}
        write_json(folder / f"detail_{bbbs}.json", {"code": 200, "msg": "操作成功", "data": detail})
        routes.append(_route("GET", f"/law-search/search/flfgDetails?bbbs={bbbs}", f"detail_{bbbs}.json", "detail"))
        for kind in ("docx", "pdf"):
            link = f"download_{bbbs}_{kind}.json"
            if (kind == "docx") == (fmt in ("doc", "docx")):
                ext = fmt if kind == "docx" else "pdf"
                name = f"{bbbs}.{ext}"
                data = {"doc": make_doc, "docx": make_docx, "pdf": make_pdf}[ext](lines)
                (folder / name).write_bytes(data)
                media = {"doc": "application/msword", "pdf": "application/pdf",
                         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}[ext]
                url = _signed(day, f"{uuid}.{ext}")
                write_json(folder / link, {"code": 200, "msg": "操作成功", "data": {
                    "url": url, "urlIn": f"http://172.16.220.27:38080/law-search/file/download?bbbs={bbbs}"}})
                routes.append(_route("GET", url.removeprefix(FLK_FILES), name, "asset", media))
            elif kind == "docx":
                write_json(folder / link, {"code": 500, "msg": "文件不存在", "data": None})
            else:  # "format=pdf may return code 200 with empty data" (api_reference.md)
                write_json(folder / link, {"code": 200, "msg": "操作成功", "data": None})
            routes.append(_route("GET", f"/law-search/download/pc?format={kind}&bbbs={bbbs}", link, "asset"))
    rows.sort(key=lambda r: r["gbrq"], reverse=True)  # the query asks for the newest 公布日期 first
    for page_num, chunk in ((1, rows[:2]), (2, rows[2:])):
        name = f"list_page{page_num}.json"
        write_json(folder / name, {"code": 200, "msg": "查询成功", "total": len(rows), "rows": chunk,
                                   "searchType": 2, "searchContent": None})
        routes.append(_route("POST", "/law-search/search/list", name, "list", match={"pageNum": page_num}))
    write_json(folder / "routes.json", {"base_url": "https://flk.npc.gov.cn", "page_size": 2, "routes": routes})


def _content_tree(lines: list[str], with_text: bool) -> dict:
    """The contents tree flfgDetails returns: chapters with their articles as child nodes; article text is
    carried (as `content` paragraphs) only on some records."""
    import re

    root = {"id": "root", "parentId": None, "title": lines[0], "index": 0, "children": []}
    chapter = None
    article = None
    for i, ln in enumerate(lines[2:], start=1):
        if re.match(r"^第[一二三四五六七八九十百]+章", ln):
            chapter = {"id": f"c{i}", "parentId": "root", "title": ln, "index": i, "children": []}
            root["children"].append(chapter)
            article = None
            continue
        m = re.match(r"^(第[一二三四五六七八九十百零]+条)\s*(.*)$", ln)
        if m:
            article = {"id": f"a{i}", "parentId": chapter["id"] if chapter else "root", "title": m.group(1),
                       "index": i, "children": []}
            if with_text:
                article["content"] = [m.group(2)]
            (chapter or root)["children"].append(article)
        elif article is not None and with_text:
            article["content"].append(ln)
    return root


def _html_paragraphs(lines: list[str]) -> str:
    import html

    return "\n".join(f'<p style="text-indent: 2em;">{html.escape(ln)}</p>' for ln in lines)


GOV_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="{charset}">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{title}_{column}_中国政府网</title>
<meta name="firstpublishedtime" content="{published} 17:05:26">
<meta name="lastmodifiedtime" content="{published} 17:05:26">
<link rel="stylesheet" href="/images/2023content.css">
</head>
<body>
<div class="header"><a href="/">首页</a> | <a href="/zhengce/">政策</a> | 登录 | 无障碍</div>
<div class="BreadcrumbNav"><a href="/">首页</a> &gt; <a href="/zhengce/">政策</a> &gt; <a href="/zhengce/zhengceku/">政策文件库</a></div>
<div class="content">
{header}
<div class="pages_content mhide" id="UCAP-CONTENT">
{body}
</div>
<div class="editor">【我要纠错】 责任编辑：{editor}</div>
</div>
<div class="footer">主办单位：国务院办公厅　运行维护单位：中国政府网运行中心 京ICP备05070218号</div>
<script type="text/javascript">var shareDes = "{title}";</script>
</body>
</html>
"""


def _info_table(info: list[tuple[str, str, str | None, str | None]], css: str) -> str:
    rows = []
    for a, av, b, bv in info:
        if b is None:
            rows.append(f'<tr><td class="w140"><b>{a}</b></td><td colspan="3">{av}</td></tr>')
        else:
            rows.append(f'<tr><td class="w140"><b>{a}</b></td><td class="w340">{av}</td>'
                        f'<td class="w140"><b>{b}</b></td><td>{bv}</td></tr>')
    return f'<table class="border-table noneBorder {css}">\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table>"


def build_gov_policy() -> None:
    folder = HERE / "gov_policy"
    folder.mkdir(exist_ok=True)
    texts = corpus_markdown(["行政法规/国务院关于在线政务服务的若干规定(2019-04-26).md",
                             "行政法规/国务院关于经营者集中申报标准的规定(2024-01-22).md"])
    online = document_lines(texts["行政法规/国务院关于在线政务服务的若干规定(2019-04-26).md"])
    merger = document_lines(texts["行政法规/国务院关于经营者集中申报标准的规定(2024-01-22).md"])
    pages = []
    # 1. An administrative regulation published as 国务院令 (info table, order and signature above the text).
    info = [("索 引 号：", "000014349/2019-00047", "主题分类：", "综合政务\\电子政务"),
            ("发文机关：", "国务院", "成文日期：", "2019年04月26日"),
            ("标　　题：", online[0], None, None),
            ("发文字号：", "国务院令第716号", "发布日期：", "2019年05月06日")]
    body = ["中华人民共和国国务院令", "第716号", "《国务院关于在线政务服务的若干规定》已经2019年1月14日国务院第33次常务会议"
            "通过，现予公布，自公布之日起施行。", "总理　李克强", "2019年4月26日", online[0]] + online[2:]
    pages.append(("/zhengce/content/2019-05/06/content_5389179.htm", online[0], "2019-05-06", "utf-8",
                  '<div class="policyLibraryOverview_header">\n' + _info_table(info, "mhide") + "\n</div>",
                  _html_paragraphs(body), "国务院令第716号", "国务院", "综合政务", "电子政务",
                  "国务院文件_中国政府网"))
    # 2. A newer page: a phone-layout copy of the table first (class pc_none), 有效性 among the fields, and
    #    an attachment link.
    info = [("索 引 号：", "000014349/2024-00012", "主题分类：", "市场监管、安全生产监管\\其他"),
            ("发文机关：", "国务院", "成文日期：", "2024年01月22日"),
            ("标　　题：", merger[0], None, None),
            ("发文字号：", "国务院令第773号", "发布日期：", "2024年01月26日"),
            ("有 效 性：", "现行有效", "实施日期：", "2024年01月22日")]
    mobile = [("发文字号：", "国务院令第773号", None, None)]
    body = ["中华人民共和国国务院令", "第773号", "现公布修订后的《国务院关于经营者集中申报标准的规定》，自公布之日起施行。",
            "总理　李强", "2024年1月22日", merger[0]] + merger[2:]
    links = '\n<p><a href="./P020240126512345678901.pdf">国务院关于经营者集中申报标准的规定.pdf</a></p>'
    pages.append(("/zhengce/content/202401/content_6928390.htm", merger[0], "2024-01-26", "utf-8",
                  '<div class="policyLibraryOverview_header">\n' + _info_table(mobile, "pc_none") + "\n"
                  + _info_table(info, "mhide") + "\n</div>",
                  _html_paragraphs(body) + links, "国务院令第773号", "国务院", "市场监管、安全生产监管", "其他",
                  "国务院文件_中国政府网"))
    # 3. An older page with no info table, in GB2312: title in <h1>, date line, text from ../shared/samples.
    sample = (HERE.parents[2] / "shared" / "samples" / "pages" / "fazhi-zhengfu-gangyao-2021-2025-part.txt")
    lines = [ln.strip() for ln in sample.read_text(encoding="utf-8").splitlines() if ln.strip()]
    title = "中共中央 国务院印发《法治政府建设实施纲要（2021－2025年）》"
    header = (f'<div class="article oneColumn pub_border"><h1>{title}</h1>\n'
              '<div class="pages-date">2021-08-11 17:25　来源： 新华社</div></div>')
    pages.append(("/zhengce/2021-08/11/content_5630802.htm", title, "2021-08-11", "gb2312", header,
                  _html_paragraphs(lines), "", "中共中央 国务院", "国务院组织机构", "其他", "中央有关文件_中国政府网"))
    # 4. A ministry rule in the 部门文件 category: an info table whose labels carry no colon, the list row with
    #    `pubtime` (ms) only.
    plates = document_lines(corpus_markdown(["部门规章/公安部/机动车登记规定(2021-12-17).md"])[
        "部门规章/公安部/机动车登记规定(2021-12-17).md"])
    info = [("索引号", "000019705/2021-00391", "主题分类", "公安、安全、司法\\公安"),
            ("发文机关", "公安部", "成文日期", "2021年12月17日"),
            ("标题", plates[0], None, None),
            ("发文字号", "公安部令第164号", "发布日期", "2022年01月05日")]
    body = ["中华人民共和国公安部令", "第164号", f"修订后的《{plates[0]}》已经2021年12月1日公安部部务会议通过，现予发布，"
            "自2022年5月1日起施行。", "部长　赵克志", "2021年12月17日", plates[0]] + plates[2:]
    pages.append(("/zhengce/zhengceku/2022-01/05/content_5666456.htm", plates[0], "2022-01-05", "utf-8",
                  '<div class="policyLibraryOverview_header">\n' + _info_table(info, "mhide") + "\n</div>",
                  _html_paragraphs(body), "公安部令第164号", "公安部", "公安、安全、司法", "公安",
                  "国务院部门文件_中国政府网"))
    routes = []
    rows = []
    for path, title, published, charset, header, body_html, pcode, puborg, child, sub, column in pages:
        name = "content_" + path.rsplit("_", 1)[1].replace(".htm", ".html")
        page = GOV_PAGE.format(charset=charset, title=title, column=column, published=published, header=header,
                               body=body_html, editor="王洋")
        (folder / name).write_bytes(page.encode("gb18030" if charset == "gb2312" else "utf-8"))
        routes.append(_route("GET", path, name, "detail", f"text/html; charset={charset}" if charset == "utf-8"
                             else "text/html"))
        y, m, d = published.split("-")
        row = {"id": path.rsplit("_", 1)[1][:-4], "title": title.replace("经营者集中", "<em>经营者集中</em>", 1),
               "summary": "", "url": f"https://www.gov.cn{path}", "pcode": pcode, "source": puborg,
               "puborg": puborg, "childtype": child, "subchildtype": sub, "pubtimeStr": f"{y}.{m}.{d}",
               "pubtime": int(datetime(int(y), int(m), int(d), 9, 0, tzinfo=SHANGHAI).timestamp() * 1000)}
        if "zhengceku" in path:
            del row["pubtimeStr"]  # rows carrying `pubtime` only (the public client's tests)
        rows.append(row)
    rows.sort(key=lambda r: r["pubtime"], reverse=True)
    gongwen = [r for r in rows if "zhengceku" not in r["url"]]
    bumen = [r for r in rows if "zhengceku" in r["url"]]
    for page_num in (1, 2):
        name = f"list_page{page_num}.json"
        cats = {"gongwen": gongwen[(page_num - 1) * 2:page_num * 2], "bumenfile": bumen[(page_num - 1) * 2:page_num * 2],
                "otherfile": [], "gongbao": gongwen[:1] if page_num == 1 else []}  # 公报 republishes a 国务院文件
        totals = {"gongwen": len(gongwen), "bumenfile": len(bumen), "otherfile": 0, "gongbao": 1}
        write_json(folder / name, {"code": 200, "msg": "操作成功", "data": None, "searchVO": {
            "totalCount": 0, "pageSize": 0, "totalpage": 0,
            "catMap": {c: {"totalCount": totals[c], "currentNum": len(v), "listVO": v} for c, v in cats.items()}}})
        query = ("t=zhengcelibrary&q=&timetype=timeqb&mintime=&maxtime=&sort=pubtime&sortType=1&searchfield=title"
                 "&pcodeJiguan=&childtype=&subchildtype=&tsbq=&pubtimeyear=&puborg=&pcodeYear=&pcodeNum=&filetype="
                 f"&p={page_num}&n=2&inpro=&bmfl=&dup=&orpro=&bmpubyear=&type=gwyzcwjk")
        routes.append(_route("GET", f"/search-gov/data?{query}", name, "list"))
    write_json(folder / "routes.json", {"base_url": "https://www.gov.cn", "page_size": 2, "routes": routes})


GD_PATH_SPELLING = {"(": "left", ")": "right", "（": "zLeft", "）": "zRight", "[": "lBracket", "]": "rBracket"}


def build_guangdong() -> None:
    """Following the public Guangdong clients (README.md): list answers whose msg is the next Q-Token, a
    "Too many requests" answer, details with a file list (fileClass 37 the text; fileExt sometimes with a
    dot), files fetched by downloadFile with the site's path spelling; a city regulation, an old .doc and a
    scanned PDF."""
    from urllib.parse import quote

    folder = HERE / "normative_library" / "guangdong"
    for old in folder.glob("*"):
        if old.is_file() and not old.name.endswith(".expected.json") and old.name != "README.md":
            old.unlink()
    stats_path = "DLC/广东地方法规/地方性法规/广东/广东省统计条例(2022-09-29).md"
    houses_path = "DLC/广东地方法规/地方性法规/广东/广东省城镇华侨房屋征收补偿规定(2021-12-01).md"
    nursery_path = "DLC/广东地方法规/地方性法规/广东/广州市幼儿园条例(2021-04-09).md"
    appoint_path = "DLC/广东地方法规/地方性法规/广东/深圳市人民代表大会常务委员会任免国家机关工作人员条例(2022-12-08).md"
    texts = corpus_markdown([stats_path, houses_path, nursery_path, appoint_path])
    province = ("440000001", "广东省人民代表大会常务委员会")
    docs = [
        ("8a8c81e583577a5d01837f0f4a1c0231", document_lines(texts[stats_path]), "2022-09-29 00:00:00",
         "2023-01-01 00:00:00", province, [("37", "docx", "法规文本", "")]),
        ("8a8c81e57d4a1c3b017d73b0c6f2012e", document_lines(texts[houses_path]), "2021-12-01 00:00:00",
         "2021-12-01 00:00:00", province, [("6", "docx", "起草说明", ""), ("37", "pdf", "法规文本", "")]),
        ("8a8c81e578b5d6a10178c2a31f4b0a55", document_lines(texts[nursery_path]), "2021-04-09 00:00:00",
         "2021-06-01 00:00:00", ("440100001", "广州市人民代表大会常务委员会"),
         [("37", "doc", "法规文本", "（2021年修正）[1]")]),
        ("8a8c81e584f0b2c70184f9d3a6e20017", document_lines(texts[appoint_path]), "2022-12-08 00:00:00",
         "2023-01-01 00:00:00", ("440300001", "深圳市人民代表大会常务委员会"), [("37", "scan", "法规文本", "")]),
    ]
    routes = []
    rows = []
    for doc_id, lines, passed, effective, (group_id, office_name), files in docs:
        office = {"groupId": group_id, "groupName": office_name}
        law_rule = {"id": doc_id, "title": lines[0], "lawRuleType": 1, "timeliness": "有效", "passDate": passed,
                    "effectiveDate": effective, "formulateMode": "制定", "fileType": "地方性法规",
                    "officeVo": office, "tagNames": "", "releaseNum": None, "fileName": lines[0]}
        rows.append({k: law_rule[k] for k in ("id", "title", "lawRuleType", "timeliness", "passDate",
                                               "effectiveDate", "formulateMode", "fileType", "officeVo",
                                               "tagNames")})
        entries = []
        for n, (cls, kind, what, suffix) in enumerate(files):
            ext = "pdf" if kind == "scan" else kind
            path = f"/upload/nfrr/{passed[:4]}/{doc_id}_{n}{suffix}.{ext}"
            name = f"file_{doc_id}_{n}.{ext}"
            content = lines if what == "法规文本" else [f"关于《{lines[0]}》的起草说明", "一、起草的必要性", "（略）"]
            data = {"docx": make_docx, "doc": make_doc, "pdf": make_pdf}[ext](content) if kind != "scan" \
                else make_pdf([" "] * 3)  # pages with no text layer: a scan
            (folder / name).write_bytes(data)
            entries.append({"id": f"{doc_id}{n}", "fileClass": cls, "fileExt": f".{ext}" if n else ext,
                            "filePath": path, "fileName": f"{what}.{ext}"})
            spelled = path
            for char, word in GD_PATH_SPELLING.items():
                spelled = spelled.replace(char, word)
            routes.append(_route("GET", f"/bascdata/downloadFile?type=1&fileFolder={quote(spelled, safe='')}", name,
                                 "asset", "application/octet-stream"))
        write_json(folder / f"detail_{doc_id}.json", {"lawRule": law_rule, "list": entries})
        routes.append(_route("GET", f"/bascdata/nfrr/law-rule!noSession_getById.gx?id={doc_id}",
                             f"detail_{doc_id}.json", "detail"))
    search = "/bascdata/nfrr/law-rule!noSession_es_regulation_search.gx"
    write_json(folder / "list_type1_page1.json", {"code": 200, "msg": "madeup-q-token-0001",
                                                  "data": {"rows": rows, "total": len(rows)}})
    routes.append(_route("POST", search, "list_type1_page1.json", "list", match={"pageNum": 1, "lawRuleType": 1}))
    write_json(folder / "list_type2_page1.json", {"code": 500, "msg": "Too many requests", "data": None})
    routes.append(_route("POST", search, "list_type2_page1.json", "rate_limit", match={"pageNum": 1, "lawRuleType": 2}))
    write_json(folder / "list_type3_page1.json", {"code": 200, "msg": "madeup-q-token-0003",
                                                  "data": {"rows": [], "total": 0}})
    routes.append(_route("POST", search, "list_type3_page1.json", "list", match={"pageNum": 1, "lawRuleType": 3}))
    write_json(folder / "routes.json", {"base_url": "https://www.gdpc.gov.cn", "routes": routes})


JIAXING_LIST = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>行政规范性文件_嘉兴市人民政府</title>
<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script></head>
<body>
<div class="main-right">
<div id="分页列表" class="list-content">
<ul class="page-content">
{rows}
</ul>
<div class="page-box"><script>/* later pages: build/unit?…&paramJson={{"pageNo":N,"pageSize":15}} */</script></div>
</div>
</div>
</body></html>
"""
JIAXING_DETAIL = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}_嘉兴市人民政府</title>
<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{published} 10:00"></head>
<body>
<div class="xxgk_title"><h1>{title}</h1></div>
<table class="xxgk_table">
<tr><td class="lab">索引号：</td><td>{index_no}</td><td class="lab">文件编号：</td><td>{doc_number}</td></tr>
<tr><td class="lab">发布机构：</td><td>{issuer}</td><td class="lab">生成日期：</td><td>{written}</td></tr>
<tr><td class="lab">统一编号：</td><td>{unified_no}</td><td class="lab">公开方式：</td><td>主动公开</td></tr>
</table>
<div class="article-content" id="zoom">
{body}
</div>
<div class="share">分享到： 微信 微博</div>
</body></html>
"""
JIAXING_UNIT = ("/api-gateway/jpaas-publish-server/front/page/build/unit?parseType=bulidstatic&webId=madeupwebid0000"
                "&tplSetId=madeuptplset0000&pageType=column&tagId=%E5%88%86%E9%A1%B5%E5%88%97%E8%A1%A8&editType=null"
                "&pageId=1229426511&paramJson=%7B%22pageNo%22%3A{page}%2C%22pageSize%22%3A15%7D")


def build_jiaxing() -> None:
    """A Zhejiang JCMS column: page 1 static `<li>` rows, later pages the build/unit JSON with the same rows
    in data.html, an empty page at the end; detail pages with 文件编号 / 生成日期 / 统一编号."""
    folder = HERE / "normative_library" / "jiaxing"
    for old in folder.glob("*"):
        if old.is_file() and not old.name.endswith(".expected.json") and old.name != "README.md":
            old.unlink()
    oil = "DLC/浙江地方法规/地方性法规/浙江/嘉兴市餐饮业油烟管理办法(2020-04-10).md"
    rent = "DLC/浙江地方法规/地方性法规/浙江/嘉兴市住房租赁管理若干规定(2018-04-17).md"
    texts = corpus_markdown([oil, rent])
    sample = HERE.parents[2] / "shared" / "samples" / "pages" / "city-fazhi-gongzuo-fangan.txt"
    plan = [ln.strip() for ln in sample.read_text(encoding="utf-8").splitlines() if ln.strip()][3:]
    docs = [
        ("art_1229426511_59123456", document_lines(texts[oil], history_in_brackets=False), "嘉兴市人民代表大会常务委员会",
         "2019-12-27", "2020-04-10", "", ""),
        ("art_1229426511_58712345", "全市人民政府全年度法治政府建设工作方案", "嘉兴市人民政府办公室",
         "2018-03-02", "2018-03-05", "嘉政办发〔2018〕12号", "ZJFC00-2018-0012"),
        ("art_1229426511_55012345", document_lines(texts[rent], history_in_brackets=False), "嘉兴市人民代表大会常务委员会",
         "2017-12-27", "2018-04-17", "", ""),
    ]
    routes = []
    rows = []
    for art, lines, issuer, written, published, number, unified in docs:
        if isinstance(lines, str):
            lines = [lines, *plan]
        name = f"{art}.html"
        path = f"/art/{published[:4]}/{int(published[5:7])}/{int(published[8:])}/{art}.html"
        page = JIAXING_DETAIL.format(title=lines[0], index_no=f"002541285/{published[:4]}-{art[-5:]}", issuer=issuer,
                                     doc_number=number, written=written, unified_no=unified, published=published,
                                     body=_html_paragraphs(lines[1:]))
        (folder / name).write_bytes(page.encode("utf-8"))
        routes.append(_route("GET", path, name, "detail", "text/html; charset=utf-8"))
        rows.append(f'<li><a class="news" href="{path}" target="_blank" title="{lines[0]}">{lines[0]}</a>'
                    f'<span class="time">{published}</span></li>')
    (folder / "list_page1.html").write_text(JIAXING_LIST.format(rows="\n".join(rows[:2])), encoding="utf-8")
    routes.append(_route("GET", "/col/col1229426511/index.html", "list_page1.html", "list", "text/html; charset=utf-8"))
    for page_num, chunk in ((2, rows[2:]), (3, [])):
        name = f"list_page{page_num}.json"
        html = '<ul class="page-content">\n' + "\n".join(chunk) + "\n</ul>" if chunk else ""
        write_json(folder / name, {"success": True, "data": {"html": html}})
        routes.append(_route("GET", JIAXING_UNIT.format(page=page_num), name, "list" if chunk else "list_end",
                             "application/json;charset=UTF-8"))
    write_json(folder / "routes.json", {"base_url": "https://www.jiaxing.gov.cn", "routes": routes})


def build_files() -> None:
    """The uploads folder: the four pages of ../shared/samples/pages (copied byte for byte) with metadata in
    each of the three ways, and one .docx, .pdf and .html made from corpus texts."""
    import shutil

    folder = HERE / "files" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    samples = HERE.parents[2] / "shared" / "samples" / "pages"
    for name in ("chengdu-2024-fazhi-zhengfu-baogao.txt", "chengdu-fazhi-zhengfu-fangan-mirror.txt",
                 "city-fazhi-gongzuo-fangan.txt", "fazhi-zhengfu-gangyao-2021-2025-part.txt"):
        shutil.copyfile(samples / name, folder / name)
    write_json(folder / "chengdu-2024-fazhi-zhengfu-baogao.json", {
        "title": "成都市人民政府关于2024年度法治政府建设情况的报告", "issuing_bodies": ["成都市人民政府"],
        "region": "四川", "doc_type": "其他规范性文件"})
    (folder / "metadata.toml").write_text(
        '# Metadata for the files of this folder, one table per file name.\n'
        '["chengdu-fazhi-zhengfu-fangan-mirror.txt"]\n'
        'title = "成都市法治政府建设实施方案（2021-2025年）"\n'
        'issuing_bodies = ["中共成都市委", "成都市人民政府"]\n'
        'region = "四川省"\n'
        'doc_type = "其他规范性文件"\n'
        'source_url = "http://www.example-mirror.cn/news/2022/0301/123456.html"\n', encoding="utf-8")
    (folder / "metadata.csv").write_text(
        "file,title,issuing_bodies,published,source_status\n"
        "city-fazhi-gongzuo-fangan.txt,全市人民政府全年度法治政府建设工作方案,市人民政府,,失效\n",
        encoding="utf-8")
    rules = "DLC/浙江地方法规/地方性法规/浙江/嘉兴市餐饮业油烟管理办法(2020-04-10).md"
    merger = "行政法规/国务院关于经营者集中申报标准的规定(2024-01-22).md"
    review = "行政法规/行政复议法实施条例(2007-05-29).md"
    texts = corpus_markdown([rules, merger, review])
    (folder / "word").mkdir(exist_ok=True)
    (folder / "word" / "经营者集中申报标准.docx").write_bytes(make_docx(document_lines(texts[merger])))
    write_json(folder / "word" / "经营者集中申报标准.docx.json", {
        "doc_type": "行政法规", "issuing_bodies": "国务院", "doc_number": "国务院令第773号",
        "published": "2024-01-22", "effective": "2024-01-22", "source_status": "现行有效"})
    (folder / "行政复议法实施条例.pdf").write_bytes(make_pdf(document_lines(texts[review])))
    lines = document_lines(texts[rules])
    (folder / "嘉兴市餐饮业油烟管理办法.html").write_text(
        f'<!DOCTYPE html>\n<html><head><meta charset="gb2312"><title>{lines[0]}_嘉兴市人大</title></head>\n<body>\n'
        f'<div class="nav">首页 &gt; 法规库</div>\n<h1>{lines[0]}</h1>\n<div id="zoom">\n{_html_paragraphs(lines[1:])}\n'
        '</div>\n<div class="footer">版权所有</div>\n</body></html>\n', encoding="gb18030")


BUILDERS = {"files": build_files, "flk": build_flk, "gov_policy": build_gov_policy, "guangdong": build_guangdong,
            "jiaxing": build_jiaxing}


if __name__ == "__main__":
    for name in sys.argv[1:] or list(BUILDERS):
        BUILDERS[name]()
        print(f"built tests/examples/{name}")
