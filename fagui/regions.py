"""The region hierarchy: GB/T 2260 provinces, cities and counties, shipped as data (fagui/data/gbt2260.tsv,
built by scripts/make_regions.py from a public copy of the codes; its origin is in the file's header).

National texts belong to no division; they carry NATIONAL (000000), which the standard does not use."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "gbt2260.tsv"
NATIONAL = "000000"
LEVEL_LABELS = {1: "省级", 2: "市级", 3: "县级"}


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    parent: str | None
    level: int  # 1 province, 2 city (地级), 3 county (县级)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


@lru_cache(maxsize=1)
def regions() -> dict[str, Region]:
    """Every division by code, in the file's order (provinces, each followed by its cities and counties)."""
    out: dict[str, Region] = {}
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, name, parent, level = line.split("\t")
        out[code] = Region(code, name, parent or None, int(level))
    return out


def get(code: str | None) -> Region | None:
    return regions().get(code or "")


def lineage(code: str | None) -> list[Region]:
    """The division and the ones above it, province first; [] for national or unknown codes."""
    out: list[Region] = []
    node = get(code)
    while node is not None:
        out.append(node)
        node = get(node.parent)
    return out[::-1]


def path_codes(code: str | None) -> list[str]:
    """What a text is filed under for scope filters: its division and every one above it, or NATIONAL."""
    return [r.code for r in lineage(code)] or [NATIONAL]


def children(code: str | None) -> list[Region]:
    """The divisions directly below a code (provinces below None or NATIONAL)."""
    parent = None if code in (None, NATIONAL) else code
    return [r for r in regions().values() if r.parent == parent]


@lru_cache(maxsize=64)
def _below(province: str) -> list[Region]:
    """The cities and counties of a province, longest names first (so 郑州市 never hides behind a shorter name)."""
    found = [r for r in regions().values() if r.code[:2] == province[:2] and r.level > 1]
    return sorted(found, key=lambda r: -len(r.name))


def locate(province_code: str | None, names: list[str]) -> str | None:
    """The finest division of a province that one of the names (issuing bodies first, then the title) starts
    with, after the province's own name: 东营市人民代表大会常务委员会 -> 370500, 河南省郑州市… -> 410100.
    A county is taken only when it is unique in the province. The province's code when nothing finer fits."""
    province = get(province_code)
    if province is None or province.level != 1:
        return province_code
    candidates = _below(province.code)
    for raw in names:
        text = (raw or "").strip().removeprefix(province.name)
        best: Region | None = None
        for region in candidates:
            if text.startswith(region.name):
                if region.level == 3 and sum(1 for r in candidates if r.name == region.name) > 1:
                    continue
                best = region
                break
        if best is not None:
            # A county named after its city (…市…区) is found by its own name; a city's county inside the text.
            rest = text[len(best.name):]
            if best.level == 2:
                for county in candidates:
                    if county.level == 3 and county.parent == best.code and rest.startswith(county.name):
                        return county.code
            return best.code
    return province.code


def is_within(code: str | None, scope: str) -> bool:
    """Whether a division lies in the scope's division (itself or below it)."""
    return scope in path_codes(code)
