package dev.bascule.admin;

import static dev.bascule.admin.AdminServerTest.fieldNames;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.RawHttp;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The admin server as an HTTP/1.1 server: paths, methods, framing, pipelining, limits. */
@ExtendWith(LeakGuard.class)
class AdminProtocolTest {
    private AdminUnderTest t;

    @BeforeEach
    void start() throws Exception {
        t = new AdminUnderTest();
    }

    @AfterEach
    void stop() {
        t.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/nope", "/dashboard", "/dashboard/", "/status/", "/statusx", "/upstreams",
        "/upstreams/web-blue", "/upstreams/web-blue/members", "/upstreams/web-blue/servers/127.0.0.1:1/pause",
        "/upstreams/web-blue/servers/127.0.0.1:1/drain/now"})
    void anUnknownPathIsNotFound(String path) throws Exception {
        HttpResponse<String> r = t.get(path);

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(fieldNames(AdminUnderTest.json(r))).containsExactly("error");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "POST   | /status                                    | GET, HEAD",
        "DELETE | /status                                    | GET, HEAD",
        "GET    | /reload                                    | POST",
        "GET    | /upstreams/web-blue/servers                | POST",
        "PUT    | /upstreams/web-blue/servers/127.0.0.1:1    | GET, HEAD, PATCH, DELETE",
        "GET    | /upstreams/web-blue/servers/127.0.0.1:1/drain   | POST",
        "DELETE | /upstreams/web-blue/servers/127.0.0.1:1/undrain | POST",
    })
    void aWrongMethodIsNotAllowedAndSaysWhatIs(String method, String path, String allow) throws Exception {
        HttpResponse<String> r = t.send(method, path, null);

        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("allow")).hasValue(allow);
        assertThat(AdminUnderTest.json(r).get("error").asText()).contains(method);
    }

    @Test
    void pipelinedCommandsRunAndAreAnsweredInOrder() throws Exception {
        String server = "/upstreams/web-blue/servers/" + t.blue1.address();
        try (RawHttp raw = t.raw()) {
            raw.send("POST " + server + "/drain HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"
                    + "GET " + server + " HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "POST " + server + "/undrain HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"
                    + "GET /nope HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "GET " + server + " HTTP/1.1\r\nHost: localhost\r\n\r\n");

            RawHttp.Response drain = raw.read(false);
            RawHttp.Response afterDrain = raw.read(false);
            RawHttp.Response undrain = raw.read(false);
            RawHttp.Response notFound = raw.read(false);
            RawHttp.Response afterUndrain = raw.read(false);

            assertThat(drain.status()).isEqualTo(200);
            assertThat(AdminUnderTest.json(afterDrain).get("state").asText()).isEqualTo("draining");
            assertThat(undrain.status()).isEqualTo(200);
            assertThat(notFound.status()).isEqualTo(404);
            assertThat(AdminUnderTest.json(afterUndrain).get("state").asText()).isEqualTo("healthy");
        }
    }

    @Test
    void aBodyOverTheLimitIsRefusedWithJsonAndTheConnectionClosed() throws Exception {
        try (RawHttp raw = t.raw()) {
            RawHttp.Response r = raw.exchange("POST /upstreams/web-blue/servers HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + (AdminServer.MAX_BODY_BYTES + 1)
                    + "\r\n\r\n");

            assertThat(r.status()).isEqualTo(413);
            assertThat(AdminUnderTest.json(r).get("error").asText()).contains("65536");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(raw.closedByPeer()).isTrue();
        }
    }

    @Test
    void aMalformedRequestIsABadRequestAndTheConnectionClosed() throws Exception {
        try (RawHttp raw = t.raw()) {
            RawHttp.Response r = raw.exchange("GET /status HTTP/1.1\r\nHost: localhost\r\nContent-Length: nine\r\n\r\n");

            assertThat(r.status()).isEqualTo(400);
            assertThat(AdminUnderTest.json(r).get("error").asText()).isEqualTo("malformed HTTP request");
            assertThat(raw.closedByPeer()).isTrue();
        }
    }

    @Test
    void aBadPercentEscapeIsABadRequest() throws Exception {
        // java.net.URI refuses a malformed escape, so this one goes over a raw socket.
        try (RawHttp raw = t.raw()) {
            RawHttp.Response r = raw.exchange("POST /upstreams/web-blue/servers/127.0.0.1%3G1/drain HTTP/1.1\r\n"
                    + "Host: localhost\r\nContent-Length: 0\r\n\r\n");

            assertThat(r.status()).isEqualTo(400);
            assertThat(AdminUnderTest.json(r).get("error").asText()).contains("percent-encoding");
        }
    }

    @Test
    void keepAliveServesManyRequestsAndConnectionCloseIsHonoured() throws Exception {
        try (RawHttp raw = t.raw()) {
            for (int i = 0; i < 3; i++) {
                assertThat(raw.exchange("GET /status HTTP/1.1\r\nHost: localhost\r\n\r\n").status()).isEqualTo(200);
            }
            RawHttp.Response last = raw.exchange("GET /status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertThat(last.status()).isEqualTo(200);
            assertThat(last.header("connection")).isEqualTo("close");
            assertThat(raw.closedByPeer()).isTrue();
        }
    }

    @Test
    void anHttp10RequestGetsAnHttp10AnswerAndAClose() throws Exception {
        try (RawHttp raw = t.raw()) {
            raw.send("GET /status HTTP/1.0\r\n\r\n");
            RawHttp.Response r = raw.read(false);

            assertThat(r.status()).isEqualTo(200);
            assertThat(AdminUnderTest.json(r).at("/config/version").asLong()).isEqualTo(1);
            assertThat(raw.closedByPeer()).isTrue();
        }
    }

    @Test
    void anAbsoluteFormTargetIsServed() throws Exception {
        try (RawHttp raw = t.raw()) {
            RawHttp.Response r = raw.exchange("GET http://localhost:9901/status?pretty HTTP/1.1\r\nHost: localhost\r\n\r\n");

            assertThat(r.status()).isEqualTo(200);
        }
    }
}
