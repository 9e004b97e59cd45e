"""Issuing bodies (制定机关): canonical names, aliases and the hierarchy 国家/省 > 市 > 部门."""

from __future__ import annotations

import re

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from fagui.vocabulary import REGION_CODES, canonical_region
from indexer.store.models import BodyAlias, IssuingBody

_KINDS = (
    ("人民代表大会常务委员会", "人大常委会"),
    ("人民代表大会", "人大"),
    ("人民政府办公厅", "政府办公厅"),
    ("人民政府办公室", "政府办公厅"),
    ("人民政府", "政府"),
    ("人民法院", "法院"),
    ("人民检察院", "检察院"),
    ("国务院办公厅", "政府办公厅"),
    ("国务院", "政府"),
    ("委员会", "部门"),
    ("总局", "部门"),
    ("部", "部门"),
    ("厅", "部门"),
    ("局", "部门"),
)
# Short forms used in practice for the long names the store keeps.
_SHORT_FORMS = (("人民代表大会常务委员会", "人大常委会"), ("人民代表大会", "人大"))
_NATIONAL = ("全国", "国务院", "最高人民法院", "最高人民检察院", "中央军事委员会", "国家监察委员会")
_PROVINCES = [name for name in REGION_CODES if name != "全国"]


def body_kind(name: str) -> str | None:
    for suffix, kind in _KINDS:
        if name.endswith(suffix):
            return kind
    return None


def aliases_of(name: str) -> list[str]:
    out = []
    for long, short in _SHORT_FORMS:
        if name.endswith(long):
            out.append(name[: -len(long)] + short)
    if name.startswith("中华人民共和国"):
        out.append(name.removeprefix("中华人民共和国"))
    return out


def _province_of(name: str) -> str | None:
    for province in _PROVINCES:
        if name.startswith(province) or name.startswith(province[:2]):
            return province
    return None


def _local_parent(name: str, province: str, kind: str) -> str | None:
    """A city's or county's own bodies sit under its government (郑州市司法局, 郑州市人民政府办公厅 → 郑州市人民政府),
    a county's government under its city's (金水区人民政府 → 郑州市人民政府), by the GB/T 2260 names
    (fagui.regions); None when the name starts with no city or county of the province."""
    from fagui.regions import get, lineage, locate

    province_code = REGION_CODES.get(province)
    code = locate(province_code, [name])
    region = get(code)
    if region is None or region.level == 1:
        return None
    chain = lineage(code)
    prefix = "".join(r.name for r in chain[1:])  # 郑州市 or 郑州市金水区 as written …
    own = region.name if name.removeprefix(province).startswith(region.name) else prefix
    if kind in ("部门", "政府办公厅"):
        return f"{own}人民政府"
    if kind == "政府" and region.level == 3 and len(chain) > 2:
        return f"{chain[1].name}人民政府"
    return None


def parent_name(name: str, region: str | None) -> str | None:
    """The body one level up: a city's body sits under its province's body of the same kind; a ministry
    under 国务院; a province's department under the province's government."""
    kind = body_kind(name)
    if name.startswith(_NATIONAL) or kind is None:
        return None
    province = _province_of(name)
    if province is None and kind == "部门" and not re.search(r"(省|市|自治区|州|县|区)", name):
        return "国务院"
    if province is None:
        province = canonical_region(region) if region and region != "全国" else None
    if province is None:
        return None
    local = _local_parent(name, province, kind)
    if local is not None:
        return local
    if name.startswith(province):
        rest = name[len(province) :]
        if kind == "部门" and not rest.startswith("人民"):
            return f"{province}人民政府"
        return None
    for suffix, _ in _KINDS[:5]:  # the congress and government kinds
        if name.endswith(suffix):
            return province + suffix
    return f"{province}人民政府"


def resolve_body(session: Session, name: str, region: str | None = None) -> IssuingBody:
    """The stored body for a name or alias, created (with its parents) the first time it is seen."""
    name = name.strip()
    cache: dict[str, IssuingBody] = session.info.setdefault("fagui_body_cache", {})
    if name in cache:
        return cache[name]
    body = session.scalar(select(IssuingBody).where(IssuingBody.name == name))
    if body is None:
        alias = session.scalar(select(BodyAlias).where(BodyAlias.alias == name))
        body = alias.body if alias is not None else None
    if body is None:
        parent = parent_name(name, region)
        parent_body = resolve_body(session, parent, region) if parent and parent != name else None
        with session.no_autoflush:
            free = [a for a in aliases_of(name)
                    if session.scalar(select(BodyAlias.id).where(BodyAlias.alias == a)) is None]
        body = IssuingBody(
            name=name,
            kind=body_kind(name),
            region=_province_of(name) or ("全国" if name.startswith(_NATIONAL) or parent == "国务院" else region),
            parent=parent_body,
            aliases=[BodyAlias(alias=a) for a in free],
        )
        session.add(body)
        session.flush()
    cache[name] = body
    return body


def descendant_ids(session: Session, body_id: int) -> list[int]:
    """The body and every body below it (a filter on a province's body includes its cities)."""
    rows = session.execute(select(IssuingBody.id, IssuingBody.parent_id)).all()
    children: dict[int | None, list[int]] = {}
    for bid, parent in rows:
        children.setdefault(parent, []).append(bid)
    out, stack = [], [body_id]
    while stack:
        bid = stack.pop()
        out.append(bid)
        stack.extend(children.get(bid, []))
    return out


def _forget_cache(session: Session, _previous_transaction) -> None:
    # Bodies created inside a rolled-back savepoint no longer exist; never hand them out again.
    session.info.pop("fagui_body_cache", None)


event.listen(Session, "after_soft_rollback", _forget_cache)


def reparent_bodies(session: Session) -> int:
    """Place every stored body under the parent parent_name gives it now (stores filled before the city and
    county hierarchy); returns how many moved. The index's body filter reads the chain: rebuild it after."""
    moved = 0
    for body in list(session.scalars(select(IssuingBody))):
        wanted = parent_name(body.name, body.region)
        if not wanted or wanted == body.name or (body.parent is not None and body.parent.name == wanted):
            continue
        parent = resolve_body(session, wanted, body.region)
        node: IssuingBody | None = parent
        while node is not None and node.id != body.id:  # never make a body its own ancestor
            node = node.parent
        if node is None:
            body.parent = parent
            moved += 1
    session.flush()
    return moved
