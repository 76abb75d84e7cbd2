package dev.bascule.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One {@code GET /metrics} answer in the Prometheus text format, read into samples so a test can look a series up
 * by its name and exact label set.
 */
public final class Scrape {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** One line of samples: a name, its labels in order of appearance, the value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private final String text;
    private final List<Sample> samples;

    private Scrape(String text) {
        this.text = text;
        this.samples = parse(text);
    }

    /** Scrapes the admin API at {@code admin} with no {@code Accept} header, and checks the answer is 200. */
    public static Scrape of(InetSocketAddress admin) throws Exception {
        HttpResponse<String> r = get(admin, null);
        assertThat(r.statusCode()).isEqualTo(200);
        return new Scrape(r.body());
    }

    /** {@code GET /metrics}, with {@code accept} as the Accept header unless it is null. */
    public static HttpResponse<String> get(InetSocketAddress admin, String accept) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base(admin) + "/metrics"))
                .timeout(Duration.ofSeconds(10))
                .GET();
        if (accept != null) {
            req.header("Accept", accept);
        }
        return CLIENT.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code http://host:port} of an IPv4 address. */
    public static String base(InetSocketAddress admin) {
        return "http://" + admin.getAddress().getHostAddress() + ":" + admin.getPort();
    }

    public String text() {
        return text;
    }

    public List<Sample> samples() {
        return samples;
    }

    /**
     * The value of the series {@code name} whose labels are exactly {@code labels} (name, value, name, value...),
     * or null when there is none.
     */
    public Double value(String name, String... labels) {
        Map<String, String> wanted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        for (Sample s : samples) {
            if (s.name().equals(name) && new TreeMap<>(s.labels()).equals(wanted)) {
                return s.value();
            }
        }
        return null;
    }

    /** Every sample of {@code name}, any labels. */
    public List<Sample> all(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    private static List<Sample> parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name;
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                String inner = line.substring(brace + 1, line.lastIndexOf('}'));
                int i = 0;
                while (i < inner.length()) {
                    int eq = inner.indexOf('=', i);
                    String key = inner.substring(i, eq);
                    int end = eq + 2; // past ="
                    StringBuilder value = new StringBuilder();
                    while (inner.charAt(end) != '"') {
                        if (inner.charAt(end) == '\\') {
                            end++;
                        }
                        value.append(inner.charAt(end));
                        end++;
                    }
                    labels.put(key, value.toString());
                    i = end + 1;
                    if (i < inner.length() && inner.charAt(i) == ',') {
                        i++;
                    }
                }
            } else {
                name = line.substring(0, space);
            }
            out.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
        }
        return out;
    }
}
