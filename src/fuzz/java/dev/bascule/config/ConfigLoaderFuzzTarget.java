package dev.bascule.config;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bascule.balance.Balancers;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the config loader: any text, taken as UTF-8, must either load as a config or be
 * refused with a {@link ConfigException} (the errors a user sees, with file, line and column). Any other
 * exception or error escaping {@link ConfigLoader#parse} is a finding. Seeds (examples/labs.yaml, the README's
 * example) and past findings live in {@code src/fuzz/resources/dev/bascule/config/ConfigLoaderFuzzTargetInputs/parse/}.
 */
class ConfigLoaderFuzzTarget {
    private static final ConfigLoader LOADER = new ConfigLoader(Balancers.standard().names());

    @DictionaryEntries({"listeners:", "upstreams:", "routes:", "admin:", "timeouts:", "limits:", "address: ",
        "servers:", "match:", "host: ", "path_prefix: ", "upstream: ", "strip_prefix: ", "balancer: ", "hash_key: ",
        "header:", "cookie:", "client_ip", "ewma_decay: ", "weight: ", "health_check:", "passive:", "tls:", "cert: ",
        "key: ", "ca: ", "certificates:", "verify: ", "sni: ", "retry:", "attempts: ", "on: ", "per_try_timeout: ",
        "allow: ", "deny: ", "rate_limit:", "requests_per_second: ", "burst: ", "max_body_size: ", "redirect_https: ",
        "hsts: ", "trusted_proxies: ", "shutdown_grace: ", "slow_start: ", "resolve_every: ", "when_all_down: ",
        "expect_status: ", "127.0.0.1:8080", "[::1]:0", "10.0.0.0/8", "fd00::/8", "500ms", "1m30s", "8KiB",
        "round_robin", "least_conn", "random_two", "hash", "ewma", "- ", "{ ", " }", "[ ", " ]", "&a ", "*a", "!!"})
    @FuzzTest(maxDuration = "30s")
    void parse(byte[] input) {
        String yaml = new String(input, StandardCharsets.UTF_8);
        try {
            BasculeConfig config = LOADER.parse(yaml, "fuzz.yaml");
            if (config == null) {
                throw new AssertionError("parse returned null for " + quote(yaml));
            }
        } catch (ConfigException e) {
            if (e.errors().isEmpty()) {
                throw new AssertionError("ConfigException without errors for " + quote(yaml), e);
            }
            // a refused config: the expected outcome for most inputs
        } catch (RuntimeException e) {
            throw new AssertionError("unexpected exception for " + quote(yaml), e);
        }
    }

    private static String quote(String s) {
        String q = s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
        return "\"" + (q.length() > 2000 ? q.substring(0, 2000) + "..." : q) + "\"";
    }
}
