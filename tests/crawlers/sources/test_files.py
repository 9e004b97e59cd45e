"""The uploads-folder source against tests/examples/files/uploads (the four pages of ../shared/samples copied,
and corpus texts as .docx, .pdf and .html) with metadata beside the files, in a folder table (TOML) and a CSV;
expected records in tests/examples/files/expected/; bad files."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from crawlers.sources import files
from fagui.records import RecordError
from tests.crawlers.sources.example_site import EXAMPLES, compare_expected, error_of, expected_of
from tests.examples.example_files import make_pdf

FOLDER = EXAMPLES / "files"
UPLOADS = FOLDER / "uploads"
DOCUMENTS = sorted(p.relative_to(UPLOADS).as_posix() for p in UPLOADS.rglob("*")
                   if p.is_file() and p.suffix in files.EXTENSIONS)


def expected_file(ref: str) -> Path:
    return FOLDER / "expected" / (ref.replace("/", "__") + ".expected.json")


def _records(folder: Path = UPLOADS) -> dict:
    source = files.make_source(folder=folder)
    return {ls.ref: source.record(ls, source.open_page(ls), None) for ls in source.listings(None)}


def test_every_example_file_has_its_json():
    assert len(DOCUMENTS) == 7
    for ref in DOCUMENTS:
        assert expected_file(ref).exists(), ref
    assert (FOLDER / "README.md").exists()


@pytest.mark.parametrize("ref", DOCUMENTS)
def test_file_parses_to_its_expected_record(ref):
    source = files.make_source(folder=UPLOADS)
    listing = next(ls for ls in source.listings(None) if ls.ref == ref)
    assert listing.url.startswith("file://")
    compare_expected(expected_file(ref), expected_of(source.record(listing, source.open_page(listing), None)))


def test_facts_worth_saying_out_loud():
    records = _records()
    report = records["chengdu-2024-fazhi-zhengfu-baogao.txt"]
    assert report.region == "四川省" and report.issuing_bodies == ["成都市人民政府"]  # from the .json beside it
    mirror = records["chengdu-fazhi-zhengfu-fangan-mirror.txt"]
    assert mirror.title == "成都市法治政府建设实施方案（2021-2025年）"  # from metadata.toml
    assert "印发了《成都市法治政府建设实施方案(2021-2025年)》" in mirror.text  # pinyin gone, simplified
    assert "發" not in mirror.text and "(fā)" not in mirror.text
    plan = records["city-fazhi-gongzuo-fangan.txt"]
    assert plan.source_status == "失效" and plan.extra["end_status"] == "expired"  # from metadata.csv
    outline = records["fazhi-zhengfu-gangyao-2021-2025-part.txt"]
    assert outline.title == "法治政府建设实施纲要(2021-2025年)"  # no metadata: the first line
    word = records["word/经营者集中申报标准.docx"]
    assert word.doc_number == "国务院令第773号" and word.published == date(2024, 1, 22)
    assert word.title == "国务院关于经营者集中申报标准的规定" and word.doc_type == "行政法规"
    pdf = records["行政复议法实施条例.pdf"]
    assert pdf.title == "中华人民共和国行政复议法实施条例" and "第一条 为了进一步发挥行政复议制度" in pdf.text
    page = records["嘉兴市餐饮业油烟管理办法.html"]
    assert page.title == "嘉兴市餐饮业油烟管理办法" and "版权所有" not in page.text  # GB2312 page, body only


def test_since_skips_files_published_before():
    source = files.make_source(folder=UPLOADS)
    refs = [ls.ref for ls in source.listings(None, since=date(2024, 1, 1))]
    assert "word/经营者集中申报标准.docx" in refs and len(refs) == 7  # undated files are kept
    assert "word/经营者集中申报标准.docx" not in [ls.ref for ls in source.listings(None, since=date(2025, 1, 1))]


def _make_bad(folder: Path, case: str) -> str:
    if case == "truncated_docx":
        data = (UPLOADS / "word" / "经营者集中申报标准.docx").read_bytes()
        (folder / "截断.docx").write_bytes(data[: len(data) // 2])
        return "截断.docx"
    if case == "missing_title":
        (folder / "无标题.html").write_text("<html><body><div>第一条、第二条……，正文没有标题。</div></body></html>",
                                          encoding="utf-8")
        return "无标题.html"
    if case == "bad_metadata":
        shutil.copyfile(UPLOADS / "city-fazhi-gongzuo-fangan.txt", folder / "方案.txt")
        (folder / "方案.json").write_text('{"title": "方案", "published": ', encoding="utf-8")
        return "方案.txt"
    if case == "unknown_metadata_field":
        shutil.copyfile(UPLOADS / "city-fazhi-gongzuo-fangan.txt", folder / "方案.txt")
        (folder / "方案.json").write_text('{"title": "方案", "author": "某人"}', encoding="utf-8")
        return "方案.txt"
    if case == "bad_date":
        shutil.copyfile(UPLOADS / "city-fazhi-gongzuo-fangan.txt", folder / "方案.txt")
        (folder / "方案.json").write_text('{"title": "方案", "published": "去年"}', encoding="utf-8")
        return "方案.txt"
    if case == "wrong_encoding":
        text = (UPLOADS / "city-fazhi-gongzuo-fangan.txt").read_text(encoding="utf-8")
        damaged = "".join(ch if ch.isascii() else ch.encode("gbk", "replace").decode("utf-8", "replace")
                          for ch in text)
        (folder / "乱码.txt").write_bytes(damaged.encode("utf-8").decode("gbk", "replace").encode("utf-8"))
        return "乱码.txt"
    if case == "not_text":
        (folder / "二进制.txt").write_bytes(bytes(range(256)) * 20)
        return "二进制.txt"
    if case == "scanned_pdf":
        (folder / "扫描件.pdf").write_bytes(make_pdf([]))  # pages with no text layer, as a scan has
        return "扫描件.pdf"
    raise AssertionError(case)


BAD = ["truncated_docx", "missing_title", "bad_metadata", "unknown_metadata_field", "bad_date", "wrong_encoding",
       "not_text", "scanned_pdf"]


@pytest.mark.parametrize("case", BAD)
def test_bad_files_are_record_errors_with_chinese_reasons(tmp_path, case):
    name = _make_bad(tmp_path, case)
    source = files.make_source(folder=tmp_path)
    (listing,) = list(source.listings(None))
    with pytest.raises(RecordError) as info:
        source.record(listing, source.open_page(listing), None)
    assert info.value.ref == name
    compare_expected(FOLDER / "bad" / f"{case}.expected.json", error_of(info.value))


def test_a_broken_folder_table_fails_its_files_not_the_walk(tmp_path):
    shutil.copyfile(UPLOADS / "city-fazhi-gongzuo-fangan.txt", tmp_path / "a.txt")
    (tmp_path / "metadata.toml").write_text('["a.txt"\ntitle = 1', encoding="utf-8")
    (listing,) = list(files.make_source(folder=tmp_path).listings(None))
    with pytest.raises(RecordError) as info:
        files.make_source(folder=tmp_path).record(listing, files.SOURCE.open_page(listing), None)
    # the parser's English message is not passed on: the kind of problem and its place, in Chinese
    assert info.value.reason == "元数据有误：metadata.toml 无法读取：TOML 格式有误，第 1 行第 9 列无法解析"


def test_folder_must_be_given_and_exist(tmp_path, monkeypatch):
    monkeypatch.setenv("FAGUI_FILES_PATH", str(UPLOADS))  # the source reads no settings: it is given its folder
    with pytest.raises(RecordError, match="没有指定上传文件夹：请设置 FAGUI_FILES_PATH"):
        list(files.FilesSource().listings(None))
    with pytest.raises(RecordError, match="上传文件夹不存在"):
        list(files.FilesSource(tmp_path / "nowhere").listings(None))
    assert len(list(files.FilesSource(UPLOADS).listings(None))) == 7
    assert files.SOURCE.hosts == () and files.SOURCE.name == "files"


def test_fagui_crawl_files_reads_the_folder_FAGUI_FILES_PATH_names(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from fagui.cli.commands import cli

    monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
    monkeypatch.delenv("FAGUI_FILES_PATH", raising=False)
    unset = CliRunner().invoke(cli, ["crawl", "files", "--json"])
    assert unset.exit_code == 1, unset.output  # the folder could not be listed: an incomplete run
    assert "没有指定上传文件夹：请设置 FAGUI_FILES_PATH" in json.loads(unset.stdout)["listing_error"]

    monkeypatch.setenv("FAGUI_FILES_PATH", str(UPLOADS))
    result = CliRunner().invoke(cli, ["crawl", "files"])
    assert result.exit_code == 0, result.output
    assert "上传文件（files）抓取完成" in result.stdout and f"新增 {len(DOCUMENTS)}" in result.stdout


def test_an_old_binary_word_file_is_read(tmp_path):
    from tests.examples.example_files import make_doc

    (tmp_path / "通知.doc").write_bytes(make_doc(["关于做好某项工作的通知", "各区人民政府：", "现将有关事项通知如下。"]))
    (listing,) = list(files.make_source(folder=tmp_path).listings(None))
    record = files.make_source(folder=tmp_path).record(listing, files.SOURCE.open_page(listing), None)
    assert record.title == "关于做好某项工作的通知" and "现将有关事项通知如下。" in record.text
