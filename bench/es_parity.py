"""Do the two engines answer alike on the whole corpus? The version documents of a store are indexed by Tantivy
and by Lucene with the Elasticsearch template's mapping (the Elasticsearch engine's queries run on Lucene itself:
tests/indexer/search/backends/lucene_engine.py, needs Java and Debian's liblucene8-java), and the same searches
are asked of both: every title as a title search, the queries of bench/queries.json, frequent two-character
words, OR groups and abbreviations beside other words, filter-only listings; each in 精确 and 模糊 mode, over
every status, counting works. It prints per kind how many searches give the same total (works), the same facets,
the same first page in the same order, and lists a few that differ.

    .venv/bin/python bench/es_parity.py --data-dir DIR [--words 300] [--seed 23] [--show 5]

DIR holds an imported store (only read). Both indexes are built in a temporary folder."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fagui.settings import load_settings  # noqa: E402
from indexer.search.backends.base import Filters, SearchRequest, TextQuery  # noqa: E402
from indexer.search.backends.tantivy_backend import TantivyBackend  # noqa: E402
from indexer.search.index_docs import all_work_ids, iter_doc_batches  # noqa: E402
from indexer.search.query import parse_query  # noqa: E402
from indexer.search.service import text_query  # noqa: E402
from indexer.store.db import make_engine, session_factory  # noqa: E402
from tests.indexer.search.backends.lucene_engine import LuceneEngine, lucene_classpath  # noqa: E402

MIXED = ["道交法 罚款", "驾驶人 罚款|拘留", "驾驶人 罚款 OR 拘留", "员工 工资", "\"饮酒后驾驶\"", "行政处罚 -听证",
         "(行政处罚 OR 行政许可) 听证", "消防法 检查", "网络安全 OR 数据安全", "title:条例 安全"]


def version_docs(data_dir: Path) -> list[dict]:
    settings = load_settings({"FAGUI_DATA_DIR": str(data_dir)})
    engine = make_engine(settings=settings)
    docs: list[dict] = []
    with session_factory(engine, reader=True)() as session:
        for _, batch in iter_doc_batches(session, all_work_ids(session)):
            docs += [d for d in batch if d["kind"] == "version"]
    engine.dispose()
    return docs


def two_character_words(docs: list[dict], n: int, seed: int) -> list[str]:
    counts: Counter[str] = Counter()
    for d in docs:
        counts.update(t for t in set(d["text_tok"].split()) if len(t) == 2 and all("\u4e00" <= c <= "\u9fff" for c in t))
    frequent = [w for w, c in counts.most_common(5000) if c >= 20]
    return sorted(random.Random(seed).sample(frequent, min(n, len(frequent))))


def ask(engine, text: TextQuery) -> tuple[int, list[str], dict]:
    result = engine.search(SearchRequest(text=text, filters=Filters(statuses=()), limit=10, facets=True,
                                         count_field="work_id"))
    return result.total, [h.doc_id for h in result.hits], {k: sorted(v) for k, v in result.facets.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--words", type=int, default=300)
    ap.add_argument("--seed", type=int, default=23)
    ap.add_argument("--show", type=int, default=5)
    args = ap.parse_args()
    started = time.perf_counter()
    docs = version_docs(args.data_dir)
    print(f"版本文档 {len(docs)} 件，生成用时 {time.perf_counter() - started:.0f} 秒", flush=True)
    with tempfile.TemporaryDirectory(prefix="es-parity-") as tmp:
        classpath, reason = lucene_classpath(Path(tmp))
        if classpath is None:
            sys.exit(f"无法运行：{reason}")
        tantivy = TantivyBackend(Path(tmp) / "tantivy")
        tantivy.replace_works(sorted({d["work_id"] for d in docs}), docs)
        lucene = LuceneEngine(classpath)
        lucene.replace_works([], docs)
        print(f"两个索引建成，累计 {time.perf_counter() - started:.0f} 秒", flush=True)
        queries: dict[str, list[str]] = {
            "标题检索 title:全称": [f"title:{t}" for t in sorted({d["title_key"] for d in docs if d["title_key"]})],
            "bench/queries.json": [q["q"] for q in __import__("json").loads(
                (Path(__file__).parent / "queries.json").read_text(encoding="utf-8"))],
            "两字词": two_character_words(docs, args.words, args.seed),
            "或、简称、引号、排除": MIXED,
        }
        for kind, texts in queries.items():
            for exact in (True, False):
                same_total = same_facets = same_page = same_set = asked = 0
                differ: list[str] = []
                for q in texts:
                    parsed = parse_query(q, keep_punctuation=exact)
                    if parsed.error:
                        continue
                    text = text_query(parsed, exact=exact)
                    if text.is_empty:
                        continue
                    asked += 1
                    a, b = ask(tantivy, text), ask(lucene, text)
                    same_total += a[0] == b[0]
                    same_facets += a[2] == b[2]
                    same_page += a[1] == b[1]
                    same_set += set(a[1]) == set(b[1])
                    if a[0] != b[0] or set(a[1]) != set(b[1]):
                        differ.append(f"{q}: Tantivy {a[0]} {a[1][:3]} / Lucene {b[0]} {b[1][:3]}")
                mode = "精确" if exact else "模糊"
                print(f"{kind}（{mode}）：{asked} 次检索，总数（件）相同 {same_total}，分面相同 {same_facets}，"
                      f"第一页同序 {same_page}，第一页同集 {same_set}", flush=True)
                for line in differ[: args.show]:
                    print(f"  不同：{line}")
        listing = [ask(e, TextQuery()) for e in (tantivy, lucene)]
        print(f"无检索词列表：总数 {listing[0][0]} / {listing[1][0]}，分面相同 {listing[0][2] == listing[1][2]}，"
              f"第一页同序 {listing[0][1] == listing[1][1]}")
        lucene.close()
        tantivy.close()
    print(f"共用时 {time.perf_counter() - started:.0f} 秒")


if __name__ == "__main__":
    main()
