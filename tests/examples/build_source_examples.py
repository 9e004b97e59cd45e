"""Build the example sites of the source adapters from real corpus texts (run once; the output is committed):

    .venv/bin/python tests/examples/build_source_examples.py [flk gov_policy normative_library files]

Each folder gets the responses its site would serve and a routes.json saying which URL serves which file
(method, path with query, the JSON body fields a POST must carry, content type). The response formats follow
the public crawler code named in each folder's README.md; the texts are corpus documents (../shared/corpus).
After building, write the expected records with FAGUI_REGENERATE_EXAMPLES=1 and read the diff."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.examples.example_files import (  # noqa: E402
    corpus_markdown,
    document_lines,
    make_docx,
    make_pdf,
    write_json,
)

JSON = "application/json;charset=UTF-8"


def _route(method: str, path: str, file: str, kind: str, content_type: str = JSON, match: dict | None = None,
           status: int = 200) -> dict:
    route = {"method": method, "path": path, "file": file, "kind": kind, "content_type": content_type}
    if match:
        route["match"] = match
    if status != 200:
        route["status"] = status
    return route


def build_flk() -> None:
    folder = HERE / "flk"
    laws = {
        "ff8081818f5e7e3c018fe0a0b1b2001a": ("宪法相关法/立法法(2023-03-13).md", 3, "法律", "全国人民代表大会",
                                            "2023-03-13", "2023-03-15", "docx"),
        "ff808181796a636a0179822a19350acb": ("宪法相关法/立法法(2015-03-15).md", 2, "法律", "全国人民代表大会",
                                            "2015-03-15", "2015-03-15", "docx"),
        "ff808181653e2d1b01659c2b6ff204c7": ("诉讼与非诉讼程序法/行政复议法(2017-09-01).md", 2, "法律",
                                            "全国人民代表大会常务委员会", "2017-09-01", "2018-01-01", "pdf"),
        "ff8080816f135f46016f202df4eb0e49": ("行政法规/行政复议法实施条例(2007-05-29).md", 3, "行政法规", "国务院",
                                            "2007-05-29", "2007-08-01", "content"),
    }
    texts = corpus_markdown([v[0] for v in laws.values()])
    titles = {b: document_lines(texts[v[0]])[0] for b, v in laws.items()}
    routes = []
    rows = []
    for bbbs, (path, sxx, flxz, body, gbrq, sxrq, fmt) in laws.items():
        lines = document_lines(texts[path])
        title = lines[0]
        rows.append({"bbbs": bbbs, "title": title, "gbrq": gbrq, "sxrq": sxrq, "sxx": sxx, "flxz": flxz,
                     "zdjgName": body, "flfgCodeId": 110 if flxz == "法律" else 210, "zdjgCodeId": 10,
                     "score": None, "titleHightLightList": []})
        detail = {"bbbs": bbbs, "title": title, "flxz": flxz, "zdjgName": body, "gbrq": gbrq, "sxrq": sxrq,
                  "sxx": sxx, "flfgCodeId": rows[-1]["flfgCodeId"],
                  "ossFile": {"ossWordPath": f"flfg/docx/{bbbs}.docx", "ossPdfPath": f"flfg/pdf/{bbbs}.pdf",
                              "ossWordOfdPath": None, "ossPdfOfdPath": None},
                  "content": _content_tree(lines, with_text=fmt == "content"),
                  "lsyg": [{"bbbs": b, "title": titles[b], "gbrq": laws[b][4]} for b in laws
                           if b != bbbs and laws[b][0].split("(")[0] == path.split("(")[0]],
                  "xgwj": []}
        write_json(folder / f"detail_{bbbs}.json", {"code": 200, "msg": "操作成功", "data": detail})
        routes.append(_route("GET", f"/law-search/search/flfgDetails?bbbs={bbbs}", f"detail_{bbbs}.json", "detail"))
        for kind in ("docx", "pdf"):
            link = f"download_{bbbs}_{kind}.json"
            if kind == fmt:
                name = f"{bbbs}.{kind}"
                (folder / name).write_bytes(make_docx(lines) if kind == "docx" else make_pdf(lines))
                media = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document" if kind == "docx"
                         else "application/pdf")
                file_path = f"/oss/flfg/{kind}/{name}?Expires=1798761600&OSSAccessKeyId=LTAI&Signature=x"
                write_json(folder / link, {"code": 200, "msg": "操作成功", "data": {"url": file_path}})
                routes.append(_route("GET", file_path, name, "asset", media))
            elif fmt == "pdf" and kind == "docx" or fmt == "content":
                write_json(folder / link, {"code": 500, "msg": "文件不存在", "data": None})
            else:
                continue
            routes.append(_route("GET", f"/law-search/download/pc?format={kind}&bbbs={bbbs}", link, "asset"))
    rows.sort(key=lambda r: r["gbrq"], reverse=True)  # the query asks for the newest 公布日期 first
    for page_num, chunk in ((1, rows[:2]), (2, rows[2:])):
        name = f"list_page{page_num}.json"
        write_json(folder / name, {"code": 200, "msg": "查询成功", "total": len(rows), "rows": chunk})
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


BUILDERS = {"flk": build_flk}


if __name__ == "__main__":
    for name in sys.argv[1:] or list(BUILDERS):
        BUILDERS[name]()
        print(f"built tests/examples/{name}")
