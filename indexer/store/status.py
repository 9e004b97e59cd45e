"""Validity status (时效性), computed from version dates, 有效期至, reported ends and repeal/amend links, for today
or any date. Pure functions over plain values so the store, the reports and the search index agree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


def version_start(effective_from: date | None, published: date | None) -> date | None:
    """When a version comes into force: its 施行日期, but never before it was published (an amendment that
    repeats the old 施行日期 is in force from its publication, not before it existed); either date alone
    where only one is known."""
    if effective_from and published:
        return max(effective_from, published)
    return effective_from or published


@dataclass(frozen=True)
class VersionDates:
    """What status depends on for one version, in seq order (oldest first)."""

    effective_from: date | None
    published: date | None
    expires: date | None = None
    ended_on: date | None = None  # a reported end of the work (the source said 废止/失效), if any
    end_status: str | None = None  # "repealed" or "expired"
    source_label: str | None = None  # the source's own label behind end_status (失效, 废止 ...)

    @property
    def start(self) -> date | None:
        return version_start(self.effective_from, self.published)


@dataclass(frozen=True)
class RepealLink:
    """A stored decision that repeals (or replaces) the work, in force from `effective`."""

    effective: date | None
    status: str = "repealed"
    by: str | None = None  # the deciding work's title, for the reason shown to readers
    until: date | None = None  # undone from this date (a later published clearance decision kept the work)
    reason: str | None = None  # said instead of "被《by》废止" (a published clearance decision says its own)

    def applies(self, as_of: date) -> bool:
        return (self.effective is None or self.effective <= as_of) and (self.until is None or as_of < self.until)


@dataclass(frozen=True)
class Status:
    status: str
    official: bool  # True where a source or a stored decision said so; False where only dates imply it
    reason: str | None = None


def in_force_index(versions: list[VersionDates], as_of: date) -> int | None:
    """The index of the version in force on as_of: the newest whose start is on or before it.

    A version with no date at all counts as older than every dated one (sources list undated copies of
    texts that were later replaced)."""
    best = None
    for i, v in enumerate(versions):
        if v.start is None or v.start <= as_of:
            best = i
    return best


def version_status(
    versions: list[VersionDates], index: int, as_of: date, repeals: Sequence[RepealLink] = ()
) -> Status:
    """The status of versions[index] on as_of."""
    v = versions[index]
    current = in_force_index(versions, as_of)
    work_end = work_status(versions, as_of, repeals)
    if current is None or (v.start is not None and v.start > as_of):
        if work_end.status in ("repealed", "expired") and current is not None:
            return work_end
        return Status("not_yet_effective", False, _fmt("施行日期", v.start))
    if index < current:
        nxt = versions[index + 1]
        return Status("amended", False, _fmt("已被新版本取代，新版本施行于", nxt.start))
    return work_end


def work_status(versions: list[VersionDates], as_of: date, repeals: Sequence[RepealLink] = ()) -> Status:
    """The status of the work on as_of, judged on the version in force then."""
    if not versions:
        return Status("not_yet_effective", False, "尚无文本")
    current = in_force_index(versions, as_of)
    for link in sorted(repeals, key=lambda r: r.effective or date.min):
        if link.applies(as_of):
            if link.reason:
                return Status(link.status, True, link.reason)
            reason = f"被《{link.by}》废止" if link.by else "已被废止"
            if link.effective:
                reason += f"（{link.effective.isoformat()}起）"
            return Status(link.status, True, reason)
    if current is None:
        return Status("not_yet_effective", False, _fmt("施行日期", versions[0].start))
    v = versions[current]
    if v.end_status and (v.ended_on is None or v.ended_on <= as_of):
        label = "已废止" if v.end_status == "repealed" else "已失效"
        said = f"来源标注“{v.source_label}”" if v.source_label else f"来源标注{label}"
        if v.source_label and v.source_label not in label:
            said += f"，按{label}处理"
        when = f"（{v.ended_on.isoformat()}）" if v.ended_on else "（来源未注明日期）"
        return Status(v.end_status, True, said + when)
    if v.expires is not None and v.expires < as_of:
        return Status("expired", False, _fmt("有效期至", v.expires))
    return Status("effective", False, None)


def _fmt(label: str, when: date | None) -> str | None:
    return f"{label}{when.isoformat()}" if when else None
