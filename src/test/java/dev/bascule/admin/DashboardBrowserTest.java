package dev.bascule.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bascule.Bascule;
import dev.bascule.balance.Balancers;
import dev.bascule.config.ConfigLoader;
import dev.bascule.testing.DemoConfig;
import dev.bascule.testing.LoadLoop;
import dev.bascule.testing.RawHttp;
import dev.bascule.testing.TestOrigin;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The dashboard in a real browser: headless Chromium (Debian's {@code chromium} and {@code chromium-driver}
 * packages, which {@code .ci/run} installs) opens the page of a Bascule running the demo's config (two upstreams of
 * two origins each, with health checks, and the split route {@code app}, on ephemeral ports), sees every server, sees the request counter climb
 * under load, drains a server with the page's button and sees its state change (and the admin API agrees), sets a
 * weight through the dialog, and the browser console stays free of errors; a refused command shows the API's
 * message; it has no Fleet card, this instance being in no fleet. Screenshots go to {@code target/dashboard.png}
 * (a laptop's window) and {@code target/dashboard-phone.png}. With an admin token, the page asks for it (again when it is wrong), and keeps
 * it for the tab.
 *
 * <p>Skipped when Chromium or its driver is not installed. The driver's path is set explicitly, so Selenium
 * Manager never looks for (or downloads) one; the browser talks to 127.0.0.1 only.
 */
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(15);

    private TestOrigin blue1;
    private TestOrigin blue2;
    private TestOrigin green1;
    private TestOrigin green2;
    private Bascule bascule;
    private ChromeDriver browser;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver packages");
        blue1 = TestOrigin.start("blue-01");
        blue2 = TestOrigin.start("blue-02");
        green1 = TestOrigin.start("green-01");
        green2 = TestOrigin.start("green-02");

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1440,1100", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-domain-reliability", "--lang=en-US",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
    }

    /**
     * The demo's config (examples/labs.yaml as shipped) on ephemeral ports; with {@code tokenFile}, the admin API
     * asks for its token.
     */
    private String startBascule(Path tokenFile) throws Exception {
        String yaml = DemoConfig.onAddresses("127.0.0.1:0", "127.0.0.2:0",
                List.of(blue1.address(), blue2.address(), green1.address(), green2.address()));
        if (tokenFile != null) {
            String admin = "  address: 127.0.0.2:0\n";
            yaml = yaml.replace(admin, admin + "  token_file: '" + tokenFile + "'\n");
        }
        bascule = Bascule.start(new ConfigLoader(Balancers.standard().names()).parse(yaml, "labs.yaml"), 2);
        return "http://127.0.0.2:" + bascule.adminAddress().getPort() + "/";
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (bascule != null) {
            bascule.close();
        }
        for (TestOrigin o : new TestOrigin[] {blue1, blue2, green1, green2}) {
            if (o != null) {
                o.close();
            }
        }
    }

    @Test
    void showsLiveTrafficAndDrainsAServerFromThePage() throws Exception {
        browser.get(startBascule(null));
        try {
            // Every server, each in its upstream, healthy.
            await().atMost(WAIT).until(() -> browser.findElements(By.cssSelector("tr.server")).size() == 4);
            for (TestOrigin o : List.of(blue1, blue2, green1, green2)) {
                String upstream = o.name().startsWith("blue") ? "web-blue" : "web-green";
                await().atMost(WAIT).until(() -> stateOnPage(upstream, o.address()).equals("healthy"));
            }
            assertThat(browser.findElement(By.id("config")).getText()).contains("labs.yaml", "config version 1");
            assertThat(browser.findElement(By.id("live")).getAttribute("data-state")).isEqualTo("live");
            // A single instance answers GET /cluster with 404: no Fleet card (FleetDashboardBrowserTest shows one).
            assertThat(browser.findElement(By.id("fleet-card")).isDisplayed()).as("fleet card").isFalse();

            // Under load the request counter climbs, second by second.
            try (LoadLoop load = new LoadLoop(bascule.listenerAddresses().get(0),
                    "GET / HTTP/1.1\r\nHost: blue.labs.test\r\n\r\n", 1, 50_000)) {
                await().atMost(WAIT).until(() -> number("kpi-total") > 0);
                long first = number("kpi-total");
                await().atMost(WAIT).until(() -> number("kpi-total") > first);
                await().atMost(WAIT).until(() -> !browser.findElement(By.id("kpi-rps")).getText().equals("0")
                        && !browser.findElement(By.id("kpi-rps")).getText().equals("–"));
                await().atMost(WAIT).until(() -> !cell("web-blue", blue1.address(), 5).equals("–"));
                assertThat(load.failures()).isEmpty();

                // Drain blue-02 with the page's button, confirm, and watch its state change.
                browser.findElement(By.cssSelector(row("web-blue", blue2.address()) + " button[data-action='drain']"))
                        .click();
                WebElement dialog = browser.findElement(By.id("confirm"));
                await().atMost(WAIT).until(dialog::isDisplayed);
                assertThat(browser.findElement(By.id("confirm-title")).getText())
                        .isEqualTo("Drain " + blue2.address() + "?");
                browser.findElement(By.id("confirm-ok")).click();
                await().atMost(WAIT).until(() -> stateOnPage("web-blue", blue2.address()).equals("draining"));
                assertThat(stateInApi("web-blue", blue2.address())).as("the admin API agrees").isEqualTo("draining");
                await().atMost(WAIT).until(() -> browser.findElement(By.id("toasts")).getText()
                        .contains(blue2.address() + " in web-blue is now draining"));
                await().atMost(WAIT).until(() -> browser.findElement(By.id("events")).getText()
                        .contains("drained through the admin API"));
                assertThat(browser.findElement(By.cssSelector(row("web-blue", blue2.address())
                        + " button[data-action='undrain']")).getText()).isEqualTo("Undrain");
                await().atMost(WAIT).until(() -> browser.findElements(By.cssSelector("#routes tbody tr")).size() >= 5);
                // A split route shows each upstream's weight beside it, and follows a change made through the API.
                await().atMost(WAIT).until(() -> splitOnPage("web-green").equals("10%"));
                assertThat(splitOnPage("web-blue")).isEqualTo("90%");
                try (RawHttp raw = new RawHttp(bascule.adminAddress())) {
                    String body = "{\"web-blue\": 70, \"web-green\": 30}";
                    assertThat(raw.exchange("PUT /routes/app/split HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"
                            + body).status()).isEqualTo(200);
                }
                await().atMost(WAIT).until(() -> splitOnPage("web-green").equals("30%"));

                // A rollout shows its step, and the page's buttons pause and abort it.
                try (RawHttp raw = new RawHttp(bascule.adminAddress())) {
                    String body = "{\"to\": \"web-green\", \"steps\": [30, 100], \"step_interval\": \"1h\"}";
                    assertThat(raw.exchange("POST /routes/app/rollout HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"
                            + body).status()).isEqualTo(202);
                }
                await().atMost(WAIT).until(() -> browser.findElement(By.id("rollouts")).getText()
                        .contains("step 1 of 2: web-green 30%"));
                screenshot("dashboard.png");
                rolloutButton("pause");
                await().atMost(WAIT).until(() -> browser.findElement(By.id("toasts")).getText()
                        .contains("Rollout of app to web-green is now paused"));
                await().atMost(WAIT).until(() -> !browser.findElements(
                        By.cssSelector("#rollouts tr[data-phase='paused']")).isEmpty());
                rolloutButton("abort");
                await().atMost(WAIT).until(() -> !browser.findElements(
                        By.cssSelector("#rollouts tr[data-phase='aborted']")).isEmpty());
                assertThat(browser.findElements(By.cssSelector("#rollouts button"))).as("nothing left to do")
                        .isEmpty();
            }

            // Set a weight: the dialog asks for the number.
            browser.findElement(By.cssSelector(row("web-green", green2.address()) + " button[data-action='weight']"))
                    .click();
            WebElement weight = browser.findElement(By.id("field-weight"));
            await().atMost(WAIT).until(weight::isDisplayed);
            assertThat(weight.getAttribute("value")).isEqualTo("1");
            weight.clear();
            weight.sendKeys("3");
            browser.findElement(By.id("confirm-ok")).click();
            await().atMost(WAIT).until(() -> cell("web-green", green2.address(), 2).equals("3"));
            assertThat(browser.findElement(By.id("toasts")).getText())
                    .contains(green2.address() + " in web-green now has weight 3");

            browser.manage().window().setSize(new Dimension(390, 844)); // a phone
            await().atMost(WAIT).until(() -> browser.findElement(By.id("kpi-rps")).isDisplayed());
            screenshot("dashboard-phone.png");

            List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
                    .toList();
            assertThat(errors).as("browser console").isEmpty();
            // The console is really read: an error logged now shows up.
            browser.executeScript("console.error('dashboard test probe')");
            assertThat(browser.manage().logs().get(LogType.BROWSER).getAll())
                    .anyMatch(e -> e.getLevel() == Level.SEVERE && e.getMessage().contains("dashboard test probe"));

            // A refused command shows the API's own message (this Bascule has no config file to reload).
            browser.findElement(By.id("reload-btn")).click();
            await().atMost(WAIT).until(() -> browser.findElement(By.id("confirm")).isDisplayed());
            browser.findElement(By.id("confirm-ok")).click();
            await().atMost(WAIT).until(() -> browser.findElement(By.id("toasts")).getText()
                    .contains("503: reload is not available: this instance has no config file"));
        } catch (Throwable t) {
            screenshot("dashboard-failure.png");
            throw t;
        }
    }

    /** Clicks a rollout's button and confirms; the row is redrawn when the rollout changes, so it is found anew. */
    private void rolloutButton(String action) {
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            browser.findElement(By.cssSelector("#rollouts tr[data-route='app'] button[data-action='" + action + "']"))
                    .click();
            return true;
        });
        await().atMost(WAIT).until(() -> browser.findElement(By.id("confirm")).isDisplayed());
        browser.findElement(By.id("confirm-ok")).click();
    }

    @Test
    void asksForTheTokenOnceAndKeepsItForTheTab() throws Exception {
        String token = "dashboard-Token_0123456789";
        Path file = dir.resolve("admin.token");
        Files.writeString(file, token + "\n");
        browser.get(startBascule(file));
        try {
            WebElement dialog = browser.findElement(By.id("token"));
            await().atMost(WAIT).until(dialog::isDisplayed);
            browser.findElement(By.id("token-input")).sendKeys("not-the-token");
            browser.findElement(By.id("token-ok")).click();
            await().atMost(WAIT).until(() -> browser.findElement(By.id("token-error")).getText()
                    .equals("That token was refused: wrong bearer token"));
            assertThat(dialog.isDisplayed()).isTrue();
            browser.findElement(By.id("token-input")).sendKeys(token);
            browser.findElement(By.id("token-ok")).click();
            await().atMost(WAIT).until(() -> browser.findElements(By.cssSelector("tr.server")).size() == 4);
            assertThat(dialog.isDisplayed()).isFalse();
            assertThat(browser.executeScript("return sessionStorage.getItem('bascule.admin.token')")).isEqualTo(token);

            browser.navigate().refresh(); // the same tab: the token is still there, nothing is asked
            await().atMost(WAIT).until(() -> browser.findElements(By.cssSelector("tr.server")).size() == 4);
            assertThat(browser.findElement(By.id("token")).isDisplayed()).isFalse();
            assertThat(browser.findElement(By.id("live")).getAttribute("data-state")).isEqualTo("live");
        } catch (Throwable t) {
            screenshot("dashboard-token-failure.png");
            throw t;
        }
    }

    private static String row(String upstream, String address) {
        return "tr.server[data-upstream='" + upstream + "'][data-server='" + address + "']";
    }

    private String stateOnPage(String upstream, String address) {
        List<WebElement> badge = browser.findElements(By.cssSelector(row(upstream, address) + " td.state .badge"));
        return badge.isEmpty() ? "" : badge.get(0).getText();
    }

    /** The weight the routes table shows beside {@code upstream} in the split route {@code app}; "" when none. */
    private String splitOnPage(String upstream) {
        List<WebElement> text = browser.findElements(By.cssSelector("#routes tr[data-route='app'][data-upstream='"
                + upstream + "'] .split:not([hidden]) .split-text"));
        return text.isEmpty() ? "" : text.get(0).getText();
    }

    /** The text of a server row's cell, by column (0: the address). */
    private String cell(String upstream, String address, int column) {
        return browser.findElements(By.cssSelector(row(upstream, address) + " td")).get(column).getText();
    }

    /** A KPI tile's number, digits only ("1,234" is 1234). */
    private long number(String id) {
        String digits = browser.findElement(By.id(id)).getText().replaceAll("[^0-9]", "");
        return digits.isEmpty() ? -1 : Long.parseLong(digits);
    }

    private String stateInApi(String upstream, String address) throws Exception {
        try (RawHttp raw = new RawHttp(bascule.adminAddress())) {
            RawHttp.Response r = raw.exchange("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            for (JsonNode s : JSON.readTree(r.body()).path("upstreams").path(upstream).path("servers")) {
                if (s.path("address").asText().equals(address)) {
                    return s.path("state").asText();
                }
            }
        }
        return "";
    }

    /** The whole page: the window is made as tall as the page first, as a screenshot only covers the window. */
    private void screenshot(String name) throws Exception {
        if (browser == null) {
            return;
        }
        Dimension window = browser.manage().window().getSize();
        Object height = browser.executeScript("return document.documentElement.scrollHeight");
        int pageHeight = height instanceof Number n ? n.intValue() : window.getHeight();
        if (pageHeight > window.getHeight()) {
            browser.manage().window().setSize(new Dimension(window.getWidth(), Math.min(pageHeight + 120, 4000)));
        }
        Path out = Path.of("target", name);
        Files.createDirectories(out.getParent());
        Files.write(out, browser.getScreenshotAs(OutputType.BYTES));
    }
}
