"""es_mappings/ against real Lucene: each analyzer of index_template.json is rebuilt from the Lucene classes
Elasticsearch uses for it (Debian's liblucene8-java; Elasticsearch 8.19 runs Lucene 9, where these tokenizers and
filters behave alike), sample texts are made into documents as indexer.search.index_docs makes them, and the
tokens Lucene gives each field must be the terms Tantivy indexes for it, at the same positions.

Skips with the reason where Java or the Lucene jars are missing (apt-get install default-jdk-headless
liblucene8-java)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from indexer.search.backends.elasticsearch_backend import load_template

JAVA_SOURCE = Path(__file__).parent / "lucene" / "AnalyzeTokens.java"
JARS = ("lucene-core", "lucene-analyzers-common")
SAMPLE_RECORDS = 6
SAMPLE_CHARS = 6000

# Texts that stress what the analysis chain could do differently: width and script folding, case, digits and
# punctuation inside terms, whitespace that is not ASCII (left inside tokens by Tantivy), characters search
# ignores, a legal term longer than 255 bytes would be if words ran on, line breaks.
EDGE_TEXTS = [
    ("中华人民共和国道路交通安全法", "第九十一条　饮酒后驾驶机动车的，处暂扣六个月机动车驾驶证，并处一千元以上二千元以下罚款。"),
    ("東營市城市供水條例", "ＰＭ２．５ 年均浓度；GB/T 2260—2007 行政区划代码；5G 网络；İstanbul ΣΑΣ Straße"),
    ("关于《民法典》的解释（一）", "本解释自2021年1月1日起施行。\n\n第一条\u00a0本条所称\u3000“用人单位”\u2003包括\u200b个体工商户😀。"),
    ("国务院令第四○六号", "a\tb\x0bc\x1cd\x85e\u2028f 中华人民共和国全国人民代表大会常务委员会关于修改《中华人民共和国个人所得税法》的决定"),
]


def _classpath(tmp: Path) -> str | None:
    if not (shutil.which("java") and shutil.which("javac")):
        return None
    jars = []
    for name in JARS:
        found = sorted(Path("/usr/share/java").glob(f"{name}-[0-9]*.jar"))
        if not found:
            return None
        jars.append(str(found[-1]))
    subprocess.run(["javac", "-cp", ":".join(jars), "-d", str(tmp), str(JAVA_SOURCE)], check=True,
                   capture_output=True, timeout=120)
    return ":".join([str(tmp), *jars])


@pytest.fixture(scope="module")
def lucene(tmp_path_factory):
    classpath = _classpath(tmp_path_factory.mktemp("lucene"))
    if classpath is None:
        pytest.skip("Java (java, javac) or Lucene's jars (/usr/share/java/lucene-core-*.jar, "
                    "lucene-analyzers-common-*.jar) are missing: apt-get install default-jdk-headless liblucene8-java")

    def run(args: list[str], texts: list[str]) -> list[list[tuple[int, str]]]:
        """The tokens (position, term) of each text through the Lucene chain the arguments name."""
        out = subprocess.run(["java", "-cp", classpath, "AnalyzeTokens", *args], input="\0".join(texts).encode(),
                             check=True, capture_output=True, timeout=300).stdout.decode("utf-8")
        lines = out.split("\n")[: len(texts)]
        return [[(int(pos), bytes.fromhex(hexed).decode("utf-8"))
                 for pos, hexed in (tok.split(":") for tok in line.split())] for line in lines]

    return run


def _java_chain(name: str) -> list[str]:
    """The analyzer as Elasticsearch would build it, in the helper's arguments: tokenizer, then filters."""
    analysis = load_template()["template"]["settings"]["analysis"]
    spec = analysis["analyzer"][name]
    assert spec["type"] == "custom" and not spec.get("char_filter"), spec
    tokenizer = spec["tokenizer"]
    custom = analysis.get("tokenizer", {}).get(tokenizer)
    if custom is None:
        assert tokenizer in ("whitespace", "keyword"), f"built-in tokenizer {tokenizer} not covered by this check"
        java = tokenizer
    elif custom["type"] == "pattern":
        assert not custom.get("flags"), "pattern flags are not passed to the check"
        java = f"pattern:{custom['pattern']}\x01{custom.get('group', -1)}"
    elif custom["type"] == "whitespace":
        java = f"whitespace:{custom.get('max_token_length', 255)}"
    else:
        raise AssertionError(f"tokenizer type {custom['type']} not covered by this check")
    filters = spec.get("filter", [])
    for f in filters:
        assert isinstance(f, str) and f in ("lowercase",), f"token filter {f} not covered by this check"
    return [java, *filters]


