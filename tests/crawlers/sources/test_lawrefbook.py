"""The LawRefBook corpus reader: saved real corpus lines against their reviewed expected records
(tests/examples/lawrefbook/, the juriscraper pattern), bad lines, and the 民法典 part files joined."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from pathlib import Path

import pytest

from crawlers.sources import lawrefbook
from fagui.normalise.articles import split_articles
from fagui.records import RecordError

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "tests" / "examples" / "lawrefbook"
CORPUS = REPO.parent / "shared" / "corpus" / "lawrefbook.jsonl.gz"

_spec = importlib.util.spec_from_file_location("lawrefbook_examples", EXAMPLES / "regenerate.py")
examples = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(examples)

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.jsonl"))


def test_every_example_has_its_expected_json():
    assert len(EXAMPLE_FILES) >= 6
    for source in EXAMPLE_FILES:
        assert source.with_name(source.stem + ".expected.json").exists(), source.name


@pytest.mark.parametrize("source", EXAMPLE_FILES, ids=[p.stem for p in EXAMPLE_FILES])
def test_example_parses_to_its_expected_records(source):
    expected = json.loads(source.with_name(source.stem + ".expected.json").read_text(encoding="utf-8"))
    actual = examples.expected_of(lawrefbook.read_corpus(source))
    assert [r["source_ref"] for r in actual["records"]] == [r["source_ref"] for r in expected["records"]]
    for got, want in zip(actual["records"], expected["records"], strict=True):
        for key in want:
            assert got[key] == want[key], f"{want['source_ref']}: {key}"
    assert actual == expected


def _example(name: str) -> list:
    return lawrefbook.read_corpus(EXAMPLES / f"{name}.jsonl").records


def test_example_facts_worth_saying_out_loud():
    """The points the expected files were checked for, so a regeneration cannot quietly drop them."""
    (criminal,) = _example("national_law_criminal_code")
    assert criminal.issuing_bodies == ["全国人民代表大会"]
    assert str(criminal.published) == "2023-12-29"  # the text carries 修正案（十二）; the collection says 2020
    assert criminal.extra["date_sources"] == {"published": "history", "effective": "published"}

    old, new = _example("law_two_versions_lifafa")
    assert (str(old.published), str(new.published)) == ("2015-03-15", "2023-03-13")
    assert "end_status" not in old.extra and old.extra["superseded"] is True
    assert old.source_status == "失效" and new.source_status == "有效"

    zhengzhou, qingdao, ningbo = _example("city_regulations_approved_by_province")
    assert zhengzhou.issuing_bodies == ["郑州市人民代表大会常务委员会"]
    assert "河南省人民代表大会常务委员会" in zhengzhou.history[-1].body  # "河省" in the file
    assert qingdao.issuing_bodies == ["青岛市人民代表大会常务委员会"]
    assert ningbo.history[0].body == "宁波市人民代表大会常务委员会"  # "市十四届人大常委会" in the file
    assert ningbo.history[1].body == "浙江省人民代表大会常务委员会"

    card, provoking = _example("joint_judicial_interpretations")
    assert card.issuing_bodies == provoking.issuing_bodies == ["最高人民法院", "最高人民检察院"]
    assert card.history[0].kind == "adopted" and card.doc_number is None  # 法释〔2009〕19号 is the amended act

    transport, archives = _example("administrative_regulations")
    assert transport.issuing_bodies == archives.issuing_bodies == ["国务院"]
    # 2023 text: the fifth revision names no order, so its number is unknown; 406 is the 2004 text's
    assert transport.doc_number is None and transport.extra["first_doc_number"] == "国务院令第406号"


def _version(title: str, history: list[str], file_date: str, body: str = "第一条 为了规范管理，制定本条例。"):
    markdown = f"# {title}\n\n" + "\n\n".join(history) + f"\n\n<!-- INFO END -->\n\n{body}\n"
    raw = {"source": "LawRefBook/Laws", "path": f"行政法规/{title}({file_date}).md", "region": "全国",
           "file_date": file_date, "level": "行政法规", "publish": file_date, "markdown": markdown}
    return lawrefbook.parse_record(raw, "t.jsonl:1")


def test_an_amended_version_has_the_number_of_the_order_that_made_it():
    """Real history lines (生猪屠宰管理条例 2021, 国家科学技术奖励条例 2024, 印花税暂行条例 2011): the 发文字号
    of a text is the order of its newest act, never the first text's order."""
    pigs = _version("生猪屠宰管理条例", [
        "1997年12月19日 中华人民共和国国务院令第238号公布",
        "2008年5月25日 中华人民共和国国务院令第525号第一次修订",
        "2011年1月8日 《国务院关于废止和修改部分行政法规的决定》第二次修订",
        "2016年2月6日 《国务院关于修改部分行政法规的决定》第三次修订",
        "2021年6月25日 中华人民共和国国务院令第742号第四次修订）"], "2021-06-25")
    assert pigs.doc_number == "国务院令第742号" and "first_doc_number" not in pigs.extra
    # the newest revision names no order: the text's number is not known, the 1999 order is the first text's
    awards = _version("国家科学技术奖励条例", [
        "1999年5月23日 中华人民共和国国务院令第265号发布",
        "2003年12月20日 《国务院关于修改〈国家科学技术奖励条例〉的决定》第一次修订",
        "2013年7月18日 《国务院关于废止和修改部分行政法规的决定》第二次修订",
        "2020年10月7日 中华人民共和国国务院令第731号第三次修订",
        "2024年5月26日 《国务院关于修改〈国家科学技术奖励条例〉的决定》第四次修订）"], "2024-05-26")
    assert awards.doc_number is None and awards.extra["first_doc_number"] == "国务院令第265号"
    awards_2020 = _version("国家科学技术奖励条例", [
        "1999年5月23日 中华人民共和国国务院令第265号发布",
        "2020年10月7日 中华人民共和国国务院令第731号第三次修订"], "2020-10-07")
    assert awards_2020.doc_number == "国务院令第731号"
    # a joint order of 国务院 and 中央军事委员会 revising the text
    army = _version("中国人民解放军文职人员条例", [
        "2005年6月23日 中华人民共和国国务院、中华人民共和国中央军事委员会令第438号公布",
        "2017年9月27日 中华人民共和国国务院、中华人民共和国中央军事委员会令第689号第一次修订",
        "2022年12月10日 中华人民共和国国务院、中华人民共和国中央军事委员会令第757号第二次修订）"], "2022-12-10")
    assert army.doc_number == "国务院、中央军事委员会令第757号"
    # the collection dates the file 2011 but lists only the 1988 order: a later text, number unknown
    stamp = _version("印花税暂行条例", ["1988年8月6日 中华人民共和国国务院令第11号发布"], "2011-01-08")
    assert stamp.doc_number is None and stamp.extra["first_doc_number"] == "国务院令第11号"
    # ...but a file dated days after its order (the day a gazette printed it) is that order's text
    aliens = _version("外国人入境出境管理条例", [
        "2013年7月3日 国务院第15次常务会议通过", "2013年7月12日 中华人民共和国国务院令第637号公布",
        "2013年9月1日 施行"], "2013-07-21")
    assert aliens.doc_number == "国务院令第637号" and "first_doc_number" not in aliens.extra
    # a number on a history line of its own is the text's own, above its meeting line
    reply = _version("最高人民法院关于知识产权侵权诉讼中被告以原告滥用权利为由请求赔偿合理开支问题的批复", [
        "法释〔2021〕11号", "2021年5月31日 最高人民法院审判委员会第1840次会议通过", "2021年6月3日 施行"],
        "2021-06-03")
    assert reply.doc_number == "法释〔2021〕11号"


