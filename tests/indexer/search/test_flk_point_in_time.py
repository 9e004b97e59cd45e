"""Point-in-time search after the 国家法律法规数据库 snapshot reconciled the dates (issue 21): 道路运输条例 2022 was
published 2022-03-29 but is in force from 2022-05-01, so on 2022-04-15 the 2019 text answers and on 2022-05-02
the 2022 one. Before the snapshot, the corpus's inferred date gave the 2022 text on 2022-04-15."""

from __future__ import annotations

from datetime import date

import pytest

from crawlers.sources import flk_snapshot, lawrefbook
from fagui.settings import BUNDLED_FLK_SAMPLE, BUNDLED_SAMPLE, load_settings
from indexer.ingest.pipeline import ingest
from indexer.search.backends.tantivy_backend import TantivyBackend
from indexer.search.indexing import rebuild, sync
from indexer.search.service import SearchParams, search
from indexer.store.db import make_engine, session_factory
from indexer.store.migrate import upgrade
from indexer.store.models import Work
from indexer.store.status import VersionDates, version_status

TITLE = "中华人民共和国道路运输条例"


@pytest.fixture(scope="module")
def road(tmp_path_factory):
    root = tmp_path_factory.mktemp("road")
    engine = make_engine(settings=load_settings({"FAGUI_DATA_DIR": str(root)}))
    upgrade(engine)
    factory = session_factory(engine)
    corpus = [r for r in lawrefbook.read_corpus(BUNDLED_SAMPLE).records if r.title == TITLE]
    ingest(factory, lawrefbook.SOURCE, corpus)
    backend = TantivyBackend(root / "tantivy")
    rebuild(factory, backend)
    yield factory, backend
    engine.dispose()


def in_force_on(road, day: date, q: str = "道路运输条例"):
    factory, backend = road
    with factory() as session:
        result = search(session, backend, SearchParams(q=q, as_of=day, regions=("全国",)))
    if q.endswith("条"):
        return result.direct
    return next(h for h in result.hits if h.title == TITLE)


def test_road_transport_regulation_on_either_side_of_its_official_date(road):
    factory, backend = road
    # the corpus alone infers 2022-03-29 and answers 2022-04-15 with the 2022 text: the wrong one
    assert in_force_on(road, date(2022, 4, 15)).published == date(2022, 3, 29)
    snapshot = [r for r in flk_snapshot.read_snapshot(BUNDLED_FLK_SAMPLE).records if r.title == TITLE]
    summary = ingest(factory, flk_snapshot.NAME, snapshot)
    assert summary.new_versions == 0 and summary.updated == 3  # the same three texts, now with flk's facts
    sync(factory, backend)
    before, after = in_force_on(road, date(2022, 4, 15)), in_force_on(road, date(2022, 5, 2))
    assert before.published == date(2019, 3, 2) and after.published == date(2022, 3, 29)
    # and the status for those days, recomputed from the reconciled dates
    with factory() as session:
        work = session.get(Work, before.work_id)
        dates = [VersionDates(v.effective_from, v.published) for v in work.versions]
        assert [version_status(dates, i, date(2022, 4, 15)).status for i in range(3)] == [
            "effective", "not_yet_effective", "not_yet_effective"]
        assert [version_status(dates, i, date(2022, 5, 2)).status for i in range(3)] == [
            "amended", "effective", "not_yet_effective"]
        assert version_status(dates, 1, date(2022, 4, 15)).reason == "施行日期2022-05-01"
    # an article asked for on that day opens the text in force then
    then = in_force_on(road, date(2022, 4, 15), "道路运输条例第十条")
    later = in_force_on(road, date(2022, 5, 2), "道路运输条例第十条")
    assert then.work_id == later.work_id and then.version < later.version
    # a second import changes nothing
    again = ingest(factory, flk_snapshot.NAME, snapshot)
    assert (again.new_versions, again.updated, again.unchanged) == (0, 0, 3)
