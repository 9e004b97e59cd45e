// Runs the Elasticsearch engine's request bodies on Lucene itself, for the conformance suite where no
// Elasticsearch server is reachable (tests/indexer/search/backends/lucene_engine.py drives it).
//
// One JSON request per line on standard input, one JSON answer per line on standard output:
//   {"op": "index", "properties": {<the template's mapping>}, "analyzers": {name: pattern}, "docs": [...]}
//     builds a new in-memory index of the documents, in the order given;
//   {"op": "search", "query": {<an Elasticsearch query>}}
//     answers {"hits": [[id, score], ...]}: every match, best first, ties in index order.
// The query is translated as Elasticsearch 8 translates it (bool with its default minimum_should_match, match with
// operator and, match_phrase with slop, term, terms, range, constant_score, match_all), BM25 with Elasticsearch's
// defaults; function_score is left to the caller, which multiplies by the field value factor itself.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.BytesRef;

public class RunQueries {
    static Map<String, Object> properties = new HashMap<>();
    static Map<String, Analyzer> analyzers = new HashMap<>();
    static IndexSearcher searcher;
    static List<String> ids = new ArrayList<>();

    // -- a small JSON reader and writer -------------------------------------------------------------------
    static final class Json {
        final String s;
        int i;

        Json(String s) { this.s = s; }

        Object value() {
            skip();
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                skip();
                if (s.charAt(i) == '}') { i++; return m; }
                while (true) {
                    skip();
                    String k = string();
                    skip();
                    i++;  // :
                    m.put(k, value());
                    skip();
                    if (s.charAt(i++) == '}') return m;
                }
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                skip();
                if (s.charAt(i) == ']') { i++; return l; }
                while (true) {
                    l.add(value());
                    skip();
                    if (s.charAt(i++) == ']') return l;
                }
            }
            if (c == '"') return string();
            if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
            if (s.startsWith("null", i)) { i += 4; return null; }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            return Double.parseDouble(s.substring(start, i));
        }