def write_raw_lines(path: Path, lines: list[bytes]) -> None:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as fh:
        for line in lines:
            fh.write(line + b"\n")


def record_line(title: str, region: str = "山东", path: str | None = None) -> bytes:
    markdown = (f"# {title}\n\n2020年1月1日 山东省第十三届人民代表大会常务委员会第一次会议通过\n\n<!-- INFO END -->\n\n"
                "第一条 为了规范管理，制定本条例。\n")
    return json.dumps({"source": "LawRefBook/Laws", "path": path or f"{title}(2020-01-01).md", "region": region,
                       "file_date": "2020-01-01", "markdown": markdown}, ensure_ascii=False).encode("utf-8")


# The collection's own README.md is one of the corpus lines: a real record with no "# title" line, skipped.
README_LINE = json.dumps({
    "source": "LawRefBook/Laws", "path": "README.md", "region": "全国", "file_date": None,
    "markdown": "---\ndraft: true\n---\n\n本项目收集各类法律法规、部门规章、案例等，并将其按照章节等信息进行了处理。\n\n## 应用\n",
}, ensure_ascii=False).encode("utf-8")


# The corpus's third line (shortened): a private guide filed under 其他, level 其他; no official document.
GUIDE_LINE = json.dumps({
    "source": "LawRefBook/Laws", "path": "其他/劳动仲裁和劳动诉讼的攻略.md", "region": "全国", "file_date": None,
    "level": "其他", "name": "劳动仲裁和劳动诉讼的攻略", "expired": False, "category": "其他",
    "markdown": "# 劳动仲裁和劳动诉讼的攻略\n\n该攻略出自\n\n[https://github.com/CPdogson/996.law]"
                "(https://github.com/CPdogson/996.law)\n\n<!-- INFO END -->\n\n## 如何通过司法途径要求公司支付加班费\n",
}, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_bad_lines_become_named_errors_and_the_lines_around_them_are_read(tmp_path, suffix):
    path = tmp_path / f"mixed{suffix}"
    not_utf8 = record_line("山东省乙条例").replace("规范管理".encode(), "规范管理".encode("gbk"))
    write_raw_lines(path, [
        record_line("山东省甲条例"),   # 1
        b'{"path": "x.md", "markdown": ',  # 2 malformed JSON
        b"[1, 2, 3]",                  # 3 not an object
        README_LINE,                   # 4 the collection's README: skipped, no failure
        not_utf8,                      # 5 bytes that are not UTF-8
        b"",                           # 6 empty line
        b"\xff\xfe{broken",            # 7 not UTF-8 and not JSON either
        record_line("山东省丙条例"),   # 8
        GUIDE_LINE,                    # 9 a private guide: skipped, no failure
        json.dumps({"path": "无题.md", "region": "全国", "markdown": "正文"}).encode(),  # 10 no title
    ])
    report = lawrefbook.read_corpus(path)
    assert [r.title for r in report.records] == ["山东省甲条例", "山东省丙条例"]
    assert report.lines == 10
    errors = {e.ref: e.reason for e in report.errors}
    name = path.name
    assert list(errors) == [f"{name}:2", f"{name}:3", f"{name}:5 山东省乙条例(2020-01-01).md",
                            f"{name}:6", f"{name}:7", f"{name}:10 无题.md"]
    assert errors[f"{name}:2"] == "不是有效的 JSON 行：第 30 列无法解析"
    assert errors[f"{name}:3"] == "记录不是 JSON 对象，而是数组"
    assert errors[f"{name}:10 无题.md"] == "缺少标题：正文没有“# 标题”行"
    skipped = {e.ref: e.reason for e in report.skipped}
    assert skipped == {
        f"{name}:4 README.md": "语料的说明文件（README），不是法规文件",
        f"{name}:9 其他/劳动仲裁和劳动诉讼的攻略.md": "不是官方文件：《劳动仲裁和劳动诉讼的攻略》是个人撰写的指南"
                                                 "（出自 https://github.com/CPdogson/996.law），不作为法规或规范性文件导入"}
    # every message is Chinese: no English parenthetical
    assert not any(re.search(r"[A-Za-z]{3,}", reason.replace("UTF-8", "").replace("JSON", "").replace("README", ""))
                   for reason in list(errors.values()) + [skipped[f"{name}:4 README.md"]])
    assert "UTF-8" in errors[f"{name}:5 山东省乙条例(2020-01-01).md"]
    assert "空行" in errors[f"{name}:6"]
    assert "UTF-8" in errors[f"{name}:7"]
    assert all(isinstance(e, RecordError) and str(e).startswith(e.ref) for e in report.errors)


def test_a_record_without_text_is_an_error():
    with pytest.raises(RecordError, match="缺少正文"):
        lawrefbook.parse_record({"path": "a.md", "region": "全国", "markdown": "  "}, "f.jsonl:9")


def test_open_lines_numbers_lines_and_keeps_bad_bytes_visible(tmp_path):
    path = tmp_path / "two.jsonl"
    path.write_bytes(b'{"a": 1}\r\n\xff\n')
    lines = list(lawrefbook.open_lines(path))
    assert lines == [(1, '{"a": 1}'), (2, "\udcff")]


def test_civil_code_parts_become_one_record_with_every_article_in_order():
    report = lawrefbook.read_corpus(EXAMPLES / "civil_code_parts.jsonl")
    assert report.errors == [] and report.merged_parts == 8
    (code,) = report.records
    assert code.title == "中华人民共和国民法典" and code.source_ref == "民法典/"
    assert len(code.extra["parts"]) == 8
    assert (str(code.published), str(code.effective)) == ("2020-05-28", "2021-01-01")
    assert code.issuing_bodies == ["全国人民代表大会"] and code.doc_type == "法律"
    articles = split_articles(code.text)
    assert len(articles) == 1260
    assert [a.number for a in articles] == list(range(1, 1261))
    assert articles[0].label == "第一条" and articles[-1].label == "第一千二百六十条"
    by_number = {a.number: a for a in articles}
    assert by_number[1087].path.startswith("第五编 婚姻家庭")
    assert by_number[1087].text.startswith("第一千零八十七条 离婚时，夫妻的共同财产由双方协议处理")
    assert by_number[463].path == "第三编 合同 / 第一分编 通则 / 第一章 一般规定"
    assert by_number[1].path == "第一编 总则 / 第一章 基本规定"
    assert by_number[1260].path == "附则"
    # the last article of a part does not swallow the next part's heading
    assert by_number[204].text.splitlines()[-1].endswith("。")


@pytest.fixture(scope="module")
def corpus_report():
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not present at {CORPUS} (expected beside the repository)")
    return lawrefbook.read_corpus(CORPUS)


def test_whole_corpus(corpus_report):
    report = corpus_report
    assert report.lines == 3424 and report.merged_parts == 8
    assert report.errors == []
    assert [(e.ref, e.reason[:7]) for e in report.skipped] == [
        ("lawrefbook.jsonl.gz:1 README.md", "语料的说明文件"),
        ("lawrefbook.jsonl.gz:3 其他/劳动仲裁和劳动诉讼的攻略.md", "不是官方文件：")]
    assert len(report.records) == 3415
    # the other file under 其他 is an official standard (最高人民法院等 2013), not a guide
    assert any(r.title == "人体损伤程度鉴定标准" for r in report.records)
    codes = [r for r in report.records if r.title == "中华人民共和国民法典"]
    assert len(codes) == 1 and len(split_articles(codes[0].text)) == 1260
    # every record names its maker (the collection's one guide, which named none, is skipped)
    assert [r.source_ref for r in report.records if not r.issuing_bodies] == []
    # a city's regulation is never dated before the province approved it
    for r in report.records:
        approvals = [e.date for e in r.history if e.kind == "approved" and e.date]
        if r.published and approvals:
            assert r.published >= max(approvals), r.source_ref


def test_corpus_as_a_crawl_source_lists_every_record_and_every_bad_line(tmp_path):
    """The dump in the crawl framework: one listing per record and per bad line, file:// URLs read from disk,
    the same records read_corpus gives; `SOURCE` stays the name the importer passes to ingest()."""
    from crawlers.sources._common import local_page

    path = tmp_path / "dump.jsonl.gz"
    write_raw_lines(path, [record_line("山东省甲条例"), b"[1]", record_line("山东省丙条例")])
    source = lawrefbook.make_source(path=path)
    listings = list(source.listings(None))
    assert [ls.ref for ls in listings] == ["山东省甲条例(2020-01-01).md", "山东省丙条例(2020-01-01).md", "dump.jsonl.gz:2"]
    assert all(ls.url.startswith(path.resolve().as_uri() + "#") for ls in listings)
    page = local_page(path)
    records = [source.record(ls, page, None) for ls in listings[:2]]
    assert [r.to_dict() for r in records] == [r.to_dict() for r in lawrefbook.read_corpus(path).records]
    with pytest.raises(RecordError, match="不是 JSON 对象"):
        source.record(listings[2], page, None)
    # A fresh source given only the page (a resumed run) parses the page's bytes.
    assert lawrefbook.make_source(path=path).record(listings[0], page, None).title == "山东省甲条例"
    assert lawrefbook.SOURCE == "lawrefbook" and lawrefbook.CRAWL_SOURCE.name == "lawrefbook"
    assert [r.source_ref for r in lawrefbook.read_corpus_bytes(path.read_bytes(), "x").records] == [
        r.source_ref for r in records]


def test_corpus_source_since_and_missing_file(tmp_path):
    path = tmp_path / "dump.jsonl"
    write_raw_lines(path, [record_line("山东省甲条例")])
    from datetime import date

    assert list(lawrefbook.make_source(path=path).listings(None, since=date(2021, 1, 1))) == []
    with pytest.raises(RecordError, match="找不到语料文件"):
        list(lawrefbook.make_source(path=tmp_path / "none.jsonl").listings(None))
