package dev.bascule.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bascule.config.CertificateConfig;
import dev.bascule.testing.TestCerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import dev.bascule.testing.LeakGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Reading certificate and key files the way openssl and certbot write them, and naming the file on errors. */
@ExtendWith(LeakGuard.class)
class PemFilesTest {
    @TempDir
    Path dir;
    private final TestCerts.Ca ca = TestCerts.newCa("CA");

    @Test
    void readsChainAndEveryKeyForm() throws Exception {
        TestCerts.Issued ec = ca.issue("ec.test", List.of("ec.test"), List.of());
        TestCerts.Issued rsa = ca.issueRsa("rsa.test", List.of("rsa.test"));
        CertificateConfig ecFiles = ec.write(dir, "ec");
        Path chain = dir.resolve("chain.pem");
        Files.writeString(chain, Files.readString(ecFiles.cert()) + Files.readString(ca.writeCert(dir.resolve("ca.pem"))));

        assertThat(PemFiles.certificates(chain)).hasSize(2);
        assertThat(PemFiles.privateKey(ecFiles.key())).isEqualTo(ec.keys().getPrivate());
        Path sec1 = ec.writeTraditionalKey(dir.resolve("ec-sec1.key"));
        assertThat(Files.readString(sec1)).contains("BEGIN EC PRIVATE KEY");
        PemFiles.checkPair(sec1, PemFiles.privateKey(sec1), ec.cert());
        Path pkcs1 = rsa.writeTraditionalKey(dir.resolve("rsa-pkcs1.key"));
        assertThat(Files.readString(pkcs1)).contains("BEGIN RSA PRIVATE KEY");
        PemFiles.checkPair(pkcs1, PemFiles.privateKey(pkcs1), rsa.cert());
    }

    @Test
    void errorsNameTheFile() throws Exception {
        Path missing = dir.resolve("missing.pem");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "hello");
        Path badBase64 = Files.writeString(dir.resolve("bad.pem"),
                "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
        Path encrypted = Files.writeString(dir.resolve("enc.key"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");

        assertThatThrownBy(() -> PemFiles.certificates(missing)).hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> PemFiles.certificates(garbage)).hasMessageContaining(garbage.toString());
        assertThatThrownBy(() -> PemFiles.certificates(badBase64)).hasMessageContaining(badBase64.toString());
        assertThatThrownBy(() -> PemFiles.privateKey(encrypted)).hasMessageContaining(encrypted.toString())
                .hasMessageContaining("encrypted");
        assertThatThrownBy(() -> PemFiles.privateKey(ca.writeCert(dir.resolve("c.pem"))))
                .hasMessageContaining("no PEM private key");
    }

    @Test
    void namesComeFromSansElseCn() throws Exception {
        assertThat(TlsContexts.names(ca.issue("cn.test", List.of("A.test", "*.b.test"), List.of("10.0.0.1")).cert()))
                .containsExactly("a.test", "*.b.test");
        assertThat(TlsContexts.names(ca.issue("only-cn.test", List.of(), List.of()).cert()))
                .containsExactly("only-cn.test");
    }
}
