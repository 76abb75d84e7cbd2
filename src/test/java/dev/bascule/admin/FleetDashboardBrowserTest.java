package dev.bascule.admin;

import dev.bascule.testing.FleetFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bascule.testing.AdminClient;
import dev.bascule.testing.EtcdProcess;
import dev.bascule.testing.HeadlessChromium;
import dev.bascule.testing.LeakGuard;
import dev.bascule.testing.ProxyUnderTest;
import dev.bascule.testing.TestOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The dashboard of an instance in a fleet: a real etcd, two instances ({@code edge-1}, {@code edge-2}) that share
 * a pushed config, and headless Chromium on {@code edge-1}'s page. The Fleet card shows this instance connected
 * at the fleet's config revision, both instances live with their admin addresses and revisions, whether this
 * instance drives rollouts (as {@code GET /cluster} says, and exactly one of the two does), and the etcd endpoint
 * healthy; the console stays free of errors. {@code GET /status} names the fleet, which tells the page to ask. Screenshot: {@code target/dashboard-fleet.png}. That a single
 * instance's page has no Fleet card is checked in {@link DashboardBrowserTest}.
 *
 * <p>Skipped where etcd, Chromium or its driver is not installed.
 */
@ExtendWith(LeakGuard.class)
class FleetDashboardBrowserTest {
    @TempDir
    Path dir;

    private EtcdProcess etcd;
    private TestOrigin origin;
    private final List<ProxyUnderTest> instances = new ArrayList<>();
    private HeadlessChromium chromium;

    @BeforeEach
    void start() throws Exception {
        HeadlessChromium.assumeInstalled();
        etcd = EtcdProcess.start();
        origin = TestOrigin.start("blue-01");
    }

    @AfterEach
    void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        instances.forEach(ProxyUnderTest::close);
        if (origin != null) {
            origin.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    private String cluster() {
        return FleetFiles.cluster(etcd.endpoint());
    }

    private ProxyUnderTest instance(String node) throws Exception {
        ProxyUnderTest p = FleetFiles.startInstance(dir, cluster(), node);
        instances.add(p);
        return p;
    }

    private static JsonNode cluster(ProxyUnderTest p) throws Exception {
        AdminClient.Answer a = new AdminClient(p.bascule().adminAddress()).get("/cluster");
        assertThat(a.status()).isEqualTo(200);
        return a.json();
    }

    @Test
    void theFleetCardShowsEveryInstanceAndTheEtcdEndpoint() throws Exception {
        ProxyUnderTest edge1 = instance("edge-1");
        ProxyUnderTest edge2 = instance("edge-2");
        Path shared = dir.resolve("fleet.yaml");
        Files.writeString(shared, cluster()
                + "access_log: { to: off }\n"
                + "upstreams:\n  web-blue: { servers: [ { address: " + origin.address() + " } ] }\n"
                + "routes:\n  - { match: { path_prefix: / }, upstream: web-blue }\n");
        FleetFiles.Pushed pushed = FleetFiles.push("-c", shared.toString());
        assertThat(pushed.exit()).as(pushed.err()).isZero();
        // Both run the pushed revision, both see each other live, and one of them drives rollouts.
        long[] revision = new long[1];
        await().atMost(HeadlessChromium.WAIT).untilAsserted(() -> {
            JsonNode a = cluster(edge1);
            JsonNode b = cluster(edge2);
            revision[0] = a.get("config").get("revision").asLong();
            assertThat(revision[0]).isPositive();
            assertThat(b.get("config").get("revision").asLong()).isEqualTo(revision[0]);
            assertThat(a.get("nodes")).hasSize(2).allSatisfy(n -> assertThat(n.get("live").asBoolean()).isTrue());
            assertThat(a.get("drives_rollouts").asBoolean() ^ b.get("drives_rollouts").asBoolean())
                    .as("exactly one instance drives rollouts").isTrue();
        });
        boolean drives = cluster(edge1).get("drives_rollouts").asBoolean();
        assertThat(new AdminClient(edge1.bascule().adminAddress()).get("/status").json().get("cluster").asText())
                .as("/status names the fleet, so the page knows to ask /cluster").isEqualTo("labs");

        chromium = HeadlessChromium.start(dir.resolve("chromium-profile"));
        ChromeDriver browser = chromium.driver();
        browser.get("http://127.0.0.2:" + edge1.bascule().adminAddress().getPort() + "/");
        try {
            await().atMost(HeadlessChromium.WAIT).until(() -> browser.findElement(By.id("fleet-card")).isDisplayed());
            assertThat(text("fleet-name")).isEqualTo("labs");
            assertThat(text("fleet-node")).isEqualTo("edge-1");
            assertThat(text("fleet-connected")).isEqualTo("connected");
            assertThat(text("fleet-config")).isEqualTo(Long.toString(revision[0]));
            assertThat(text("fleet-driver")).isEqualTo(drives ? "driven here" : "not driven here");
            assertThat(browser.findElement(By.id("fleet-config-error")).isDisplayed()).isFalse();

            for (ProxyUnderTest p : List.of(edge1, edge2)) {
                String node = p == edge1 ? "edge-1" : "edge-2";
                String row = "#fleet-nodes tr[data-node='" + node + "']";
                await().atMost(HeadlessChromium.WAIT).until(() -> !browser.findElements(By.cssSelector(row))
                        .isEmpty());
                List<String> cells = cells(row);
                assertThat(cells.get(0)).startsWith(node);
                assertThat(cells.get(1)).isEqualTo("127.0.0.2:" + p.bascule().adminAddress().getPort());
                assertThat(cells.get(2)).isEqualTo("live");
                assertThat(cells.get(3)).matches("\\d+\\.\\d s");
                assertThat(Double.parseDouble(cells.get(3).replace(" s", ""))).isLessThan(3.5);
                assertThat(cells.get(4)).isEqualTo(Long.toString(revision[0]));
                assertThat(cells.get(6)).isEmpty();
            }
            assertThat(cells("#fleet-nodes tr[data-node='edge-1']").get(0)).contains("this instance");
            assertThat(cells("#fleet-nodes tr[data-node='edge-2']").get(0)).doesNotContain("this instance");

            String endpoint = "#fleet-etcd tr[data-endpoint='" + etcd.endpoint() + "']";
            await().atMost(HeadlessChromium.WAIT).until(() -> !browser.findElements(By.cssSelector(endpoint))
                    .isEmpty());
            List<String> etcdCells = cells(endpoint);
            assertThat(etcdCells.get(1)).isEqualTo("healthy");
            assertThat(etcdCells.get(2)).matches("3\\.\\d+\\.\\d+");
            assertThat(etcdCells.get(3)).isEqualTo("leader");
            assertThat(browser.findElements(By.cssSelector("#fleet-etcd tbody tr"))).hasSize(1);

            // The rest of the page works as on a single instance: the pushed upstream's server is there.
            await().atMost(HeadlessChromium.WAIT).until(() -> !browser.findElements(By.cssSelector(
                    "tr.server[data-upstream='web-blue'][data-server='" + origin.address() + "']")).isEmpty());
            chromium.screenshot("dashboard-fleet.png");
            assertThat(chromium.consoleWarnings()).as("browser console").isEmpty();
        } catch (Throwable t) {
            chromium.screenshot("dashboard-fleet-failure.png");
            throw t;
        }
    }

    private String text(String id) {
        return chromium.driver().findElement(By.id(id)).getText();
    }

    private List<String> cells(String row) {
        return chromium.driver().findElements(By.cssSelector(row + " td")).stream().map(WebElement::getText).toList();
    }
}
