"""Normalisation of crawled text: encodings, scripts, widths, dates, document numbers, articles, history.

Each piece lives in its own module; this package re-exports the public functions.
"""

from fagui.normalise.dates import find_dates, parse_date
from fagui.normalise.docnumbers import DocNumber, find_doc_numbers, normalise_doc_number, parse_doc_number
from fagui.normalise.text import (
    NormaliseError,
    decode_bytes,
    fold_width,
    normalise_page,
    normalise_text,
    normalise_whitespace,
    repair_mojibake,
    strip_invisible,
    strip_pinyin,
    to_simplified,
)

__all__ = [
    "find_dates",
    "parse_date",
    "DocNumber",
    "find_doc_numbers",
    "normalise_doc_number",
    "parse_doc_number",
    "NormaliseError",
    "decode_bytes",
    "fold_width",
    "normalise_page",
    "normalise_text",
    "normalise_whitespace",
    "strip_invisible",
    "repair_mojibake",
    "strip_pinyin",
    "to_simplified",
]
