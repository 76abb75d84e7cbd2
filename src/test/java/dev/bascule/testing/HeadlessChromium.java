package dev.bascule.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * Headless Chromium driven through Selenium, from Debian's {@code chromium} and {@code chromium-driver} packages
 * ({@code .ci/run} installs them): the driver's path is set explicitly, so Selenium Manager never looks for (or
 * downloads) one. The browser keeps its console for {@link #consoleWarnings}.
 *
 * <p>One test thread.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    public static final Duration WAIT = Duration.ofSeconds(15);

    private final ChromeDriver browser;

    private HeadlessChromium(ChromeDriver browser) {
        this.browser = browser;
    }

    /** Skips the test, with a message, where Chromium or its driver is not installed. */
    public static void assumeInstalled() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver packages");
    }

    /** A browser with a laptop's window, its profile in {@code profile}. */
    public static HeadlessChromium start(Path profile) throws IOException {
        assumeInstalled();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1440,1100", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-domain-reliability", "--lang=en-US",
                "--user-data-dir=" + Files.createDirectories(profile));
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        ChromeDriver browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
        return new HeadlessChromium(browser);
    }

    public ChromeDriver driver() {
        return browser;
    }

    /** The console's warnings and errors since the last call (a failed request is one). */
    public List<LogEntry> consoleWarnings() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
                .toList();
    }

    /** The whole page to {@code target/NAME}: the window is made as tall as the page first. */
    public void screenshot(String name) throws IOException {
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

    @Override
    public void close() {
        browser.quit();
    }
}
