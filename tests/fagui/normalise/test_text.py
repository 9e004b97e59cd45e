"""Text normalisation: mojibake, pinyin, script, width, whitespace, decoding, and the `fagui normalise` CLI.

Key cases are inline strings taken from the shared sample pages, so they run without ../shared; the tests
over whole pages and the corpus skip with a reason where it is absent."""

from __future__ import annotations

import random
import re

import pytest
from click.testing import CliRunner

from fagui.cli.commands import cli
from fagui.normalise import (
    NormaliseError,
    decode_bytes,
    fold_width,
    normalise_page,
    normalise_text,
    normalise_whitespace,
    repair_mojibake,
    strip_pinyin,
    to_simplified,
)
from tests.fagui.normalise.shared_paths import ALL_PAGES, CLEAN_PAGES, MIRROR

TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
PINYIN_LEFT = re.compile(rf"[\u4e00-\u9fff][(（][a-zü{TONED}]+[)）]")
PINYIN_ANY = re.compile(rf"[(（][a-zü{TONED}]+[)）]")
MARKER = re.compile(r"^[(（](\d+)[)）]", re.MULTILINE)


def misread_out_of_step(text: str) -> str:
    """What a GBK decoder makes of text's GBK bytes after one stray byte: pairs one byte out of step, an
    invalid pair (and the ASCII byte in it) becomes '?', an ASCII byte at a lead position stands alone."""
    data = b"\x80" + text.encode("gbk")
    out, i = [], 0
    while i < len(data):
        if data[i] < 0x80:
            out.append(chr(data[i]))
            i += 1
            continue
        try:
            ch = data[i:i + 2].decode("gb18030")
        except UnicodeDecodeError:
            ch = "?"
        out.append(ch if len(ch) == 1 else "?")
        i += 2
    return "".join(out)


# --- repair_mojibake: GBK read one byte out of step (lines of the mirror page) ------------------------------

@pytest.mark.parametrize(("garbled", "expected"), [
    # （一）健全政府機構: the run ends at the ASCII 'C' that was the trail byte of 機
    (" ?。ㄒ唬┙∪\ue092\ue47f畽C構(gòu)職能體系", " （一）健全政府機構(gòu)職能體系"),
    # the last garbled character 掷 + 'm' are 持 + 續
    (" ?。ㄈ\ue40c┏掷m(xù)規(guī)范重大行政決策程序", " （三）持續(xù)規(guī)范重大行政決策程序"),
    # the decoder ate 權's trail byte with the '(' of its pinyin: 權 guessed from 權力, '(' restored
    (" ?。ㄆ撸┙∪\ue08d姓\ue85d?quán)力制約和監(jiān)督體系", " （七）健全行政權(quán)力制約和監(jiān)督體系"),
    # a lost character with its pinyin, then 專項執 read out of step ('m' was a full-width ｍ)
    ("開展重點領(lǐng)域?qū)m棃?zhí)法。", "開展重點領(lǐng)域專項執(zhí)法。"),
    # 庫 and 。 out of step, the '<' of </p> eaten
    ("建立法治政府建設(shè)咨詢專家?guī)臁?/p>", "建立法治政府建設(shè)咨詢專家庫。</p>"),
])
def test_repairs_gbk_read_out_of_step(garbled, expected):
    assert repair_mojibake(garbled) == expected


def test_marker_numbers_come_from_their_neighbours():
    text = "(9)争创国家营商环境创新试点城市。\n ?。?0)构建公平竞争市场秩序。\n ?。?1)依法保护产权。\n(12)优化职能配置。"
    assert repair_mojibake(text).splitlines() == [
        "(9)争创国家营商环境创新试点城市。", " （10）构建公平竞争市场秩序。", " （11）依法保护产权。", "(12)优化职能配置。"]


def test_marker_numbers_at_the_start_count_back_from_the_first_clean_one():
    text = " ?。?)规范行政权力运行。\n ?。?)深化权责清单管理。\n(3)提高行政管理效能。"
    assert MARKER.findall(normalise_text(text)) == ["1", "2", "3"]


def test_a_marker_the_sequence_cannot_explain_is_dropped_cleanly():
    text = "(5)甲项工作。\n ?。?0)乙项工作。\n(7)丙项工作。"  # ?0 is 10, 20...: neither 6 follows 5 nor precedes 7
    assert repair_mojibake(text).splitlines() == ["(5)甲项工作。", " 乙项工作。", "(7)丙项工作。"]


@pytest.mark.parametrize("line", [
    "（二）申请执行的理由与请求的内容，被申请人的财产所在地以及财产状况；",
    "第二条 本条例适用于本市行政区域内大气污染防治及其监督管理活动。",
    "（一）有违反法律或者行政法规的行为；",
])
def test_repairs_simulated_out_of_step_reading(line):
    garbled = misread_out_of_step(line)
    assert garbled != line and garbled.startswith("?")
    assert repair_mojibake(garbled) == line


