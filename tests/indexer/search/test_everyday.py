"""Everyday words (醉驾, 假一赔三) searched in the law's wording as well, on the bundled corpus sample: the
expansion is shown, can be switched off, lands on the provision a word names, and never pushes down the works
that hold the words as typed. The map's rows against the whole corpus: test_everyday_corpus.py."""

from __future__ import annotations

import pytest

from indexer.search.everyday import COLUMNS, EverydayDataError, expand, load
from indexer.search.service import SearchParams, search


def run(corpus, q, **kw):
    factory, backend = corpus
    with factory() as session:
        return search(session, backend, SearchParams(q=q, **kw))


def test_expand_reads_words_and_asking_words_around_them():
    drunk = expand("醉驾")
    assert drunk is not None and drunk.legal[0] == "醉酒驾驶机动车"
    assert drunk.target is not None and drunk.target.article == (133, 1) and "刑法" in drunk.target.work_title
    asked = expand("酒驾怎么处罚")
    assert asked is not None and asked.term == "酒驾" and asked.legal == ("饮酒后驾驶机动车",)
    assert expand("什么是离婚冷静期").term == "离婚冷静期" and expand("醉驾要坐牢吗").term == "醉驾"
    assert expand("醉酒驾驶机动车") is None  # already the law's wording
    assert expand("机动车") is None and expand("酒驾车辆登记") is None  # other words around it: not a question


def test_map_file_errors_name_the_line(tmp_path):
    bad = tmp_path / "words.csv"
    bad.write_text(",".join(COLUMNS) + "\n交通,酒驾,,,,说明\n", encoding="utf-8")
    with pytest.raises(EverydayDataError, match="第 2 行缺少口语或法律用语"):
        load(bad)
    bad.write_text(",".join(COLUMNS) + "\n交通,酒驾,饮酒后驾驶机动车,,第九十一条,说明\n", encoding="utf-8")
    with pytest.raises(EverydayDataError, match="第 2 行的条文"):
        load(bad)
    bad.write_text("口语,法律用语\n", encoding="utf-8")
    with pytest.raises(EverydayDataError, match="表头"):
        load(bad)


def test_everyday_word_finds_the_law_and_lands_on_its_article(corpus):
    result = run(corpus, "醉驾")
    assert result.also_searched == ("醉酒驾驶机动车",)
    assert result.to_json()["also_searched"] == ["醉酒驾驶机动车"]
    assert result.direct is not None and result.direct.title == "中华人民共和国刑法"
    assert result.direct.article.label == "第一百三十三条之一"
    law = next(h for h in result.hits if h.title == "中华人民共和国道路交通安全法")
    assert "第九十一条" in [a.label for a in law.articles]
    assert "<mark>醉酒驾驶机动车</mark>" in law.articles[0].snippet
    spaced = run(corpus, "醉驾 处罚")  # asking words beside it: still the provision
    assert spaced.direct is not None and spaced.direct.article.label == "第一百三十三条之一"
    assert run(corpus, "醉驾 交通事故").direct is None  # another word: a search
    refund = run(corpus, "七天无理由退货")
    assert refund.direct is not None and refund.direct.article.label == "第二十五条"
    assert refund.hits[0].title == "中华人民共和国消费者权益保护法"


def test_expansion_can_be_switched_off(corpus):
    off = run(corpus, "醉驾", expand=False)
    assert off.also_searched == () and off.direct is None
    assert "中华人民共和国道路交通安全法" not in [h.title for h in off.hits]


def test_works_holding_the_typed_word_stay_first(corpus):
    typed = [h.work_id for h in run(corpus, "高空抛物", expand=False, per_page=50, statuses=()).hits]
    assert typed  # the sample has texts saying 高空抛物 itself
    wide = run(corpus, "高空抛物", per_page=50, statuses=())
    assert [h.work_id for h in wide.hits][:len(typed)] == typed
    assert wide.total > len(typed) and "中华人民共和国民法典" in [h.title for h in wide.hits]
    # Paging goes on from the typed works to the added ones without losing or repeating a work.
    pages = [h.work_id for p in (1, 2) for h in run(corpus, "高空抛物", per_page=len(typed) + 1, page=p, statuses=()).hits]
    assert pages == [h.work_id for h in wide.hits][:len(pages)]


def test_an_article_reference_is_not_expanded(corpus):
    result = run(corpus, "道路交通安全法第九十一条")
    assert result.also_searched == () and result.direct.article.label == "第九十一条"
