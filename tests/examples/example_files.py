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