def test_mirror_page_is_fully_repaired(pages_dir):
    page = (pages_dir / MIRROR).read_text(encoding="utf-8")
    assert page.count("?") == 136
    repaired = repair_mojibake(page)
    assert "?" not in repaired
    for fragment in ("（一）健全政府機構", "（三）持續", "（七）健全行政權", "領域專項執", "咨詢專家庫。"):
        assert fragment in strip_pinyin(repaired)
    numbers = [int(n) for n in MARKER.findall(normalise_text(page))]
    assert numbers == list(range(1, 89))  # every list marker, restored or clean, in sequence


# --- repair_mojibake: whole byte sequences read with the wrong charset --------------------------------------

def test_repairs_utf8_read_as_gbk():
    assert repair_mojibake("锛堜竴锛�") == "（一）"  # the last byte was lost: the closing bracket fits
    sentence = "中华人民共和国行政处罚法（2021年修订）"
    assert repair_mojibake(sentence.encode("utf-8").decode("gbk", "replace")) == sentence
    article = "第一条　为了规范行政处罚的设定和实施。"
    assert repair_mojibake(article.encode("utf-8").decode("gbk", "replace")) == article


def test_repairs_utf8_read_as_latin1_once_or_twice():
    assert repair_mojibake("Ã¤Â¸Â\xad") == "中"
    sentence = "“依法行政”，建设法治政府"
    once = sentence.encode("utf-8").decode("latin-1")
    assert repair_mojibake(once) == sentence
    twice = once.encode("utf-8").decode("latin-1")
    assert repair_mojibake(twice) == sentence


@pytest.mark.parametrize("clean", [
    "是否合法?请核实。", "详见 http://www.gov.cn/zhengce?id=3 。", "第一条　为了规范行政行为（一）依法。",
    "café résumé", "“依法行政”……——", "锟斤拷", "中", "Ａ股（WTO）",
])
def test_clean_text_is_left_alone(clean):
    assert repair_mojibake(clean) == clean


@pytest.mark.parametrize("name", CLEAN_PAGES)
def test_clean_sample_pages_are_left_alone(pages_dir, name):
    page = (pages_dir / name).read_text(encoding="utf-8")
    assert repair_mojibake(page) == page


def test_corpus_text_is_left_alone(corpus_markdown):
    changed = [md[:30] for md in corpus_markdown if repair_mojibake(md) != md]
    assert changed == []


def test_question_marks_in_clean_text_survive(corpus_markdown):
    # Half-width '?' in place of Chinese punctuation must not be taken for damage.
    text = "\n".join(corpus_markdown[:20]).replace("？", "?").replace("。", "?")
    assert repair_mojibake(text) == text


# --- strip_pinyin -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("市委、市政府印發(fā)了《方案》", "市委、市政府印發了《方案》"),
    ("加強重要領(lǐng)域立法", "加強重要領域立法"),
    ("行政權(quán)力", "行政權力"),
    ("鎮(zhèn)(街道)", "鎮(街道)"),
    ("綠(lǜ)色", "綠色"),
    ("發（fā）展", "發展"),
    ("發(fa\u0304)展", "發展"),  # the tone mark as a combining character
    ("我的(de)", "我的"),  # a neutral tone written without a mark, on a character that has one
])
def test_strips_inserted_pinyin(text, expected):
    assert strip_pinyin(text) == expected


@pytest.mark.parametrize("text", [
    "世界贸易组织(WTO)", "行政区划代码(GB/T 2260)", "下列情形(a)", "条款(e)", "英文名称(law)", "方案(X-X年)",
    "规定(試行)", "ABC(fā)", "(fā)", "党委(黨組)", "第三条(三)", "收入(yuan)",
])
def test_keeps_real_bracketed_text(text):
    assert strip_pinyin(text) == text


# --- to_simplified, fold_width, normalise_whitespace -------------------------------------------------------

def test_to_simplified():
    assert to_simplified("法治政府建設實施方案") == "法治政府建设实施方案"
    assert to_simplified("") == ""


@pytest.mark.parametrize("simplified", [
    "严重破坏土地资源的行为",  # OpenCC's phrase table would give 破坯土地
    "新西门（乾健门）",  # 乾 is also a simplified character
    "著作权法",
])
def test_simplified_text_is_never_changed(simplified):
    assert to_simplified(simplified) == simplified