def _documents() -> list[dict[str, str]]:
    """The text fields of search documents, made as indexer.search.index_docs makes them."""
    from crawlers.sources import lawrefbook
    from fagui.settings import BUNDLED_SAMPLE
    from indexer.search.analysis import exact_form, exact_tokens, line_forms, pretokenised
    from indexer.store.upsert import title_key

    samples = list(EDGE_TEXTS)
    records = lawrefbook.read_corpus(BUNDLED_SAMPLE).records
    samples += [(r.title, r.text[:SAMPLE_CHARS]) for r in records[:: max(len(records) // SAMPLE_RECORDS, 1)]]
    docs = []
    for title, text in samples:
        words, chars = line_forms(f"{title}\n{text}", {})
        title_bi, title_uni = exact_tokens(exact_form(title))
        text_bi, text_uni = exact_tokens(chars)
        docs.append({"title_tok": pretokenised(title_key(title)), "text_tok": words, "title_bi": title_bi,
                     "text_bi": text_bi, "title_uni": title_uni, "text_uni": text_uni})
    return docs


def _tantivy_terms(doc: dict[str, str]) -> dict[str, set[str]]:
    """The distinct terms Tantivy indexes for each field of one document (the engine's own schema)."""
    import tantivy

    from indexer.search.backends.tantivy_backend import build_schema

    schema = build_schema()
    index = tantivy.Index(schema)
    writer = index.writer(heap_size=15_000_000, num_threads=1)
    writer.add_document(tantivy.Document.from_dict({"id": "x", **doc}, schema))
    writer.commit()
    index.reload()
    searcher = index.searcher()
    return {name: {term for term, _ in searcher.terms_with_prefix(name, "", limit=None)} for name in doc}


def _tantivy_positions(text: str) -> list[tuple[int, str]]:
    """Tantivy's whitespace tokenizer: splits on ASCII whitespace (Rust's is_ascii_whitespace) only, lowers
    nothing; positions count the tokens."""
    import re

    return list(enumerate(t for t in re.split(r"[ \t\n\f\r]+", text) if t))


def test_the_mapping_names_the_analyzers_the_check_runs():
    props = load_template()["template"]["mappings"]["properties"]
    for field in ("title_tok", "text_tok"):
        assert props[field]["analyzer"] == "pretokenised"
    for field in ("title_bi", "text_bi", "title_uni", "text_uni"):
        assert props[field]["analyzer"] == "exact_chars"


def test_lucene_tokens_equal_what_tantivy_indexes(lucene):
    props = load_template()["template"]["mappings"]["properties"]
    docs = _documents()
    fields = list(docs[0])
    checked = 0
    for field in fields:
        texts = [d[field] for d in docs]
        for doc, tokens in zip(docs, lucene(_java_chain(props[field]["analyzer"]), texts), strict=True):
            indexed = _tantivy_terms(doc)[field]
            assert {t for _, t in tokens} == indexed, (field, doc[field][:80])
            assert tokens == _tantivy_positions(doc[field]), (field, doc[field][:80])
            checked += len(tokens)
    assert checked > 10_000  # the samples are real texts, not a handful of words


def test_the_check_would_see_a_lowercasing_or_a_unicode_whitespace_split(lucene):
    # What this project's analyzers were before: Lucene's whitespace tokenizer splits on U+3000 and U+2003 and
    # lowercase lowers A, where Tantivy does neither: the comparison above would have failed.
    text = "x\u3000y A\u2003b"
    (tokens,) = lucene(["whitespace:255", "lowercase"], [text])
    assert tokens == [(0, "x"), (1, "y"), (2, "a"), (3, "b")]
    assert _tantivy_positions(text) == [(0, "x\u3000y"), (1, "A\u2003b")]
