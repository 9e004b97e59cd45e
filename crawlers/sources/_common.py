"""Pieces every source adapter needs: pages for local files, JSON and HTML reading with Chinese errors,
text from Word/PDF/HTML, status labels, regions from body names, and a work key from a title.

Errors are RecordError with a Chinese reason naming what was wrong with the page, so a crawl summary can say
why a document was not stored; nothing here touches the network (fetching is the runner's `fetch`)."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import tomllib
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawlers.http import FetchError, FetchResult

# HTML is read in one place (crawlers.parsing); sources import these names from here or from there.
from crawlers.parsing import element_text as element_text
from crawlers.parsing import parse_html as parse_html
from crawlers.parsing import select_one as select_one
from crawlers.sources.base import Fetch, ListingIncomplete, Page
from fagui.normalise import NormaliseError, normalise_text, parse_date
from fagui.normalise.history import parse_history
from fagui.records import HistoryEvent, RecordError
from fagui.vocabulary import DOC_TYPES, REGION_CODES

log = logging.getLogger(__name__)

WEB_SCHEMES = ("http", "https")  # the only schemes a source's links may have

# The status labels sources use (DESIGN.md "Status labels found at the sources") and what they mean here.
STATUS_OF_LABEL: dict[str, str] = {
    "现行有效": "effective", "有效": "effective", "全文有效": "effective",
    "尚未生效": "not_yet_effective", "尚未施行": "not_yet_effective", "未生效": "not_yet_effective",
    "已被修改": "amended", "已修改": "amended", "已修订": "amended", "已修正": "amended", "修改": "amended",
    "已废止": "repealed", "废止": "repealed", "全文废止": "repealed",
    "失效": "expired", "已失效": "expired", "全文失效": "expired",
    "部分失效": "partially_invalid", "部分修改": "partially_invalid", "部分废止": "partially_invalid",
}
# Statuses that end a work (the store closes the version): the source said so, it is official.
ENDING_STATUSES = ("repealed", "expired")

# Bytes of text decoded with the wrong codec and saved again: U+FFFD, or 锟斤拷 (EF BF BD read as GBK).
_GARBLED = re.compile("\ufffd|锟斤拷|烫烫烫|屯屯屯")
_MAX_GARBLED_SHARE = 0.005


_JSON_KINDS = {list: "数组", str: "字符串", int: "数字", float: "数字", bool: "布尔值", type(None): "null"}
_TOML_PLACE = re.compile(r"\(at line (\d+), column (\d+)\)")


def json_kind(value: Any) -> str:
    """What a JSON value is, in Chinese (for "不是 JSON 对象，而是数组")."""
    return _JSON_KINDS.get(type(value), type(value).__name__)


def reading_problem(exc: BaseException) -> str:
    """Why a metadata or config file could not be read, in Chinese: the parsers' own messages are English,
    so only the kind of problem and its place are kept."""
    if isinstance(exc, UnicodeDecodeError):
        return f"不是 UTF-8 编码（第 {exc.start + 1} 个字节起）"
    if isinstance(exc, json.JSONDecodeError):
        return f"JSON 格式有误，第 {exc.lineno} 行第 {exc.colno} 列无法解析"
    if isinstance(exc, tomllib.TOMLDecodeError):
        place = _TOML_PLACE.search(str(exc))
        where = f"第 {place.group(1)} 行第 {place.group(2)} 列" if place else "文件末尾"
        return f"TOML 格式有误，{where}无法解析"
    if isinstance(exc, csv.Error):
        return "CSV 格式有误"
    if isinstance(exc, FileNotFoundError):
        return "文件不存在"
    if isinstance(exc, PermissionError):
        return "没有读取权限"
    if isinstance(exc, OSError):
        return "文件无法读取"
    return "文件格式有误"


def local_page(path: Path, url: str | None = None, charset: str | None = None) -> FetchResult:
    """A Page for a file on disk, so sources with no HTTP (a folder of uploads, the corpus dump) hand the
    runner the same kind of object the fetcher does: record() never needs to know where bytes came from."""
    headers = {"content-type": f"application/octet-stream; charset={charset}" if charset else ""}
    return FetchResult(url=url or path.resolve().as_uri(), status=200, content=path.read_bytes(),
                       headers={k: v for k, v in headers.items() if v})


def page_text(page: Any, ref: str) -> str:
    """The decoded text of a page; a body that is no text at all is a RecordError."""
    try:
        text = page.text
    except (NormaliseError, UnicodeDecodeError) as exc:
        text = _cut_mid_character(getattr(page, "content", b""))
        if text is None:
            raise RecordError(ref, "无法识别页面编码，内容不是可读文本（编码未知或不是文本文件）") from exc
    check_not_garbled(text, ref)
    return text


def _cut_mid_character(data: bytes) -> str | None:
    """A UTF-8 page cut off in transfer can end inside a character, which makes the whole body fail to
    decode; read without that last partial character, the page gets the truncation error it deserves."""
    try:
        data.decode("utf-8")
        return None  # whole characters throughout: whatever is wrong, it is not a cut
    except UnicodeDecodeError:
        pass
    for cut in (1, 2, 3):
        try:
            return data[:-cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return None


def check_not_garbled(text: str, ref: str, what: str = "页面") -> None:
    """A page decoded with the wrong character set upstream and saved again has lost its characters for good
    (replacement characters, 锟斤拷): storing it would put junk in the index, so it is refused."""
    found = _GARBLED.findall(text)
    if found and len(found) > max(2, len(text) * _MAX_GARBLED_SHARE):
        raise RecordError(ref, f"{what}编码错误：含有 {len(found)} 处无法恢复的乱码字符（如“{found[0]}”），"
                               "原文在转码时已损坏")


def load_json(page: Any, ref: str) -> Any:
    """A JSON response, with Chinese reasons for the ways it can be broken (truncated, HTML instead of JSON)."""
    text = page_text(page, ref).strip()
    if not text:
        raise RecordError(ref, "接口返回内容为空")
    if text.startswith("<"):
        raise RecordError(ref, "接口返回了网页而不是 JSON，可能被拦截或需要验证码")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text) - 2 or not text.endswith(("}", "]")):
            raise RecordError(ref, f"接口返回的 JSON 不完整，在第 {exc.pos} 个字符处中断") from exc
        raise RecordError(ref, f"接口返回的不是有效的 JSON：第 {exc.pos} 个字符处无法解析") from exc


def api_payload(data: Any, ref: str, ok_codes: Iterable[Any] = (200, "200", 0, "0")) -> Any:
    """The `data` of an API envelope {"code": 200, "msg": ..., "data": ...}; an error code is a RecordError
    carrying the site's own message."""
    if not isinstance(data, dict):
        raise RecordError(ref, f"接口返回的不是 JSON 对象，而是{json_kind(data)}")
    code = data.get("code")
    if code is not None and code not in tuple(ok_codes):
        msg = data.get("msg") or data.get("message") or "无说明"
        raise RecordError(ref, f"接口返回错误：代码 {code}，{msg}")
    return data


