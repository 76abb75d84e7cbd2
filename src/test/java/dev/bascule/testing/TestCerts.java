package dev.bascule.testing;

import dev.bascule.config.CertificateConfig;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Certificates made at test time with BouncyCastle: a CA, and leaf certificates it signs for given DNS names and
 * IP addresses, written as PEM files. EC P-256 keys by default (fast to generate), RSA on request.
 */
public final class TestCerts {
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

    private TestCerts() {}

    /** A key and its certificate. */
    public record Issued(X509Certificate cert, KeyPair keys) {
        public String subjectCn() {
            return cert.getSubjectX500Principal().getName();
        }

        /** Writes {@code name.crt} (PEM certificate) and {@code name.key} (PKCS#8 PEM key) into {@code dir}. */
        public CertificateConfig write(Path dir, String name) throws IOException {
            Path crt = dir.resolve(name + ".crt");
            Path key = dir.resolve(name + ".key");
            writeCert(crt);
            Files.writeString(key, pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
            return new CertificateConfig(crt, key);
        }

        /**
         * Writes the key in the "traditional" openssl form: PKCS#1 for RSA, SEC1 for EC. SEC1 is built by hand
         * with the curve in its parameters field, as openssl writes it (the JDK's encoding leaves it out).
         */
        public Path writeTraditionalKey(Path file) throws IOException {
            if (!keys.getPrivate().getAlgorithm().equals("EC")) {
                Files.writeString(file, pem(keys.getPrivate()));
                return file;
            }
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
            ASN1Encodable curve = info.getPrivateKeyAlgorithm().getParameters();
            org.bouncycastle.asn1.sec.ECPrivateKey inner =
                    org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
            byte[] der = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(), curve).getEncoded();
            Files.writeString(file, pem(new PemObject("EC PRIVATE KEY", der)));
            return file;
        }

        public Path writeCert(Path file) throws IOException {
            Files.writeString(file, pem(cert));
            return file;
        }
    }

    /** A certificate authority that can sign leaf certificates. */
    public record Ca(Issued self) {
        public X509Certificate cert() {
            return self.cert();
        }

        /** A server (and client) certificate for {@code dnsNames} and {@code ips}, CN = {@code cn}. */
        public Issued issue(String cn, List<String> dnsNames, List<String> ips) {
            KeyPair keys = ecKeys();
            return sign(self, cn, keys, dnsNames, ips, false);
        }

        public Issued issueRsa(String cn, List<String> dnsNames) {
            return sign(self, cn, rsaKeys(), dnsNames, List.of(), false);
        }

        public Path writeCert(Path file) throws IOException {
            return self.writeCert(file);
        }

        /** A JDK client context that trusts only this CA. */
        public SSLContext clientContext() {
            try {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                ks.setCertificateEntry("ca", cert());
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
                return ctx;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public static Ca newCa(String cn) {
        KeyPair keys = ecKeys();
        return new Ca(sign(null, cn, keys, List.of(), List.of(), true));
    }

    private static Issued sign(Issued issuer, String cn, KeyPair keys, List<String> dnsNames, List<String> ips,
            boolean ca) {
        try {
            X500Name subject = new X500Name("CN=" + cn);
            X500Name issuerName = issuer == null ? subject
                    : new X500Name(issuer.cert().getSubjectX500Principal().getName());
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(2))), subject, keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (ca) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                b.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            }
            List<GeneralName> sans = new ArrayList<>();
            dnsNames.forEach(n -> sans.add(new GeneralName(GeneralName.dNSName, n)));
            ips.forEach(ip -> sans.add(new GeneralName(GeneralName.iPAddress, ip)));
            if (!sans.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            KeyPair signer = issuer == null ? keys : issuer.keys();
            String algorithm = signer.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder(algorithm).build(signer.getPrivate())));
            return new Issued(cert, keys);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ecKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair rsaKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
        return w.toString();
    }
}
