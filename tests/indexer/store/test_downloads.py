"""Plain-text and .docx downloads of a version: the .docx opens with python-docx and says what the text says."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest

from fagui.records import DocumentRecord
from indexer.store import downloads as exports
from indexer.store.upsert import upsert_record

TEXT = """某市道路运输管理办法

（2020年1月1日某市人民政府令第12号公布）

第一章 总则

第一条 为了加强道路运输管理，制定本办法。

第二条 本办法适用于本市行政区域。
前款所称道路运输，包括客运和货运。

第二条之一 运输<危险>货物的 & 其他规定。

第二章 附则

第三条 本办法自公布之日起施行。
"""


@pytest.fixture
def work_id(sqlite_store):
    record = DocumentRecord(source="test", source_ref="r1", title="某市道路运输管理办法", text=TEXT,
                            doc_type="地方政府规章", issuing_bodies=["某市人民政府"], region="山东省",
                            doc_number="某市人民政府令第12号", published=date(2020, 1, 1),
                            effective=date(2020, 2, 1), source_url="https://example.gov.cn/rule/12")
    with sqlite_store.sessions.begin() as s:
        return upsert_record(s, record).work_id


def test_text_export_has_title_metadata_headings_and_articles(sqlite_store, work_id):
    with sqlite_store.sessions() as s:
        text = exports.version_text(s, work_id)
    lines = text.splitlines()
    assert lines[0] == "某市道路运输管理办法" and lines[1] == ""
    assert "制定机关：某市人民政府" in lines and "发文字号：某市人民政府令第12号" in lines
    assert "公布日期：2020-01-01" in lines and "施行日期：2020-02-01" in lines
    assert "时效性：现行有效（系统推断）" in lines and "版本：第1版，共1版（现行版本）" in lines
    assert "来源：https://example.gov.cn/rule/12" in lines
    body = text[text.index("（2020年1月1日"):]
    assert body.split("\n\n") == [
        "（2020年1月1日某市人民政府令第12号公布）", "第一章 总则", "第一条 为了加强道路运输管理，制定本办法。",
        "第二条 本办法适用于本市行政区域。\n前款所称道路运输，包括客运和货运。",
        "第二条之一 运输<危险>货物的 & 其他规定。", "第二章 附则", "第三条 本办法自公布之日起施行。\n"]


def test_docx_opens_and_matches_the_text(sqlite_store, work_id):
    with sqlite_store.sessions() as s:
        data = exports.version_docx(s, work_id)
        text = exports.version_text(s, work_id)
    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.title == "某市道路运输管理办法"
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "某市道路运输管理办法"
    assert document.paragraphs[0].style.name == "Title"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["第一章 总则", "第二章 附则"]
    meta = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert meta["发文字号"] == "某市人民政府令第12号" and meta["制定机关"] == "某市人民政府"
    # Every article line of the text export is a paragraph of the document (label and text joined by a space).
    for line in text[text.index("第一条"):].splitlines():
        if line.strip() and not line.startswith("第一章") and not line.startswith("第二章"):
            assert line.replace(" ", "　", 1) in paragraphs or line in paragraphs, line
    article = next(p for p in document.paragraphs if p.text.startswith("第二条之一"))
    assert article.runs[0].text == "第二条之一" and article.runs[0].bold
    assert "运输<危险>货物的 & 其他规定。" in article.text  # kept as text, not markup


def test_exports_of_unknown_work_or_version_are_none(sqlite_store, work_id):
    with sqlite_store.sessions() as s:
        assert exports.version_text(s, "nope") is None
        assert exports.version_docx(s, work_id, 2) is None


def test_filename_is_safe_and_readable():
    assert exports.export_filename("关于a/b:c的规定", 2, "docx") == "关于a_b_c的规定（第2版）.docx"


def test_text_without_articles_exports_as_paragraphs(sqlite_store):
    record = DocumentRecord(source="test", source_ref="r2", title="某市人民政府关于做好春运工作的通知",
                            text="某市人民政府关于做好春运工作的通知\n\n各区人民政府：\n现就做好春运工作通知如下。\n",
                            doc_type="行政规范性文件", region="山东省", published=date(2024, 1, 5))
    with sqlite_store.sessions.begin() as s:
        wid = upsert_record(s, record).work_id
    with sqlite_store.sessions() as s:
        text = exports.version_text(s, wid)
        data = exports.version_docx(s, wid)
    assert text.endswith("\n\n各区人民政府：\n现就做好春运工作通知如下。\n")
    assert text.count("某市人民政府关于做好春运工作的通知") == 1
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert paragraphs[-2:] == ["各区人民政府：", "现就做好春运工作通知如下。"]
