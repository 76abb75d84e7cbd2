package dev.bascule.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bascule.Bascule;
import dev.bascule.balance.Balancers;
import dev.bascule.config.ConfigLoader;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /explain} on routes with header, cookie and method conditions and a redirect route: the request's
 * {@code header=Name:value} parameters decide the conditions as the proxy's request headers would, and the answer
 * says which condition missed and where a redirect sends the client.
 */
@ExtendWith(LeakGuard.class)
class ExplainConditionsEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private TestOrigin blue;
    private TestOrigin green;
    private Bascule bascule;

    @BeforeEach
    void start() throws Exception {
        blue = TestOrigin.start("blue");
        green = TestOrigin.start("green");
        String yaml = """
                listeners: [ { address: 127.0.0.1:0 } ]
                admin: { address: 127.0.0.2:0 }
                upstreams:
                  web-blue: { servers: [ { address: %s } ] }
                  web-green: { servers: [ { address: %s } ] }
                routes:
                  - match: { host: labs.test, header: { x-release: green }, cookie: { tier: beta }, method: [ GET ] }
                    upstream: web-green
                  - match: { path_prefix: /old }
                    redirect: { to: /new, status: 307, keep_path: true }
                  - upstream: web-blue
                """.formatted(blue.address(), green.address());
        bascule = Bascule.start(new ConfigLoader(Balancers.standard().names()).parse(yaml, "conditions.yaml"), 1);
    }

    @AfterEach
    void stop() {
        bascule.close();
        blue.close();
        green.close();
    }

    private JsonNode explain(String query) throws Exception {
        try (RawHttp raw = new RawHttp(bascule.adminAddress())) {
            RawHttp.Response r = raw.exchange("GET /explain?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
            return JSON.readTree(r.body());
        }
    }

    @Test
    void headerParametersDecideTheConditions() throws Exception {
        JsonNode pinned = explain("host=labs.test&path=/x&header=X-Release:green&header=Cookie:a%3D1;+tier%3Dbeta");
        assertThat(pinned.at("/route/index").asInt()).isZero();
        assertThat(pinned.at("/route/label").asText()).isEqualTo("labs.test[x-release=green,cookie:tier=beta,GET]");
        assertThat(pinned.at("/upstream/name").asText()).isEqualTo("web-green");

        JsonNode missed = explain("host=labs.test&path=/x&method=POST&header=X-Release:blue");
        assertThat(missed.at("/routes/0/why").asText()).isEqualTo("header x-release is 'blue', not 'green';"
                + " cookie tier is absent; method POST is not GET");
        assertThat(missed.at("/route/index").asInt()).isEqualTo(2);
    }

    @Test
    void aRedirectRouteIsExplainedAsTheAnswerItGives() throws Exception {
        JsonNode e = explain("host=labs.test&path=/old/a%3Fb%3D1");
        assertThat(e.at("/route/index").asInt()).isEqualTo(1);
        assertThat(e.at("/route/redirect/location").asText()).isEqualTo("/new/a?b=1");
        assertThat(e.get("upstream").isNull()).isTrue();
        assertThat(e.at("/outcome/status").asInt()).isEqualTo(307);
    }
}
