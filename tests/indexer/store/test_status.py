"""Status computed from dates and links, for today or any date."""

from __future__ import annotations

from datetime import date

from indexer.store.status import RepealLink, VersionDates, in_force_index, version_status, work_status

V2019 = VersionDates(effective_from=date(2019, 3, 2), published=date(2019, 3, 2))
V2022 = VersionDates(effective_from=date(2022, 5, 1), published=date(2022, 3, 29))


def test_version_in_force_is_newest_started():
    versions = [V2019, V2022]
    assert in_force_index(versions, date(2018, 1, 1)) is None
    assert in_force_index(versions, date(2022, 4, 1)) == 0  # published but not yet in force
    assert in_force_index(versions, date(2022, 5, 1)) == 1


def test_superseded_version_is_amended_and_future_one_not_yet_effective():
    versions = [V2019, V2022]
    on = date(2022, 4, 1)
    assert version_status(versions, 0, on).status == "effective"
    assert version_status(versions, 1, on).status == "not_yet_effective"
    later = date(2023, 1, 1)
    assert version_status(versions, 0, later).status == "amended"
    assert version_status(versions, 1, later).status == "effective"


def test_expiry_repeal_and_reported_end():
    expiring = [VersionDates(date(2020, 1, 1), date(2020, 1, 1), expires=date(2024, 12, 31))]
    assert work_status(expiring, date(2024, 12, 31)).status == "effective"
    st = work_status(expiring, date(2025, 1, 1))
    assert (st.status, st.official) == ("expired", False)

    repeal = [RepealLink(effective=date(2021, 1, 1), by="国务院关于废止部分行政法规的决定")]
    assert work_status([V2019], date(2020, 12, 31), repeal).status == "effective"
    st = work_status([V2019], date(2021, 1, 1), repeal)
    assert (st.status, st.official) == ("repealed", True) and "国务院关于废止部分行政法规的决定" in st.reason

    reported = [VersionDates(date(2010, 1, 1), None, end_status="expired")]
    st = work_status(reported, date(2025, 1, 1))
    assert (st.status, st.official) == ("expired", True) and "来源未注明日期" in st.reason


def test_an_end_undone_later_holds_only_between_its_dates():
    end = [RepealLink(effective=date(2024, 12, 31), status="expired", until=date(2025, 2, 15),
                      reason="清理决定宣布失效")]
    assert work_status([V2019], date(2024, 12, 30), end).status == "effective"
    st = work_status([V2019], date(2025, 1, 1), end)
    assert (st.status, st.official, st.reason) == ("expired", True, "清理决定宣布失效")
    assert work_status([V2019], date(2025, 2, 15), end).status == "effective"