def dig(data: Any, path: str | None) -> Any:
    """data["a"]["b"][0] for the path "a.b.0"; None where any step is missing."""
    if not path:
        return None
    for step in path.split("."):
        if isinstance(data, dict):
            data = data.get(step)
        elif isinstance(data, list) and step.isdigit() and int(step) < len(data):
            data = data[int(step)]
        else:
            return None
    return data


def clean_text(text: str) -> str:
    """Crawled text in the project's one form (normalise_text: mojibake, pinyin, script, width, whitespace),
    with spaces inside lines collapsed."""
    text = normalise_text(text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"\n{2,}", "\n", text)  # one paragraph a line, as the corpus texts are
    return text.strip() + "\n" if text.strip() else ""


def docx_text(data: bytes, ref: str) -> str:
    """The paragraphs (and table rows) of a Word .docx file, in document order."""
    from docx import Document

    if not data.startswith(b"PK"):
        if data.lstrip()[:1] in (b"<", b"{"):
            raise RecordError(ref, "Word 文件下载结果是网页或 JSON，不是 .docx 文件")
        raise RecordError(ref, "不是 Word（.docx）文件")
    try:
        doc = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise RecordError(ref, "Word 文件已损坏或不完整，无法打开") from exc
    lines: list[str] = []
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = ["".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t"))
                             for cell in row if cell.tag.endswith("}tc")]
                    lines.append(" ".join(c.strip() for c in cells))
    return "\n".join(lines)


