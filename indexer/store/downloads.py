"""Downloads of one version: plain text and .docx, both built from the read model in indexer.store.documents."""

from __future__ import annotations

import io
import re

from sqlalchemy.orm import Session

from indexer.store.documents import version_detail
from indexer.store.views import VersionView

# Metadata lines in the order a reader expects them on a printed regulation.
_META = (
    ("issuing_bodies", "制定机关"),
    ("doc_number", "发文字号"),
    ("doc_type", "效力级别"),
    ("region", "行政区划"),
    ("published", "公布日期"),
    ("effective_from", "施行日期"),
    ("expires", "有效期至"),
    ("status_label", "时效性"),
    ("version", "版本"),
    ("source_url", "来源"),
)


def metadata_lines(detail: VersionView) -> list[tuple[str, str]]:
    work, version = detail.work, detail.version
    values: dict[str, object] = {
        "issuing_bodies": "、".join(detail.issuing_bodies),
        "doc_number": version.doc_number,
        "doc_type": work.doc_type,
        "region": work.region,
        "published": version.published,
        "effective_from": version.effective_from,
        "expires": version.expires,
        "status_label": f"{version.status_label}（{version.status_basis}）",
        "version": f"第{version.seq}版，共{len(detail.versions)}版" + ("（现行版本）" if version.is_current else ""),
        "source_url": version.source_url,
    }
    return [(label, str(values[key])) for key, label in _META if values.get(key)]


def _blocks(detail: VersionView) -> list[tuple[str, int, str]]:
    """The body as (kind, level, text): headings where an article's path opens a new part, then articles."""
    blocks: list[tuple[str, int, str]] = []
    if detail.preamble:
        blocks.append(("preamble", 0, detail.preamble))
    if detail.body:
        blocks.append(("body", 0, detail.body))
    previous: list[str] = []
    for a in detail.articles:
        parts = [p.strip() for p in (a.path or "").split(" / ") if p.strip()]
        same = 0
        while same < min(len(parts), len(previous)) and parts[same] == previous[same]:
            same += 1
        blocks += [("heading", depth + 1, parts[depth]) for depth in range(same, len(parts))]
        previous = parts
        blocks.append(("article", 0, a.text))
    return blocks


def version_text(session: Session, work_id: str, seq: int | None = None) -> str | None:
    """The version as plain text: title, metadata lines, then its text with headings and articles."""
    detail = version_detail(session, work_id, seq)
    return text_of(detail) if detail is not None else None


def text_of(detail: VersionView) -> str:
    """A version view as plain text (see version_text)."""
    lines = [detail.version.title, ""]
    lines += [f"{label}：{value}" for label, value in metadata_lines(detail)]
    for _kind, _, text in _blocks(detail):
        lines.append("")
        lines.append(text)
    return "\n".join(lines).rstrip() + "\n"


def version_docx(session: Session, work_id: str, seq: int | None = None) -> bytes | None:
    """The version as a Word document (.docx), in a font that has the Chinese glyphs."""
    detail = version_detail(session, work_id, seq)
    return docx_of(detail) if detail is not None else None


def docx_of(detail: VersionView) -> bytes:
    """A version view as a Word document (see version_docx)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        style = doc.styles[style_name]
        style.font.name = "SimSun"
        # Word picks the font of CJK characters from the eastAsia attribute, not from font.name.
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    doc.styles["Normal"].font.size = Pt(12)
    doc.core_properties.title = detail.version.title
    title = doc.add_heading(detail.version.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = metadata_lines(detail)
    table = doc.add_table(rows=len(meta), cols=2)
    table.style = "Table Grid"
    for row, (label, value) in zip(table.rows, meta, strict=True):
        row.cells[0].text = label
        row.cells[1].text = value
    for kind, level, text in _blocks(detail):
        if kind == "heading":
            doc.add_heading(text, level=min(level, 3))
        elif kind == "article":
            _add_article(doc, text)
        else:
            for line in text.splitlines():
                if line.strip():
                    doc.add_paragraph(line.strip())
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


_LABEL = re.compile(r"^(第[零〇一二三四五六七八九十百千万两\d]+条(?:之[零〇一二三四五六七八九十\d]+)?)\s*")


def _add_article(doc, text: str) -> None:
    lines = text.splitlines()
    first = lines[0] if lines else ""
    m = _LABEL.match(first)
    p = doc.add_paragraph()
    if m:
        p.add_run(m.group(1)).bold = True
        p.add_run("　" + first[m.end():])
    else:
        p.add_run(first)
    for line in lines[1:]:
        doc.add_paragraph(line)


def export_filename(detail_title: str, seq: int, ext: str) -> str:
    """A download name readers recognise: 标题（第n版）.ext, without characters file systems refuse."""
    safe = re.sub(r'[\\/:*?"<>|\r\n\t]', "_", detail_title).strip() or "document"
    return f"{safe}（第{seq}版）.{ext}"
