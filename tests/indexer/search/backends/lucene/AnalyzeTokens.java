// Runs texts through the Lucene classes Elasticsearch builds for a custom analyzer, and prints the tokens.
// Used by tests/indexer/search/backends/test_es_analysis_lucene.py with Debian's liblucene8-java.
//
// Arguments: the tokenizer (whitespace[:max_token_length] | pattern:<regex>[:group] | keyword), then the token
// filters (lowercase). Standard input: UTF-8 texts separated by NUL. Standard output: one line per text, each
// token as <position>:<hex of its UTF-8 bytes>, separated by spaces.
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.util.AttributeFactory;

public class AnalyzeTokens {
    static Tokenizer tokenizer(String spec) {
        String[] parts = spec.split(":", 2);
        switch (parts[0]) {
            case "whitespace": {
                int max = parts.length > 1 ? Integer.parseInt(parts[1]) : 255;  // Elasticsearch's default
                return new WhitespaceTokenizer(AttributeFactory.DEFAULT_ATTRIBUTE_FACTORY, max);
            }
            case "pattern": {
                String rest = parts[1];
                int group = -1;
                int cut = rest.lastIndexOf("\u0001");
                if (cut >= 0) {
                    group = Integer.parseInt(rest.substring(cut + 1));
                    rest = rest.substring(0, cut);
                }
                return new PatternTokenizer(Pattern.compile(rest), group);
            }
            case "keyword":
                return new KeywordTokenizer();
            default:
                throw new IllegalArgumentException("unsupported tokenizer " + spec);
        }
    }

    static TokenStream filter(TokenStream stream, String name) {
        switch (name) {
            case "lowercase":
                return new LowerCaseFilter(stream);
            default:
                throw new IllegalArgumentException("unsupported token filter " + name);
        }
    }

    public static void main(String[] args) throws Exception {
        InputStream in = System.in;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        in.transferTo(buffer);
        String all = new String(buffer.toByteArray(), StandardCharsets.UTF_8);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        for (String text : all.split("\u0000", -1)) {
            Tokenizer source = tokenizer(args[0]);
            TokenStream stream = source;
            for (int i = 1; i < args.length; i++) {
                stream = filter(stream, args[i]);
            }
            source.setReader(new StringReader(text));
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            PositionIncrementAttribute increment = stream.addAttribute(PositionIncrementAttribute.class);
            stream.reset();
            List<String> tokens = new ArrayList<>();
            int position = -1;
            while (stream.incrementToken()) {
                position += increment.getPositionIncrement();
                StringBuilder hex = new StringBuilder();
                for (byte b : term.toString().getBytes(StandardCharsets.UTF_8)) {
                    hex.append(String.format("%02x", b));
                }
                tokens.add(position + ":" + hex);
            }
            stream.end();
            stream.close();
            out.println(String.join(" ", tokens));
        }
        out.flush();
    }
}
