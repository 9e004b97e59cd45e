"""Server-rendered SVG bar charts for report pages: no scripts, no style attributes (the site's
Content-Security-Policy forbids inline styles), every label escaped. Presentation attributes (fill,
font-size) are not styles and pass the policy."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR_COLOUR = "#8c1c13"
TEXT_COLOUR = "#222222"
GRID_COLOUR = "#dddddd"


def _label(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(items: Sequence[tuple[str, int | float]], title: str, *, width: int = 720, bar_height: int = 22,
              label_chars: int = 16, unit: str = "件") -> str:
    """A horizontal bar chart of (label, value) pairs as an <svg> element, labelled for screen readers.

    Horizontal bars keep long Chinese names readable; values are written at the end of each bar."""
    items = [(str(label), value) for label, value in items if value is not None]
    label_width = min(label_chars, max((len(label) for label, _ in items), default=4)) * 14 + 16
    top, gap = 34, 8
    height = top + len(items) * (bar_height + gap) + 10
    plot = width - label_width - 70
    peak = max((v for _, v in items), default=0) or 1
    t = escape(title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="chart-title" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f'<title id="chart-title">{t}</title>',
        f'<text x="0" y="18" font-size="15" font-weight="bold" fill="{TEXT_COLOUR}">{t}</text>',
    ]
    if not items:
        parts.append(f'<text x="0" y="{top + 14}" font-size="13" fill="{TEXT_COLOUR}">暂无数据</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_height + gap)
        w = max(1.0, plot * value / peak) if value else 0
        full, short = escape(label), escape(_label(label, label_chars))
        parts.append(
            f'<g><title>{full}：{value}{escape(unit)}</title>'
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.1f}" font-size="13" text-anchor="end" '
            f'fill="{TEXT_COLOUR}">{short}</text>'
            f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{BAR_COLOUR}"/>'
            f'<text x="{label_width + w + 6:.1f}" y="{y + bar_height * 0.7:.1f}" font-size="13" '
            f'fill="{TEXT_COLOUR}">{value}</text></g>'
        )
    parts.append(f'<line x1="{label_width}" y1="{top - 4}" x2="{label_width}" y2="{height - 6}" '
                 f'stroke="{GRID_COLOUR}"/>')
    parts.append("</svg>")
    return "".join(parts)
