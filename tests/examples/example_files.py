"""Tools that build the binary example files of the source adapters (Word and PDF texts) from real corpus
texts, used once by build_source_examples.py; the files it wrote are committed, the tests only read them.

The PDF writer makes what government sites publish: a text-layer PDF whose CJK font maps glyph codes to
Unicode through a ToUnicode CMap (Identity-H), with paragraphs wrapped at the page width."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "lawrefbook.jsonl.gz"


def corpus_markdown(paths: list[str]) -> dict[str, str]:
    """The markdown of the corpus lines whose path is in paths."""
    found: dict[str, str] = {}
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            raw = json.loads(line)
            if raw.get("path") in paths:
                found[raw["path"]] = raw["markdown"]
    missing = set(paths) - set(found)
    if missing:
        raise SystemExit(f"not in the corpus: {sorted(missing)}")
    return found


def document_lines(markdown: str, history_in_brackets: bool = True) -> list[str]:
    """The lines of an official text as the sites print it: title, the history lines in one bracket,
    then headings and articles."""
    head, _, body = markdown.partition("<!-- INFO END -->")
    title = next(ln[2:].strip() for ln in head.splitlines() if ln.startswith("# "))
    history = [ln.strip() for ln in head.splitlines() if ln.strip() and not ln.startswith("#")]
    lines = [title]
    if history:
        joined = "　".join(h.rstrip("）") for h in history)
        lines.append(f"（{joined}）" if history_in_brackets else joined)
    for ln in body.splitlines():
        ln = ln.strip().lstrip("#").strip()
        if ln:
            lines.append(ln)
    return lines


def make_docx(lines: list[str]) -> bytes:
    from docx import Document

    doc = Document()
    for ln in lines:
        doc.add_paragraph(ln)
    doc.core_properties.title = lines[0] if lines else ""
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def make_pdf(lines: list[str], per_page: int = 40, width: int = 36) -> bytes:
    wrapped: list[str] = []
    for ln in lines:
        while len(ln) > width:
            wrapped.append(ln[:width])
            ln = ln[width:]
        wrapped.append(ln)
    pages = [wrapped[i:i + per_page] for i in range(0, len(wrapped), per_page)] or [[]]
    objs: list[bytes | None] = []

    def add(obj: bytes | None) -> int:
        objs.append(obj)
        return len(objs)

    catalog, pages_id = add(None), add(None)
    cmap = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
            "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    used = sorted({ord(c) for ln in wrapped for c in ln if ord(c) < 0x10000})
    for start in range(0, len(used), 100):  # a CMap block holds at most 100 entries; only the glyphs used
        chunk = used[start:start + 100]
        cmap.append(f"{len(chunk)} beginbfchar")
        cmap += [f"<{code:04X}> <{code:04X}>" for code in chunk]
        cmap.append("endbfchar")
    cmap += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    data = "\n".join(cmap).encode()
    to_unicode = add(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
    cid_font = add(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe)"
                   b" /Ordering (Identity) /Supplement 0 >> /CIDToGIDMap /Identity /DW 1000 >>")
    font = add(b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [%d 0 R]"
               b" /ToUnicode %d 0 R >>" % (cid_font, to_unicode))
    kids = []
    for page_lines in pages:
        ops = ["BT", "/F1 12 Tf", "14 TL", "40 800 Td"]
        ops += ["<" + "".join(f"{ord(c):04X}" for c in ln if ord(c) < 0x10000) + "> Tj T*" for ln in page_lines]
        ops.append("ET")
        stream = "\n".join(ops).encode()
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R"
                        b" >> >> /Contents %d 0 R >>" % (pages_id, font, content)))
    objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    objs[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        " ".join(f"{k} 0 R" for k in kids).encode(), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, xref))
    return out.getvalue()


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def make_doc(lines: list[str]) -> bytes:
    """A Word 97-2003 binary file (.doc) holding `lines` as paragraphs: an OLE2 compound file ([MS-CFB],
    version 3, 512-byte sectors, no mini stream) with a WordDocument stream (a FIB naming the 1Table stream
    and the piece table, the text in one UTF-16LE piece) and a 1Table stream (the Clx), as [MS-DOC] lays
    them out. Only what a reader of the text needs; Word itself would want more (styles, sections)."""
    import struct

    text = ("\r".join(lines) + "\r").encode("utf-16-le")
    chars = len(text) // 2
    text_at = 0x0A00
    fib = bytearray(text_at)
    struct.pack_into("<HH", fib, 0, 0xA5EC, 0x00C1)  # wIdent, nFib (Word 97)
    struct.pack_into("<H", fib, 0x0A, 0x0200)  # fWhichTblStm: the table stream is 1Table
    struct.pack_into("<H", fib, 32, 14)  # csw, then FibRgW97 (14 words)
    struct.pack_into("<H", fib, 62, 22)  # cslw, then FibRgLw97 (22 longs)
    struct.pack_into("<I", fib, 64 + 3 * 4, chars)  # ccpText
    struct.pack_into("<H", fib, 152, 93)  # cbRgFcLcb: FibRgFcLcb97
    clx = struct.pack("<BI", 0x02, 16) + struct.pack("<II", 0, chars) + struct.pack("<HIH", 0, text_at, 0)
    struct.pack_into("<II", fib, 154 + 33 * 8, 0, len(clx))  # fcClx (offset 0 in 1Table), lcbClx
    word = bytes(fib) + text
    word += b"\0" * max(4096 - len(word), -len(word) % 512)  # not below the mini-stream cutoff
    table = clx + b"\0" * (4096 - len(clx))  # at the mini-stream cutoff: a regular stream

    sector = 512
    word_sectors, table_sectors = len(word) // sector, len(table) // sector
    # sector 0: FAT, sector 1: directory, then the WordDocument and 1Table streams
    fat = [0xFFFFFFFD, 0xFFFFFFFE]
    first_word = len(fat)
    fat += [first_word + i + 1 for i in range(word_sectors - 1)] + [0xFFFFFFFE]
    first_table = len(fat)
    fat += [first_table + i + 1 for i in range(table_sectors - 1)] + [0xFFFFFFFE]
    assert len(fat) <= 128, "example too long for one FAT sector"
    fat += [0xFFFFFFFF] * (128 - len(fat))

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", left, right, child) + b"\0" * 16 + struct.pack("<I", 0) + b"\0" * 16
                + struct.pack("<IQ", start, size))

    none = 0xFFFFFFFF
    directory = (entry("Root Entry", 5, none, none, 1, 0xFFFFFFFE, 0)
                 + entry("WordDocument", 2, 2, none, none, first_word, len(word))
                 + entry("1Table", 2, none, none, none, first_table, len(table))
                 + b"\0" * 128)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<I", 0) + struct.pack("<I", 0xFFFFFFFF) * 108)
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory + word + table
