package dev.bascule.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The dashboard's files, read from the jar once and served from memory ({@code GET /}, {@code /dashboard/...},
 * {@code /favicon.svg}): nothing comes from another site, so the page works where the admin API has no way out.
 *
 * <p>Each file has a strong ETag (its SHA-256), so a browser revalidates with {@code If-None-Match} and gets a
 * 304 when nothing changed. The page and its own script and style are revalidated on every load ({@code no-cache}),
 * so an upgraded Bascule serves its new page at once; the vendored chart library sits under a path that names its
 * version, so it is cached for a year.
 *
 * <p>Immutable; the table of paths is fixed (a jar cannot be listed cheaply, and nothing else should be served).
 */
final class DashboardAssets {
    /** Where the files sit on the classpath. */
    private static final String ROOT = "dev/bascule/admin/dashboard/";
    private static final String UPLOT = "vendor/uplot-1.6.32/";
    private static final String REVALIDATE = "no-cache";
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";

    private record File(String resource, String contentType, String cacheControl) {}

    private static final String JS = "text/javascript; charset=utf-8";
    private static final String CSS = "text/css; charset=utf-8";

    /** Request path (decoded segments joined by {@code /}) to file. */
    private static final Map<String, File> FILES = Map.ofEntries(
            Map.entry("", new File("index.html", "text/html; charset=utf-8", REVALIDATE)),
            Map.entry("dashboard/app.css", new File("app.css", CSS, REVALIDATE)),
            // The page's script, as ES modules that app.js imports (no build step, nothing bundled).
            Map.entry("dashboard/app.js", new File("app.js", JS, REVALIDATE)),
            Map.entry("dashboard/actions.js", new File("actions.js", JS, REVALIDATE)),
            Map.entry("dashboard/api.js", new File("api.js", JS, REVALIDATE)),
            Map.entry("dashboard/charts.js", new File("charts.js", JS, REVALIDATE)),
            Map.entry("dashboard/fleet.js", new File("fleet.js", JS, REVALIDATE)),
            Map.entry("dashboard/format.js", new File("format.js", JS, REVALIDATE)),
            Map.entry("dashboard/rollouts.js", new File("rollouts.js", JS, REVALIDATE)),
            Map.entry("dashboard/samples.js", new File("samples.js", JS, REVALIDATE)),
            Map.entry("dashboard/tables.js", new File("tables.js", JS, REVALIDATE)),
            Map.entry("dashboard/" + UPLOT + "uPlot.iife.min.js", new File(UPLOT + "uPlot.iife.min.js", JS, IMMUTABLE)),
            Map.entry("dashboard/" + UPLOT + "uPlot.min.css", new File(UPLOT + "uPlot.min.css", CSS, IMMUTABLE)),
            Map.entry("favicon.svg", new File("favicon.svg", "image/svg+xml", REVALIDATE)),
            // Asked for by browsers that ignore the page's <link rel="icon">; SVG is what there is.
            Map.entry("favicon.ico", new File("favicon.svg", "image/svg+xml", REVALIDATE)));

    private record Loaded(File file, byte[] body, Reply.Asset headers) {}

    private final Map<String, Loaded> loaded;

    private DashboardAssets(Map<String, Loaded> loaded) {
        this.loaded = loaded;
    }

    /**
     * Reads every file from the classpath.
     *
     * @throws IllegalStateException when one is missing: a broken build, not something to serve around
     */
    static DashboardAssets load() {
        Map<String, Loaded> out = new HashMap<>();
        for (Map.Entry<String, File> e : FILES.entrySet()) {
            File f = e.getValue();
            byte[] body = read(ROOT + f.resource());
            out.put(e.getKey(), new Loaded(f, body, new Reply.Asset(etag(body), f.cacheControl())));
        }
        return new DashboardAssets(Map.copyOf(out));
    }

    /** Whether {@code segments} name a file of the dashboard: these are served without the token. */
    static boolean isAsset(List<String> segments) {
        return FILES.containsKey(String.join("/", segments));
    }

    /**
     * The file at {@code segments}, or null when there is none.
     *
     * @param ifNoneMatch the request's {@code If-None-Match} lines (RFC 9110 §13.1.2)
     */
    Reply reply(List<String> segments, List<String> ifNoneMatch) {
        Loaded f = loaded.get(String.join("/", segments));
        if (f == null) {
            return null;
        }
        return Reply.asset(f.file().contentType(), f.body(), f.headers(), matches(ifNoneMatch, f.headers().etag()));
    }

    /** Weak comparison, as RFC 9110 §13.1.2 asks of If-None-Match: {@code W/} prefixes are ignored. */
    static boolean matches(List<String> ifNoneMatch, String etag) {
        for (String line : ifNoneMatch) {
            for (String tag : line.split(",")) {
                String t = tag.strip();
                if (t.equals("*")) {
                    return true;
                }
                if (t.startsWith("W/")) {
                    t = t.substring(2);
                }
                if (t.equals(etag)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static byte[] read(String resource) {
        try (InputStream in = DashboardAssets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static String etag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return '"' + HexFormat.of().formatHex(digest, 0, 16) + '"';
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
