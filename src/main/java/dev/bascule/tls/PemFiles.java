package dev.bascule.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files: certificate chains and unencrypted private keys in PKCS#8 ({@code BEGIN PRIVATE KEY}),
 * PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}) form, the three that openssl
 * writes. Every failure is a {@link TlsFileException} naming the file.
 *
 * <p>Threading: stateless; called on the control thread (it does file I/O).
 */
public final class PemFiles {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
    /** Key algorithms a PKCS#8 key is tried with, most common first. */
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA"};
    /** DER of AlgorithmIdentifier { rsaEncryption, NULL } (RFC 8017 A.1). */
    private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
    /** DER of the OID id-ecPublicKey 1.2.840.10045.2.1 (RFC 5480 2.1.1). */
    private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");

    private PemFiles() {}

    /** The certificates of a PEM file, leaf first as written; at least one. */
    public static List<X509Certificate> certificates(Path file) throws TlsFileException {
        List<X509Certificate> certs = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 support", e);
        }
        for (Block b : blocks(file)) {
            if (!b.type().equals("CERTIFICATE")) {
                continue;
            }
            try {
                certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
            } catch (CertificateException e) {
                throw new TlsFileException(file, "invalid certificate: " + e.getMessage(), e);
            }
        }
        if (certs.isEmpty()) {
            throw new TlsFileException(file, "no PEM certificate (-----BEGIN CERTIFICATE-----) found");
        }
        return certs;
    }

    /** The one private key of a PEM file. */
    public static PrivateKey privateKey(Path file) throws TlsFileException {
        for (Block b : blocks(file)) {
            switch (b.type()) {
                case "PRIVATE KEY":
                    return pkcs8(file, b.der());
                case "RSA PRIVATE KEY":
                    return pkcs8(file, der(0x30, concat(der(0x02, new byte[] {0}), RSA_ALGORITHM, der(0x04, b.der()))));
                case "EC PRIVATE KEY":
                    return pkcs8(file, sec1ToPkcs8(file, b.der()));
                case "ENCRYPTED PRIVATE KEY":
                    throw new TlsFileException(file, "encrypted private keys are not supported; decrypt it "
                            + "(openssl pkcs8 -topk8 -nocrypt)");
                default:
                    // EC PARAMETERS and the like come before the key in some files
            }
        }
        throw new TlsFileException(file, "no PEM private key (-----BEGIN PRIVATE KEY-----) found");
    }

    /**
     * Checks that {@code key} belongs to {@code cert} by signing and verifying, so a mismatched pair is a config
     * error and not a failed handshake at the first client.
     */
    public static void checkPair(Path keyFile, PrivateKey key, X509Certificate cert) throws TlsFileException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null) {
            return; // no cheap check for this kind; the handshake will tell
        }
        byte[] probe = "bascule key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            PublicKey pub = cert.getPublicKey();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another kind than the certificate's: not a match
        }
        throw new TlsFileException(keyFile, "private key does not match the certificate "
                + cert.getSubjectX500Principal().getName());
    }

    private static PrivateKey pkcs8(Path file, byte[] der) throws TlsFileException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this kind; try the next
            }
        }
        throw new TlsFileException(file, "unreadable private key (not RSA, EC, EdDSA or DSA)");
    }

    /** Wraps a SEC1 ECPrivateKey (RFC 5915) in PKCS#8, taking the curve from its parameters field. */
    private static byte[] sec1ToPkcs8(Path file, byte[] sec1) throws TlsFileException {
        byte[] curve = null;
        try {
            Der seq = Der.read(sec1, 0);
            int at = seq.contentStart();
            while (at < seq.end()) {
                Der field = Der.read(sec1, at);
                if (field.tag() == 0xa0) { // [0] ECParameters: the named curve's OID
                    curve = java.util.Arrays.copyOfRange(sec1, field.contentStart(), field.end());
                }
                at = field.end();
            }
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new TlsFileException(file, "malformed EC private key");
        }
        if (curve == null) {
            throw new TlsFileException(file, "EC private key names no curve");
        }
        byte[] algorithm = der(0x30, concat(EC_PUBLIC_KEY_OID, curve));
        return der(0x30, concat(der(0x02, new byte[] {0}), algorithm, der(0x04, sec1)));
    }

    private record Block(String type, byte[] der) {}

    private static List<Block> blocks(Path file) throws TlsFileException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new TlsFileException(file, "cannot read: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        } catch (RuntimeException e) { // malformed input: not text at all
            throw new TlsFileException(file, "not a PEM file", e);
        }
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            try {
                blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2).trim())));
            } catch (IllegalArgumentException e) {
                throw new TlsFileException(file, "bad base64 in the " + m.group(1) + " block");
            }
        }
        if (blocks.isEmpty()) {
            throw new TlsFileException(file, "not a PEM file (no -----BEGIN ...----- block)");
        }
        return blocks;
    }

    // ---- minimal DER, enough to re-wrap a key ----

    /** One DER element: its tag and where its content lies. */
    private record Der(int tag, int contentStart, int end) {
        static Der read(byte[] b, int at) {
            int tag = b[at] & 0xff;
            int len = b[at + 1] & 0xff;
            int start = at + 2;
            if (len >= 0x80) {
                int n = len & 0x7f;
                if (n == 0 || n > 3) {
                    throw new IllegalArgumentException("unsupported DER length");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[start + i] & 0xff);
                }
                start += n;
            }
            if (start + len > b.length) {
                throw new IllegalArgumentException("truncated DER");
            }
            return new Der(tag, start, start + len);
        }
    }

    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int len = content.length;
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else if (len < 0x10000) {
            out.write(0x82);
            out.write(len >> 8);
            out.write(len);
        } else {
            out.write(0x83);
            out.write(len >> 16);
            out.write(len >> 8);
            out.write(len);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