class NeedsOcr(RecordError):
    """The document's only text is a scan (a PDF page image with no text layer): nothing is wrong with the
    page, the text needs OCR, which this project does not run. `code` lets the runner file it apart from
    pages that failed to parse."""

    code = "needs_ocr"


def pdf_text(data: bytes, ref: str) -> str:
    """The text layer of a PDF. A scan with no text layer raises NeedsOcr (it needs OCR, which this project
    does not run): better a clear record of that than an empty document."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip().startswith(b"%PDF"):
        raise RecordError(ref, "不是 PDF 文件")
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise RecordError(ref, "PDF 文件已损坏或不完整，无法读取") from exc
    text = "\n".join(unwrap_lines(page) for page in pages)
    if not re.search(r"[\u4e00-\u9fff]", text):
        raise NeedsOcr(ref, f"需要 OCR：PDF 没有可提取的文字层（共 {len(pages)} 页，应是扫描件），"
                            "本平台不做文字识别，正文待人工或 OCR 录入")
    return text


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file: Word 97-2003 .doc, old .xls/.wps


def word_text(data: bytes, ref: str) -> str:
    """The text of a Word file of either kind: .docx (a zip, PK) or the old binary .doc (an OLE2 compound
    file, D0 CF 11 E0); sites serve both under a .doc or .docx name."""
    if data.startswith(OLE_MAGIC):
        return doc_text(data, ref)
    return docx_text(data, ref)


def doc_text(data: bytes, ref: str) -> str:
    """The main text of a Word 97-2003 binary file ([MS-DOC]): the FIB names the table stream and the piece
    table (Clx), whose pieces are UTF-16LE or 8-bit runs of the WordDocument stream; field codes are dropped
    and their results kept. The compound file itself is read by olefile."""
    import olefile

    if not data.startswith(OLE_MAGIC):
        raise RecordError(ref, "不是 Word 97-2003（.doc）文件")
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError) as exc:
        raise RecordError(ref, "Word（.doc）文件已损坏或不完整，无法打开") from exc
    try:
        if not ole.exists("WordDocument"):
            raise RecordError(ref, "不是 Word 文件：复合文档中没有 WordDocument 流（可能是 Excel 或 WPS 表格）")
        word = ole.openstream("WordDocument").read()
        if len(word) < 0x1AA or int.from_bytes(word[0:2], "little") != 0xA5EC:
            raise RecordError(ref, "Word（.doc）文件头无效，无法读取")
        flags = int.from_bytes(word[0x0A:0x0C], "little")
        if flags & 0x0100:
            raise RecordError(ref, "Word（.doc）文件已加密，无法读取正文")
        table_name = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(table_name):
            raise RecordError(ref, f"Word（.doc）文件缺少 {table_name} 流，无法读取")
        table = ole.openstream(table_name).read()
    except OSError as exc:
        raise RecordError(ref, "Word（.doc）文件已损坏或不完整，无法读取") from exc
    finally:
        ole.close()
    return _doc_fields_and_marks(_doc_pieces(word, table, ref))


def _doc_pieces(word: bytes, table: bytes, ref: str) -> str:
    def u16(buf: bytes, at: int) -> int:
        return int.from_bytes(buf[at:at + 2], "little")

    def u32(buf: bytes, at: int) -> int:
        return int.from_bytes(buf[at:at + 4], "little")

    csw = u16(word, 32)
    cslw = u16(word, 34 + csw * 2)
    lw_at = 36 + csw * 2
    ccp_text = u32(word, lw_at + 3 * 4)  # FibRgLw97.ccpText: characters of the main document
    fc_lcb_at = lw_at + cslw * 4 + 2
    fc_clx, lcb_clx = u32(word, fc_lcb_at + 33 * 8), u32(word, fc_lcb_at + 33 * 8 + 4)
    clx = table[fc_clx:fc_clx + lcb_clx]
    if not clx or len(clx) < lcb_clx:
        raise RecordError(ref, "Word（.doc）文件的文本索引（piece table）缺失或不完整")
    at = 0
    while at < len(clx) and clx[at] == 0x01:  # Prc entries (formatting) before the Pcdt
        at += 3 + int.from_bytes(clx[at + 1:at + 3], "little", signed=True)
    if at >= len(clx) or clx[at] != 0x02:
        raise RecordError(ref, "Word（.doc）文件的文本索引（piece table）无法解析")
    lcb = u32(clx, at + 1)
    plc = clx[at + 5:at + 5 + lcb]
    count = (lcb - 4) // 12
    cps = [u32(plc, 4 * i) for i in range(count + 1)]
    parts: list[str] = []
    for i in range(count):
        start, end = cps[i], min(cps[i + 1], ccp_text)
        if end <= start:
            continue
        fc = u32(plc, 4 * (count + 1) + 8 * i + 2)
        if fc & 0x40000000:  # compressed: one byte a character (Windows-1252)
            offset = (fc & 0x3FFFFFFF) // 2
            parts.append(word[offset:offset + end - start].decode("cp1252", "replace"))
        else:
            parts.append(word[fc:fc + 2 * (end - start)].decode("utf-16-le", "replace"))
        if cps[i + 1] >= ccp_text:
            break
    return "".join(parts)


def _doc_fields_and_marks(raw: str) -> str:
    """Word's control characters as text: a field ( 0x13 code 0x14 result 0x15 ) keeps its result only;
    paragraph, cell and line marks become line breaks."""
    out: list[str] = []
    depth_code: list[bool] = []  # per open field: still in its code part
    for ch in raw:
        if ch == "\x13":
            depth_code.append(True)
        elif ch == "\x14":
            if depth_code:
                depth_code[-1] = False
        elif ch == "\x15":
            if depth_code:
                depth_code.pop()
        elif depth_code and depth_code[-1]:
            continue
        elif ch in "\r\x0b\x0c\x07":
            out.append("\n")
        elif ch == "\t" or ch >= " ":
            out.append(ch)
    return "".join(out)


def unwrap_lines(text: str) -> str:
    """A PDF breaks paragraphs into lines of the page's width; a line as long as the longest line of the page
    was wrapped, and the next line continues its paragraph."""
    lines = text.splitlines()
    width = max((len(line.rstrip()) for line in lines), default=0)
    if width < 20:
        return text
    out: list[str] = []
    joining = False
    for line in lines:
        if joining and out:
            out[-1] += line.strip()
        else:
            out.append(line.rstrip())
        joining = len(line.rstrip()) >= width - 1
    return "\n".join(out)


_BODY_START = re.compile(r"^(?:目\s*录|第[一二三四五六七八九十百零〇\d]+[编章节条]|第一条)")


def history_of(text: str) -> list[HistoryEvent]:
    """The history events of an official text: the bracketed lines between the title and the body
    ((2000年3月15日第九届全国人民代表大会第三次会议通过 ...)), as the corpus reader reads them."""
    lines = text.splitlines()
    found: list[str] = []
    for line in lines[1:12]:
        stripped = line.strip()
        if not stripped:
            continue
        if _BODY_START.match(stripped):
            break
        if stripped[0] in "（(" or found and not found[-1].endswith(("）", ")")):
            found.append(stripped)
        else:
            break
    return parse_history([ln.strip("（）()") for ln in found]) if found else []


def parse_day(value: Any, formats: Iterable[str] = ()) -> date | None:
    """A date from a site's field: epoch milliseconds, the site's own formats, else any form parse_date knows."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000 if value > 10**11 else value).date()
    text = str(value).strip()
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return parse_date(text)