@pytest.mark.parametrize(("text", "expected"), [
    ("２０２１年８月２０日", "2021年8月20日"),
    ("ＧＢ／Ｔ　２２６０", "GB/T 2260"),
    ("增长１．５倍，占１０％", "增长1.5倍，占10%"),
    ("ＡＰＰ", "APP"),
    ("，。：；（）《》〔〕［］！？、", "，。：；（）《》〔〕［］！？、"),
])
def test_fold_width(text, expected):
    assert fold_width(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("第一条\r\n第二条\r第三条", "第一条\n第二条\n第三条"),
    ("\u3000\u3000第一条　为了", "第一条　为了"),
    ("\xa0\xa0 正文", "正文"),
    ("法\u200b治\ufeff政府", "法治政府"),
    ("甲   \n\n\n\n\n乙\t ", "甲\n\n乙"),
    ("甲\n\n乙\n丙", "甲\n\n乙\n丙"),
    ("来源 ·\xa0\xa0 市政府办公厅", "来源 ·   市政府办公厅"),
    ("\n\n 开头与结尾 \n\n", "开头与结尾"),
])
def test_normalise_whitespace(text, expected):
    assert normalise_whitespace(text) == expected


def test_normalise_text_runs_the_steps_in_order():
    garbled = " ?。ㄒ唬┙∪\ue092\ue47f畽C構(gòu)職能體系,推動更好發(fā)揮政府作用\r\n\r\n\r\n  ２０２５年"
    assert normalise_text(garbled) == "（一）健全政府机构职能体系,推动更好发挥政府作用\n\n2025年"


# --- decode_bytes, normalise_page -------------------------------------------------------------------------

ARTICLE = "第一条　为了规范行政行为，根据《中华人民共和国宪法》，制定本条例。镕"  # 镕 is GBK, not GB2312


@pytest.mark.parametrize(("data", "declared"), [
    (ARTICLE.encode("utf-8"), None),
    (ARTICLE.encode("utf-8-sig"), "gb2312"),
    (ARTICLE.encode("utf-16"), None),
    (ARTICLE.encode("gbk"), "gb2312"),  # a GB2312 label is read as GB18030
    (ARTICLE.encode("gbk"), "GBK"),
    (ARTICLE.encode("gb18030"), None),  # undeclared: detected
    (ARTICLE.encode("utf-8"), "gb2312"),  # a stale label on a page re-encoded to UTF-8
    (ARTICLE.encode("gbk"), "utf-8"),  # a wrong label
    (ARTICLE.encode("utf-8"), "iso-8859-1"),
])
def test_decode_bytes(data, declared):
    assert decode_bytes(data, declared) == ARTICLE


def test_decode_short_gbk_and_big5():
    assert decode_bytes("法律法规".encode("gbk")) == "法律法规"
    assert decode_bytes("發展規劃與法律".encode("big5")) == "發展規劃與法律"
    assert decode_bytes(b"") == ""


@pytest.mark.parametrize("data", [
    random.Random(7).randbytes(4096),
    b"\x89PNG\r\n\x1a\n" + random.Random(8).randbytes(2048),
    b"\x00" * 200 + "法规".encode("gbk") + b"\x00" * 200,
    bytes(range(256)) * 8,
])
def test_undecodable_bytes_raise(data):
    with pytest.raises(NormaliseError) as info:
        decode_bytes(data)
    assert isinstance(info.value, ValueError)
    assert "无法" in str(info.value) and "编码未知" in str(info.value) and not any("a" <= ch <= "z" for ch in str(info.value))


def test_normalise_page_reads_the_declared_charset():
    html = '<meta charset="gb2312">\n　　第一條　為了規範行政行為'.encode("gbk")
    assert normalise_page(html) == '<meta charset="gb2312">\n第一条 为了规范行政行为'
    assert normalise_page("發展(fā)") == "发展"


# --- the CLI ---------------------------------------------------------------------------------------------

def _run_normalise(path):
    return CliRunner().invoke(cli, ["normalise", str(path)])


@pytest.mark.parametrize("name", ALL_PAGES)
def test_cli_normalises_sample_pages(pages_dir, name):
    original = (pages_dir / name).read_text(encoding="utf-8")
    result = _run_normalise(pages_dir / name)
    assert result.exit_code == 0, result.output
    out = result.output
    assert not PINYIN_LEFT.search(out)
    assert "?" not in out
    assert to_simplified(out) == out
    # Brackets survive where the original had them: every ASCII one that was not pinyin, and a full-width
    # one for each marker the mirror garbled (each garbled run starts with ?。, the misread （).
    assert out.count("(") == original.count("(") - len(PINYIN_ANY.findall(original))
    assert out.count("（") == original.count("（") + original.count("?。")
    if name == MIRROR:
        for marker in ("（一）", "（三）", "（七）", "（10）", "（88）"):
            assert marker in out
        assert "(二)坚持和完善依法行政制度" in out


def test_cli_reports_an_undecodable_file(tmp_path):
    path = tmp_path / "binary.bin"
    path.write_bytes(random.Random(3).randbytes(3000))
    result = _run_normalise(path)
    assert result.exit_code != 0
    assert "binary.bin" in result.output and "无法" in result.output
