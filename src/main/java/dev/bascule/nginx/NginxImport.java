package dev.bascule.nginx;

import java.util.List;

/**
 * Translates an nginx config into a Bascule config: {@code bascule import-nginx nginx.conf > bascule.yaml}.
 * What it translates: {@code upstream} blocks ({@code server} with {@code weight=}, {@code max_fails=}, {@code
 * fail_timeout=}, {@code max_conns=}, {@code down}; {@code least_conn}, {@code ip_hash}, {@code hash
 * $remote_addr|$http_NAME|$cookie_NAME [consistent]}, {@code random two}), {@code server} blocks ({@code
 * listen}, {@code server_name}, {@code ssl_certificate}, {@code ssl_certificate_key}, {@code http2}), prefix
 * {@code location}s with {@code proxy_pass} (nginx's prefix replacement where Bascule can express it), {@code
 * proxy_set_header}, {@code add_header}, {@code client_max_body_size} and redirecting {@code return}s. Every
 * other directive is listed in {@link Result#notes()}; where Bascule's meaning differs, the YAML says so in a
 * comment.
 *
 * <p>Stateless entry point; the config is parsed and translated on the caller's thread, with no I/O.
 */
public final class NginxImport {
    private NginxImport() {}

    /**
     * @param yaml the Bascule config, with comments
     * @param notes one line per directive not translated: {@code nginx.conf:LINE: directive 'x' not
     *     translated: reason}
     */
    public record Result(String yaml, List<String> notes) {
        public Result {
            notes = List.copyOf(notes);
        }
    }

    /**
     * @param file how the nginx file is named in notes and comments ({@code nginx.conf})
     * @throws NginxSyntaxException when nginx itself could not read the file
     */
    public static Result translate(String text, String file) throws NginxSyntaxException {
        List<Directive> top = NginxReader.read(text);
        Notes notes = new Notes(file);
        Imported out = new Imported();
        LocationImport locations = new LocationImport(notes, out, new HeaderImport(notes, out.header));
        HttpImport http = new HttpImport(notes, out, locations);
        boolean sawHttp = false;
        for (Directive d : top) {
            if (d.name().equals("http") && d.isBlock()) {
                if (sawHttp) {
                    notes.skipTree(d, "a second http block");
                    continue;
                }
                sawHttp = true;
                http.translate(d);
            } else {
                notes.skipTree(d, Reasons.of(d.name()));
            }
        }
        return new Result(YamlWriter.write(out, file), notes.lines());
    }
}
