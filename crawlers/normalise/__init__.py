"""Normalisation of crawled text: encodings, scripts, widths, dates, document numbers, articles, history.

Each piece lives in its own module; this package re-exports the public functions.
"""

from crawlers.normalise.dates import find_dates, parse_date

__all__ = ["find_dates", "parse_date"]