def status_of(label: str | None, mapping: dict[str, str] | None = None) -> str | None:
    """Our status for a source's label (its own mapping first), None when the label is unknown."""
    if not label:
        return None
    label = label.strip()
    if mapping and label in mapping:
        return mapping[label]
    return STATUS_OF_LABEL.get(label)


def status_extra(label: str | None, status: str | None) -> dict[str, Any]:
    """What a record says of its status beside source_status: the mapped status, and end_status where the
    source said the work has ended (the store closes the version on it)."""
    extra: dict[str, Any] = {}
    if status:
        extra["status"] = status
        if status in ENDING_STATUSES:
            extra["end_status"] = status
    elif label:
        extra["status_unmapped"] = label
    return extra


_PROVINCES = sorted((name for name in REGION_CODES if name != "全国"), key=len, reverse=True)


def region_of(*names: str | None) -> str | None:
    """The province a body or title names at its start (广东省人民代表大会常务委员会 -> 广东省, 上海市… ->
    上海市); None when none does."""
    for name in names:
        if not name:
            continue
        for province in _PROVINCES:
            short = province[:3] if province.startswith(("黑龙江", "内蒙古")) else province[:2]
            if name.startswith(province) or (name.startswith(short) and len(name) > len(short)
                                             and name[len(short)] in "省市自治区"):
                return province
    return None


