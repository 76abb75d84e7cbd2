package dev.bascule.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds the {@code tls:} of a listener (certificates to serve), of an upstream (how to trust and present
 * to origins) and of the admin API (one certificate) for {@link ListenerBinder}, {@link UpstreamBinder} and {@link
 * ConfigBinder}; same error contract. {@link #path} also resolves the admin token file.
 *
 * <p>File paths are resolved against the config file's folder, so a config and its certificates move
 * together. They are not opened here: reading and checking the PEM files is the job of whoever builds the TLS
 * contexts at startup, and a config that only names them stays testable without files.
 */
final class TlsBinder {
    static final List<String> LISTENER_TLS_KEYS = List.of("cert", "key", "certificates");
    static final List<String> CERTIFICATE_KEYS = List.of("cert", "key");
    static final List<String> UPSTREAM_TLS_KEYS = List.of("verify", "ca", "sni", "cert", "key");

    private final Problems problems;
    private final Path baseDir;

    /** @param baseDir the config file's folder, absolute */
    TlsBinder(Problems problems, Path baseDir) {
        this.problems = problems;
        this.baseDir = baseDir;
    }

    /** @return null when absent (a plain listener) or, after reporting, bad */
    TlsConfig listener(YamlNode node) {
        if (node == null) {
            return null;
        }
        Fields f = Fields.open(node, "'tls' of a listener", problems, LISTENER_TLS_KEYS);
        if (f == null) {
            return null;
        }
        boolean single = f.node("cert") != null || f.node("key") != null;
        YamlNode list = f.node("certificates");
        if (list != null && single) {
            problems.add(f.keyMark("certificates"), "write either cert and key (one certificate) or certificates"
                    + " (several, chosen by SNI), not both");
            return null;
        }
        if (list == null && !single) {
            problems.add(f.mark(), "'tls' of a listener needs cert and key, or a list of certificates");
            return null;
        }
        List<CertificateConfig> certificates = new ArrayList<>();
        if (single) {
            addIfValid(certificates, certificate(f));
        } else {
            YamlNode.Sequence seq = f.sequence(list, "certificates");
            if (seq != null && seq.items().isEmpty()) {
                problems.add(seq.mark(), "'certificates' needs at least one certificate");
            }
            for (YamlNode item : seq == null ? List.<YamlNode>of() : seq.items()) {
                Fields c = Fields.open(item, "a certificate", problems, CERTIFICATE_KEYS);
                addIfValid(certificates, c == null ? null : certificate(c));
            }
        }
        return certificates.isEmpty() ? null : new TlsConfig(certificates);
    }

    /** The admin server's certificate, {@code tls: { cert, key }}; null when absent (plain HTTP) or bad. */
    CertificateConfig admin(YamlNode node) {
        if (node == null) {
            return null;
        }
        Fields f = Fields.open(node, "'tls' of 'admin'", problems, CERTIFICATE_KEYS);
        return f == null ? null : certificate(f);
    }

    private CertificateConfig certificate(Fields f) {
        Path cert = f.parsedRequired("cert", this::path);
        Path key = f.parsedRequired("key", this::path);
        return cert == null || key == null ? null : new CertificateConfig(cert, key);
    }

    private static void addIfValid(List<CertificateConfig> certificates, CertificateConfig certificate) {
        if (certificate != null) {
            certificates.add(certificate);
        }
    }

    /** @return null when absent (plain HTTP to the origins); {@code tls: {}} is TLS with every default */
    UpstreamTlsConfig upstream(YamlNode node, String label) {
        if (node == null) {
            return null;
        }
        Fields f = Fields.open(node, "'tls' of " + label, problems, UPSTREAM_TLS_KEYS);
        if (f == null) {
            return null;
        }
        boolean verify = f.bool("verify", true);
        Path ca = f.parsed("ca", this::path, null);
        String sni = f.parsed("sni", text -> HostNames.checkServerName("sni", text), null);
        Path cert = f.parsed("cert", this::path, null);
        Path key = f.parsed("key", this::path, null);
        boolean hasCert = f.node("cert") != null;
        if (hasCert != (f.node("key") != null)) {
            String present = hasCert ? "cert" : "key";
            problems.add(f.keyMark(present), "'" + present + "' needs '" + (hasCert ? "key" : "cert")
                    + "' too: a client certificate and its private key come together");
        }
        if (!verify && f.node("ca") != null) {
            // Said two things; the file would be silently unused.
            problems.add(f.keyMark("ca"), "'ca' is unused with verify: false (the origin's certificate is not checked);"
                    + " remove one of them");
        }
        return new UpstreamTlsConfig(verify, ca, sni, cert, key);
    }

    /** Resolves a path as written against the config file's folder; an absolute path stays as it is. */
    Path path(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty file path");
        }
        try {
            return baseDir.resolve(text);
        } catch (InvalidPathException e) {
            // Not echoing the text: what makes it invalid (a NUL) would garble the message.
            throw new IllegalArgumentException("bad file path: " + e.getReason());
        }
    }
}
