package dev.bascule.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random edits of a valid config must only ever give a config or a ConfigException with at least one located
 * error, never another exception. A seed that fails is printed; keep its input as a regression case below.
 */
class ConfigLoaderFuzzTest {
    private static final int ROUNDS = 2000;
    /** Characters that matter to YAML's structure, plus a few that matter to our own parsers. */
    private static final String INTERESTING = " \n\t:-,[]{}#&*!|>'\"%@`?/.0123456789kmsh\u00e9\uFEFF\\";

    @Test
    void mutationsOfTheExampleNeverEscapeAsOtherExceptions() {
        Random random = new Random(0x5EED_BA5CL);
        // Without its comments, so that edits land on structure rather than on text the parser skips.
        String base = ConfigLoaderTest.EXAMPLE.replaceAll("(?m)\\s+#.*$", "");
        int accepted = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String input = mutate(base, random, 1 + random.nextInt(4));
            try {
                ConfigLoaderTest.LOADER.parse(input, "fuzz.yaml");
                accepted++;
            } catch (ConfigException e) {
                // Plain checks, not AssertJ: this loop runs thousands of times and must stay fast.
                if (e.errors().isEmpty()) {
                    fail("round " + round + ": ConfigException without errors for input:\n" + input);
                }
                for (ConfigError err : e.errors()) {
                    if (err.line() < 1 || err.column() < 1 || err.message().isBlank()) {
                        fail("round " + round + ": unlocated or empty error " + err + " for input:\n" + input);
                    }
                }
            } catch (RuntimeException | StackOverflowError e) {
                fail("round " + round + " threw " + e + " for input:\n" + input, e);
            }
        }
        // Sanity: the mutations are small enough that some inputs stay valid, so binding is exercised too.
        assertThat(accepted).isPositive();
    }

    @Test
    void regressionInputs() {
        String[] inputs = {
            "listeners:\n  - address:\n", // empty required value
            "{", "[", "- - - -", ":", "? ? ?", "&a", "*a", "!!binary aGk=", "a: !!binary aGk=", "\uFEFF",
            "listeners: [ { address: 127.0.0.1:8080 } ]\nupstreams: { \"\": { servers: [ { address: a:1 } ] } }\nroutes: [ { upstream: \"\" } ]\n",
            "[".repeat(500) + "]".repeat(500),
            "a:\n" + "  b:\n".repeat(200),
        };
        for (String input : inputs) {
            try {
                ConfigLoaderTest.LOADER.parse(input, "r.yaml");
            } catch (ConfigException expected) {
                assertThat(expected.errors()).isNotEmpty();
            }
        }
    }

    static String mutate(String text, Random random, int edits) {
        StringBuilder sb = new StringBuilder(text);
        for (int i = 0; i < edits; i++) {
            int at = random.nextInt(sb.length() + 1);
            switch (random.nextInt(3)) {
                case 0 -> { // delete a short run
                    if (at < sb.length()) {
                        sb.delete(at, Math.min(sb.length(), at + 1 + random.nextInt(3)));
                    }
                }
                case 1 -> sb.insert(at, INTERESTING.charAt(random.nextInt(INTERESTING.length())));
                default -> { // duplicate a short run (a repeated key, bracket, or line fragment)
                    int end = Math.min(sb.length(), at + 1 + random.nextInt(12));
                    sb.insert(at, sb.substring(at, end));
                }
            }
        }
        return sb.toString();
    }
}