def place_of(name: str) -> str | None:
    """The city, prefecture or municipality a body's name starts with (广州市人民代表大会常务委员会 -> 广州市,
    延边朝鲜族自治州人民代表大会 -> 延边朝鲜族自治州); None for a province's body (广东省人民政府)."""
    for suffix in ("市", "自治州", "盟", "地区"):  # 市 first: 广州市 is a city, not a 州
        m = re.match(rf"^([\u4e00-\u9fff]{{1,8}}?{suffix})", name)
        if m and "省" not in m.group(1) and "自治区" not in m.group(1):
            return m.group(1)
    return None


def checked_doc_type(value: str | None, ref: str) -> str | None:
    if value is None:
        return None
    if value not in DOC_TYPES:
        raise RecordError(ref, f"文件类型“{value}”不在效力级别词表中")
    return value




def absolute(base_url: str, url: str, known_hosts: Iterable[str] = ()) -> str:
    """url made absolute against the source's base URL. Sites give root-relative links; a full URL on one of
    the source's usual hosts keeps its path and query but takes the base's scheme and host, so tests can
    rebase a source onto a local server. A full http(s) URL on any other host is kept (the fetcher refuses
    hosts a source did not declare, and the failure is recorded). Any other scheme (file:, ftp:, data: ...)
    raises RecordError: a source reads the web only."""
    parts = urlsplit(url.strip())
    base = urlsplit(base_url)
    if parts.scheme and parts.scheme.lower() not in WEB_SCHEMES:
        raise RecordError(url, f"链接不是 http/https 网址，不予抓取：{url[:200]}")
    if parts.scheme and parts.netloc:
        if parts.hostname not in set(known_hosts) | {base.hostname}:
            return url.strip()
        url = parts.path + (f"?{parts.query}" if parts.query else "")
    elif not url.startswith("/"):
        url = "/" + url
    return f"{base.scheme}://{base.netloc}{url}"


def web_link(page_url: str, href: str | None) -> str | None:
    """href joined to the page's URL when the result is an http(s) URL (an attachment link); None for
    file:, javascript:, data: and any other scheme."""
    if not href:
        return None
    joined = urljoin(page_url, href.strip())
    return joined if urlsplit(joined).scheme.lower() in WEB_SCHEMES else None


def origin_of(url: str) -> str:
    """scheme://host[:port] of a base URL: what a source declares to the fetcher (no other scheme or port)."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower().rsplit('@', 1)[-1]}"


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


# Seconds to wait before asking again while a site answers "too many requests" (HTTP 429 or its own
# rate-limit answer): one request is retried four times over about seven and a half minutes.
RATE_LIMIT_WAITS: tuple[float, ...] = (30.0, 60.0, 120.0, 240.0)


def patient_fetch(fetch: Fetch, url: str, *, sleep: Callable[[float], None],
                  waits: Sequence[float] = RATE_LIMIT_WAITS,
                  rate_limited: Callable[[Page], str | None] | None = None, **kwargs: Any) -> Page:
    """fetch(url, **kwargs), asked again after each of `waits` while the site limits the request rate: an
    HTTP 429, or an answer `rate_limited(page)` recognises (it returns the site's words, else None). When the
    waits run out: ListingIncomplete (code rate_limited), so the run is not taken for a complete listing."""
    reason = ""
    for attempt in range(len(waits) + 1):
        try:
            page = fetch(url, **kwargs)
        except FetchError as exc:
            if exc.http_status != 429:
                raise
            reason = exc.reason
        else:
            said = rate_limited(page) if rate_limited is not None else None
            if said is None:
                return page
            reason = f"网站答复：{said}"
        if attempt < len(waits):
            log.warning("%s: rate limited (%s); asking again in %.0f s", url, reason, waits[attempt])
            sleep(waits[attempt])
    raise ListingIncomplete(url, "rate_limited",
                            f"网站持续限制访问频率（{reason}），等待 {sum(waits):.0f} 秒后仍未恢复："
                            "列表未抓完，本次运行不完整，不标记下线")
