package dev.bascule.fleet;

import dev.bascule.testing.FleetFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bascule.testing.AdminClient;
import dev.bascule.testing.EtcdProcess;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestOrigin;
import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import io.etcd.jetcd.options.OptionsUtil;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet on an etcd with authentication enabled, as an operator sets it up: {@code root} with the root role, and a
 * user {@code bascule} whose role may read and write {@code /bascule/} only. With that user's password, push, the
 * shared config and a change made through the admin API all work; with a wrong one, an instance reports itself
 * disconnected and push exits 2 saying authentication failed.
 */
@ExtendWith(LeakGuard.class)
class EtcdAuthTest {
    private static final String PASSWORD = "s3cret-bascule";

    @TempDir
    Path dir;

    private EtcdProcess etcd;
    private TestOrigin blue;
    private final List<AutoCloseable> closeFirst = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        etcd = EtcdProcess.start();
        blue = TestOrigin.start("blue");
        try (Client c = Client.builder().endpoints(etcd.endpoint()).build()) {
            Auth auth = c.getAuthClient();
            auth.roleAdd(bytes("root")).get(5, TimeUnit.SECONDS);
            auth.userAdd(bytes("root"), bytes("root-pw")).get(5, TimeUnit.SECONDS);
            auth.userGrantRole(bytes("root"), bytes("root")).get(5, TimeUnit.SECONDS);
            auth.roleAdd(bytes("bascule-rw")).get(5, TimeUnit.SECONDS);
            auth.roleGrantPermission(bytes("bascule-rw"), bytes("/bascule/"),
                    OptionsUtil.prefixEndOf(bytes("/bascule/")), Permission.Type.READWRITE).get(5, TimeUnit.SECONDS);
            auth.userAdd(bytes("bascule"), bytes(PASSWORD)).get(5, TimeUnit.SECONDS);
            auth.userGrantRole(bytes("bascule"), bytes("bascule-rw")).get(5, TimeUnit.SECONDS);
            auth.authEnable().get(5, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeFirst) {
            c.close();
        }
        blue.close();
        etcd.close();
    }

    private static ByteSequence bytes(String s) {
        return FleetKeys.bytes(s);
    }

    private String cluster(String password) {
        return "cluster:\n  name: labs\n  etcd: { endpoints: [ \"" + etcd.endpoint() + "\" ], dial_timeout: 1s,\n"
                + "    user: bascule, password: \"" + password + "\" }\n";
    }

    private ProxyUnderTest instance(String node, String password) throws Exception {
        ProxyUnderTest p = FleetFiles.startInstance(dir, cluster(password), node);
        closeFirst.add(p);
        return p;
    }

    private Path shared(String password) throws Exception {
        return FleetFiles.sharedConfig(dir, "shared.yaml", cluster(password), blue.address());
    }

    private static int push(Path file, StringWriter err) {
        FleetFiles.Pushed pushed = FleetFiles.push("-c", file.toString());
        err.write(pushed.err());
        return pushed.exit();
    }

    private static AdminClient admin(ProxyUnderTest p) {
        return new AdminClient(p.bascule().adminAddress());
    }

    private static String origin(ProxyUnderTest p) throws Exception {
        HttpResponse<String> r = p.get("labs.test", "/");
        return r.statusCode() + " " + r.headers().firstValue("x-origin").orElse("-");
    }

    private static Set<String> servers(ProxyUnderTest p) throws Exception {
        Set<String> out = new HashSet<>();
        for (JsonNode s : admin(p).get("/status").json().get("upstreams").get("web").get("servers")) {
            out.add(s.get("address").asText());
        }
        return out;
    }

    @Test
    void withThePasswordPushTheSharedConfigAndAnAdminChangeWork() throws Exception {
        ProxyUnderTest a = instance("a", PASSWORD);
        ProxyUnderTest b = instance("b", PASSWORD);
        StringWriter err = new StringWriter();
        assertThat(push(shared(PASSWORD), err)).as(err.toString()).isZero();
        for (ProxyUnderTest p : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(origin(p)).isEqualTo("200 blue"));
            assertThat(admin(p).get("/cluster").json().get("connected").asBoolean()).isTrue();
        }
        // A server added through a: the change goes through etcd (as user bascule) and b takes it.
        TestOrigin added = TestOrigin.start("added");
        closeFirst.add(added);
        AdminClient.Answer answer = admin(a).send("POST", "/upstreams/web/servers",
                "{\"address\": \"" + added.address() + "\"}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(servers(b)).contains(added.address()));
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            for (JsonNode n : admin(b).get("/cluster").json().get("nodes")) {
                assertThat(n.get("state_revision").asLong()).as(n.toString()).isPositive();
            }
        });
    }

    @Test
    void withAWrongPasswordTheInstanceIsDisconnectedAndPushSaysAuthenticationFailed() throws Exception {
        ProxyUnderTest a = instance("a", "wrong");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(admin(a).get("/cluster").json().get("connected").asBoolean()).isFalse());
        assertThat(a.get("labs.test", "/").statusCode()).as("its own file: no routes").isEqualTo(404);

        StringWriter err = new StringWriter();
        long start = System.nanoTime();
        assertThat(push(shared("wrong"), err)).as(err.toString()).isEqualTo(2);
        assertThat(err.toString()).contains("did not take the config").contains("authentication failed");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("refused at once").isLessThan(5_000);
    }
}
