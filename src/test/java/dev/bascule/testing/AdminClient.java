package dev.bascule.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls to a real admin API over HTTP/1.1, with JSON bodies and answers read as trees. */
public final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final InetSocketAddress admin;

    public AdminClient(InetSocketAddress admin) {
        this.admin = admin;
    }

    /** An answer: its status and its body as JSON (null when it has none). */
    public record Answer(int status, JsonNode json, String body) {}

    public Answer get(String path) throws Exception {
        return send("GET", path, null);
    }

    /** {@code body}, when not null, goes as {@code application/json}. */
    public Answer send(String method, String path, String body) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(Scrape.base(admin) + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            req.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = CLIENT.send(req.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body().isEmpty() ? null : JSON.readTree(r.body());
        return new Answer(r.statusCode(), json, r.body());
    }
}
