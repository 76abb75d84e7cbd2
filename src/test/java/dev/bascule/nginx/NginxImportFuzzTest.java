package dev.bascule.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Broken nginx configs, made by cutting, doubling and swapping pieces of a real one with a seeded random source:
 * the import either refuses the syntax with a line, or translates, and never fails otherwise.
 */
class NginxImportFuzzTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String[] PIECES = {";", "{", "}", "\"", "'", "\\", "#", "$", "${", "location", "server",
        "upstream", "return 301", "proxy_pass", "listen", "http", "=", "~", "\n", " ", "http://", "unix:", "weight=",
        "max_fails=x", "fail_timeout=", "[::]", ":", "*.", ".", "$host", "$request_uri"};

    @Test
    void brokenConfigsAreRefusedOrTranslatedNeverCrash() throws Exception {
        // Each mutation is a piece nginx's syntax gives meaning to, so the reader and the translator both see
        // configs no one writes on purpose.
        String base = Files.readString(Path.of("src/test/resources/nginx/every-directive.conf"));
        Random random = new Random(20240611L);
        int refused = 0;
        for (int i = 0; i < 3000; i++) {
            String text = mutate(base, random, 1 + random.nextInt(4));
            try {
                NginxImport.Result r = NginxImport.translate(text, "fuzz.conf");
                assertThat(r.yaml()).startsWith("# Translated from fuzz.conf");
                assertThat(YAML.readTree(r.yaml()).has("routes")).as("well-formed YAML whatever went in").isTrue();
            } catch (NginxSyntaxException e) {
                assertThat(e.line()).isBetween(1, (int) text.lines().count() + 1);
                refused++;
            }
        }
        assertThat(refused).as("some mutations break the syntax, others do not").isBetween(1, 2999);
    }

    private static String mutate(String text, Random random, int times) {
        StringBuilder sb = new StringBuilder(text);
        for (int t = 0; t < times; t++) {
            int at = random.nextInt(sb.length());
            switch (random.nextInt(3)) {
                case 0 -> sb.delete(at, Math.min(sb.length(), at + 1 + random.nextInt(12)));
                case 1 -> sb.insert(at, PIECES[random.nextInt(PIECES.length)]);
                default -> {
                    int len = Math.min(sb.length() - at, 1 + random.nextInt(30));
                    sb.insert(random.nextInt(sb.length()), sb.substring(at, at + len));
                }
            }
        }
        return sb.toString();
    }
}