        String string() {
            StringBuilder b = new StringBuilder();
            i++;
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') return b.toString();
                if (c != '\\') { b.append(c); continue; }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n': b.append('\n'); break;
                    case 't': b.append('\t'); break;
                    case 'r': b.append('\r'); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                    default: b.append(e);
                }
            }
        }

        void skip() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }
    }

    static String quote(String v) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    // -- indexing -----------------------------------------------------------------------------------------
    @SuppressWarnings("unchecked")
    static String type(String field) {
        Map<String, Object> p = (Map<String, Object>) properties.get(field);
        if (p == null) throw new IllegalArgumentException("field not in the mapping: " + field);
        return (String) p.get("type");
    }

    @SuppressWarnings("unchecked")
    static Analyzer analyzer(String field) {
        Map<String, Object> p = (Map<String, Object>) properties.get(field);
        return analyzers.get((String) p.get("analyzer"));
    }

    static boolean numeric(String field) {
        String t = type(field);
        return t.equals("integer") || t.equals("long");
    }

    @SuppressWarnings("unchecked")
    static void index(Map<String, Object> request) throws Exception {
        properties = (Map<String, Object>) request.get("properties");
        analyzers.clear();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) request.get("analyzers")).entrySet()) {
            Pattern pattern = Pattern.compile((String) e.getValue());
            analyzers.put(e.getKey(), new Analyzer() {
                @Override
                protected TokenStreamComponents createComponents(String name) {
                    return new TokenStreamComponents(new PatternTokenizer(pattern, -1));
                }
            });
        }
        Map<String, Analyzer> perField = new HashMap<>();
        for (String field : properties.keySet()) {
            if (type(field).equals("text")) perField.put(field, analyzer(field));
        }
        Analyzer all = new org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper(
            new org.apache.lucene.analysis.core.KeywordAnalyzer(), perField);
        ByteBuffersDirectory dir = new ByteBuffersDirectory();
        IndexWriterConfig config = new IndexWriterConfig(all).setSimilarity(new BM25Similarity())
            .setMergePolicy(NoMergePolicy.INSTANCE);
        ids.clear();
        try (IndexWriter writer = new IndexWriter(dir, config)) {
            for (Object raw : (List<Object>) request.get("docs")) {
                Map<String, Object> doc = (Map<String, Object>) raw;
                Document d = new Document();
                for (Map.Entry<String, Object> e : doc.entrySet()) {
                    String field = e.getKey();
                    if (!properties.containsKey(field) || e.getValue() == null) continue;
                    List<Object> values = e.getValue() instanceof List ? (List<Object>) e.getValue()
                        : List.of(e.getValue());
                    for (Object v : values) {
                        String t = type(field);
                        if (t.equals("text")) d.add(new TextField(field, (String) v, Field.Store.NO));
                        else if (t.equals("keyword")) d.add(new StringField(field, String.valueOf(v), Field.Store.NO));
                        else if (numeric(field)) d.add(new LongPoint(field, ((Double) v).longValue()));
                    }
                }
                ids.add((String) doc.get("id"));
                writer.addDocument(d);
            }
        }
        searcher = new IndexSearcher(DirectoryReader.open(dir));
        searcher.setSimilarity(new BM25Similarity());
    }

    // -- Elasticsearch queries as Lucene queries ------------------------------------------------------------
    static List<String> analyse(String field, String text) throws Exception {
        List<String> out = new ArrayList<>();
        try (TokenStream stream = analyzer(field).tokenStream(field, new StringReader(text))) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (stream.incrementToken()) out.add(term.toString());
            stream.end();
        }
        return out;
    }

    static Query boosted(Query q, Map<String, Object> spec) {
        Object boost = spec.get("boost");
        return boost == null ? q : new BoostQuery(q, ((Double) boost).floatValue());
    }

    static Object only(Map<String, Object> m) {
        if (m.size() != 1) throw new IllegalArgumentException("expected one key: " + m.keySet());
        return m.values().iterator().next();
    }

    static String key(Map<String, Object> m) {
        return m.keySet().iterator().next();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object v) {
        if (v == null) return List.of();
        if (v instanceof List) return (List<Map<String, Object>>) v;
        return List.of((Map<String, Object>) v);
    }

    static Query numericTerm(String field, Object v) {
        return LongPoint.newExactQuery(field, ((Double) v).longValue());
    }

    @SuppressWarnings("unchecked")
    static Query query(Map<String, Object> q) throws Exception {
        String kind = key(q);
        Map<String, Object> spec = (Map<String, Object>) q.get(kind);
        switch (kind) {
            case "match_all":
                return boosted(new MatchAllDocsQuery(), spec);
            case "bool": {
                BooleanQuery.Builder b = new BooleanQuery.Builder();
                int must = 0, should = 0;
                for (Map<String, Object> c : list(spec.get("must"))) { b.add(query(c), BooleanClause.Occur.MUST); must++; }
                for (Map<String, Object> c : list(spec.get("filter"))) { b.add(query(c), BooleanClause.Occur.FILTER); must++; }
                for (Map<String, Object> c : list(spec.get("should"))) { b.add(query(c), BooleanClause.Occur.SHOULD); should++; }
                for (Map<String, Object> c : list(spec.get("must_not"))) b.add(query(c), BooleanClause.Occur.MUST_NOT);
                Object msm = spec.get("minimum_should_match");
                if (msm != null) b.setMinimumNumberShouldMatch(((Double) msm).intValue());
                else if (should > 0 && must == 0) b.setMinimumNumberShouldMatch(1);  // Elasticsearch's default
                if (must == 0 && should == 0) b.add(new MatchAllDocsQuery(), BooleanClause.Occur.MUST);
                return boosted(b.build(), spec);
            }
            case "constant_score":
                return boosted(new ConstantScoreQuery(query((Map<String, Object>) spec.get("filter"))), spec);
            case "term": {
                String field = key(spec);
                Object v = spec.get(field);
                Map<String, Object> body = v instanceof Map ? (Map<String, Object>) v : Map.of("value", v);
                Object value = body.get("value");
                Query t = numeric(field) ? numericTerm(field, value)
                    : new TermQuery(new Term(field, value instanceof Double ? String.valueOf(((Double) value).longValue())
                                                                            : (String) value));
                return boosted(t, body);
            }
            case "terms": {
                String field = key(spec);
                List<Object> values = (List<Object>) spec.get(field);
                if (numeric(field)) {
                    long[] longs = new long[values.size()];
                    for (int k = 0; k < longs.length; k++) longs[k] = ((Double) values.get(k)).longValue();
                    return LongPoint.newSetQuery(field, longs);
                }
                List<BytesRef> refs = new ArrayList<>();
                for (Object v : values) refs.add(new BytesRef((String) v));
                return new TermInSetQuery(field, refs);
            }
            case "range": {
                String field = key(spec);
                Map<String, Object> b = (Map<String, Object>) spec.get(field);
                long lo = b.containsKey("gte") ? ((Double) b.get("gte")).longValue() : Long.MIN_VALUE;
                long hi = b.containsKey("lte") ? ((Double) b.get("lte")).longValue() : Long.MAX_VALUE;
                return LongPoint.newRangeQuery(field, lo, hi);
            }
            case "match": {
                String field = key(spec);
                Map<String, Object> body = (Map<String, Object>) spec.get(field);
                if (!"and".equals(body.get("operator"))) throw new IllegalArgumentException("match without operator and");
                List<String> tokens = analyse(field, (String) body.get("query"));
                if (tokens.isEmpty()) return new MatchNoDocsQuery();
                if (tokens.size() == 1) return boosted(new TermQuery(new Term(field, tokens.get(0))), body);
                BooleanQuery.Builder b = new BooleanQuery.Builder();
                for (String t : tokens) b.add(new TermQuery(new Term(field, t)), BooleanClause.Occur.MUST);
                return boosted(b.build(), body);
            }
            case "match_phrase": {
                String field = key(spec);
                Map<String, Object> body = (Map<String, Object>) spec.get(field);
                List<String> tokens = analyse(field, (String) body.get("query"));
                if (tokens.isEmpty()) return new MatchNoDocsQuery();
                if (tokens.size() == 1) return boosted(new TermQuery(new Term(field, tokens.get(0))), body);
                int slop = body.get("slop") == null ? 0 : ((Double) body.get("slop")).intValue();
                return boosted(new PhraseQuery(slop, field, tokens.toArray(new String[0])), body);
            }
            default:
                throw new IllegalArgumentException("query not covered: " + kind);
        }
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        String line;
        while ((line = in.readLine()) != null) {
            try {
                Map<String, Object> request = (Map<String, Object>) new Json(line).value();
                if ("index".equals(request.get("op"))) {
                    index(request);
                    out.println("{\"ok\": true}");
                    continue;
                }
                Query q = query((Map<String, Object>) request.get("query"));
                int n = Math.max(1, ids.size());
                TopDocs top = searcher.search(q, n);
                StringBuilder b = new StringBuilder("{\"hits\": [");
                for (int k = 0; k < top.scoreDocs.length; k++) {
                    ScoreDoc sd = top.scoreDocs[k];
                    if (k > 0) b.append(", ");
                    b.append("[").append(quote(ids.get(sd.doc))).append(", ").append(sd.score).append("]");
                }
                out.println(b.append("]}"));
            } catch (Exception exc) {
                out.println("{\"error\": " + quote(exc.toString()) + "}");
            }
        }
    }
}
