"""Citations: finding references in text, resolving them to stored works (short names, editions, regions,
the version in force), storing them as based_on / cites relations idempotently, and the CLI command."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from fagui.records import DocumentRecord, RelationRef
from indexer.store.citations import Resolver, clean_title, find_citations, link_targets, rebuild_links
from indexer.store.models import Relation, Work
from indexer.store.upsert import upsert_record

BASIS_TEXT = """某市电动自行车管理办法

2020年3月1日某市人民政府第5次常务会议通过《关于修改〈某市非机动车管理规定〉的决定》

第一条 为了加强电动自行车管理，根据《中华人民共和国道路交通安全法》《浙江省电动自行车管理条例》等法律法规，结合本市实际，制定本办法。

第二条 本办法适用于本市行政区域内电动自行车的生产、销售和通行管理。

第三条 违反本办法第二条规定的，依照《道路交通安全法》第九十一条第一款的规定处罚；当事人应当出示《营业执照》。

第四条 依照《中华人民共和国行政处罚法(2021修订)》第三十三条之一处理，并适用本办法第三条。
"""


def kinds(citations):
    return [(c.kind, c.title, c.article, c.article_label) for c in citations]


def test_basis_sentence_gives_based_on_other_references_cites_and_self_references_resolve_articles():
    found = find_citations(BASIS_TEXT)
    assert kinds(found) == [
        ("based_on", "中华人民共和国道路交通安全法", None, None),
        ("based_on", "浙江省电动自行车管理条例", None, None),
        ("self", None, (2, 0), "第二条"),
        ("cites", "道路交通安全法", (91, 0), "第九十一条第一款"),
        ("cites", "中华人民共和国行政处罚法(2021修订)", (33, 1), "第三十三条之一"),
        ("self", None, (3, 0), "第三条"),
    ]
    basis = found[0]
    assert basis.evidence.startswith("第一条 为了加强电动自行车管理，根据《中华人民共和国道路交通安全法》")
    assert basis.evidence.endswith("制定本办法。")
    # The amending decision named in the history lines is not a citation, nor is a licence's name.
    assert not any("关于修改" in (c.title or "") or c.title == "营业执照" for c in found)
    assert found[4].article_key == "33-1"


def test_basis_only_in_the_first_articles_and_short_names_defined_in_the_text():
    text = (
        "第一条 本办法所称外来物种，依照国家有关规定确定。\n第二条 本办法适用于全省。\n"
        "第三条 根据《中华人民共和国生物安全法》（以下简称《生物安全法》）制定的名录，由省政府公布。\n"
        "第四条 违反《生物安全法》第八十一条的，依法处罚。\n"
    )
    found = find_citations(text)
    assert [(c.kind, c.title) for c in found] == [
        ("cites", "中华人民共和国生物安全法"),  # the basis window is the first two articles only
        ("cites", "中华人民共和国生物安全法"),  # 《生物安全法》 in the 以下简称 note stands for the full title
        ("cites", "中华人民共和国生物安全法"),
    ]
    assert found[2].article == (81, 0)


def test_judicial_interpretation_preamble_basis():
    text = ("为正确审理网络消费纠纷案件，根据《中华人民共和国民法典》《中华人民共和国民事诉讼法》等法律规定，"
            "现就有关问题解释如下：\n第一条 电子商务经营者提供的格式条款无效。")
    assert [(c.kind, c.title) for c in find_citations(text)] == [
        ("based_on", "中华人民共和国民法典"), ("based_on", "中华人民共和国民事诉讼法")]


def test_bare_constitution_in_the_basis_sentence_only():
    found = find_citations("第一条 根据宪法和《中华人民共和国立法法》，制定本条例。\n第二条 维护宪法权威。")
    assert [(c.kind, c.title) for c in found] == [("based_on", "中华人民共和国宪法"),
                                                   ("based_on", "中华人民共和国立法法")]
    assert find_citations("第一条 为了维护宪法权威，根据《中华人民共和国立法法》制定本条例。")[0].title == \
        "中华人民共和国立法法"
    assert len(find_citations("第一条 为了维护宪法权威，根据《中华人民共和国立法法》制定本条例。")) == 1


def test_clean_title_drops_editions_and_spaces():
    assert clean_title("《中华人民共和国行政处罚法（2021修订）》") == "中华人民共和国行政处罚法"
    assert clean_title("中华人民共和国 公司法(2018年修正)") == "中华人民共和国公司法"
    assert clean_title("法律援助条例") == "法律援助条例"


def record(title, text, *, region="全国", doc_type="法律", published=None, effective=None, ref=None,
           relations=()):
    return DocumentRecord(source="test", source_ref=ref or title + str(published), title=title, text=text,
                          region=region, doc_type=doc_type, published=published, effective=effective,
                          relations=list(relations))


def law_text(n: int, extra: str = "") -> str:
    return "\n".join(f"第{c}条 规定内容{n}-{i}。" for i, c in enumerate("一二三四五六七八九十", 1)) + extra


@pytest.fixture
def linked(store):
    """A small store: a national law in two versions, its implementing regulation, a provincial regulation
    and a city rule that cites all of them by the names used in practice."""
    with store.sessions() as s:
        upsert_record(s, record("中华人民共和国道路交通安全法", law_text(1), published=date(2011, 4, 22)))
        upsert_record(s, record("中华人民共和国道路交通安全法", law_text(2), published=date(2021, 4, 29)))
        upsert_record(s, record("中华人民共和国道路交通安全法实施条例", law_text(3), doc_type="行政法规",
                                published=date(2017, 10, 7)))
        upsert_record(s, record("浙江省电动自行车管理条例", law_text(4), region="浙江省", doc_type="地方性法规",
                                published=date(2020, 5, 15)))
        upsert_record(s, record("宁波市非机动车管理办法", law_text(5), region="浙江省",
                                doc_type="地方政府规章", published=date(2015, 1, 1)))
        city = upsert_record(s, record(
            "杭州市电动自行车通行规定",
            "第一条 根据《道交法》《电动自行车管理条例》和《中华人民共和国道路交通安全实施条例(2017修订)》，制定本规定。\n"
            "第二条 适用《宁波市非机动车管理办法》第三条。\n"
            "第三条 违反本规定第二条的，依照《道路交通安全法》第九十一条处罚。\n"
            "第四条 其他事项适用《某某不存在条例》。",
            region="浙江省", doc_type="地方政府规章", published=date(2016, 6, 1),
            relations=[RelationRef("repeals", title="杭州市电动自行车管理办法", evidence="同时废止")],
        ))
        s.commit()
    return store, city.work_id


def relations_of(store, work_id):
    with store.sessions() as s:
        rows = s.execute(
            select(Relation.relation_type, Relation.object_title, Relation.object_article, Relation.object_work_id,
                   Work.title)
            .outerjoin(Work, Work.id == Relation.object_work_id)
            .where(Relation.subject_work_id == work_id)
        ).all()
    return sorted(((t, title, art, wtitle) for t, title, art, _wid, wtitle in rows), key=lambda r: (r[0], r[1]))


def test_rebuild_resolves_short_names_regions_and_implementing_regulations(linked):
    store, city = linked
    with store.sessions() as s:
        summary = rebuild_links(s)
        s.commit()
    assert relations_of(store, city) == [
        ("based_on", "中华人民共和国道路交通安全实施条例", None, "中华人民共和国道路交通安全法实施条例"),
        ("based_on", "电动自行车管理条例", None, "浙江省电动自行车管理条例"),
        ("based_on", "道交法", None, "中华人民共和国道路交通安全法"),
        ("cites", "宁波市非机动车管理办法", "3", "宁波市非机动车管理办法"),
        ("cites", "某某不存在条例", None, None),  # unresolved: kept with its title, no work
        ("cites", "道路交通安全法", "91", "中华人民共和国道路交通安全法"),
        ("repeals", "杭州市电动自行车管理办法", None, None),  # the source's own link, not ours
    ]
    assert summary.unresolved == 1 and summary.unresolved_titles == {"某某不存在条例": 1}
    assert summary.based_on == 3 and summary.cites == 3


def test_rebuild_is_idempotent_and_per_work(linked):
    store, city = linked
    with store.sessions() as s:
        rebuild_links(s)
        s.commit()
    first = relations_of(store, city)
    with store.sessions() as s:
        again = rebuild_links(s, city)
        s.commit()
    assert again.works == 1
    assert relations_of(store, city) == first
    with store.sessions() as s:
        assert s.scalar(select(Relation.id).where(Relation.relation_type == "repeals")) is not None


def test_resolver_picks_the_version_in_force_on_the_citing_date(linked):
    store, _ = linked
    with store.sessions() as s:
        resolver = Resolver.load(s)
    old = resolver.resolve("道路交通安全法", "浙江省", date(2015, 1, 1))
    new = resolver.resolve("中华人民共和国道路交通安全法（2021修正）", "全国", date(2022, 1, 1))
    assert old.work_id == new.work_id and (old.version_seq, new.version_seq) == (1, 2)
    assert resolver.resolve("电动自行车管理条例", "全国", None) is None  # no region to complete the name
    assert resolver.resolve("不存在的法", "全国", None) is None


def test_link_targets_give_document_pages_the_article_anchor(linked):
    store, city = linked
    with store.sessions() as s:
        text = s.get(Work, city).current_version.text
        targets = link_targets(s, text, "浙江省", date(2016, 6, 1))
    cited = [t for t in targets if t["kind"] == "cites" and t["work_id"]]
    assert [(t["title"], t["anchor"]) for t in cited] == [("宁波市非机动车管理办法", "art-3"),
                                                          ("道路交通安全法", "art-91")]
    assert cited[1]["version_seq"] == 1
    self_ref = next(t for t in targets if t["kind"] == "self")
    assert self_ref["work_id"] is None and self_ref["anchor"] == "art-2"


def test_cli_links_rebuild(tmp_path, monkeypatch):
    from fagui.cli.commands import cli

    monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert "fagui db upgrade" in runner.invoke(cli, ["links", "rebuild"]).output
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    bad = runner.invoke(cli, ["links", "rebuild", "--work", "nope"])
    assert bad.exit_code != 0 and "找不到法规：nope" in bad.output
    ok = runner.invoke(cli, ["links", "rebuild"])
    assert ok.exit_code == 0 and "已处理法规 0 件" in ok.output


def test_resolver_from_plain_data_completes_issuer_and_prefers_own_region():
    resolver = Resolver.from_works([
        ("a", "最高人民法院关于审理人身损害赔偿案件适用法律若干问题的解释", "全国", "司法解释",
         [("最高人民法院关于审理人身损害赔偿案件适用法律若干问题的解释", date(2022, 4, 4))]),
        ("b", "物业管理条例", "全国", "行政法规", [("物业管理条例", date(2018, 3, 19))]),
        ("c", "浙江省物业管理条例", "浙江省", "地方性法规", [("浙江省物业管理条例", date(2020, 1, 1))]),
        ("d", "物业管理条例", "山东省", "地方性法规", [("物业管理条例", date(2019, 1, 1))]),
    ])
    assert resolver.resolve("关于审理人身损害赔偿案件适用法律若干问题的解释", "全国", None).work_id == "a"
    assert resolver.resolve("物业管理条例", "山东省", None).work_id == "d"  # its own region first
    assert resolver.resolve("物业管理条例", "浙江省", None).work_id == "b"  # then the national one
    assert resolver.resolve("浙江省物业管理条例", "全国", None).work_id == "c"
