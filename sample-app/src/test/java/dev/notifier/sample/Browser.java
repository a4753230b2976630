package dev.notifier.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium from Debian, driven through Debian's chromedriver: no browser or driver is ever downloaded.
 *
 * <p>Where Chromium is missing the browser tests are skipped with how to install it, except on CI ({@code CI=true}),
 * where they fail: CI must run them.
 */
final class Browser implements AutoCloseable {

	static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	static final Path SCREENSHOTS = Path.of("target", "screenshots");

	private final ChromeDriver driver;

	private final Path profile;

	private Browser(ChromeDriver driver, Path profile) {
		this.driver = driver;
		this.profile = profile;
	}

	/** Skips the calling test where Chromium is missing, or fails it on CI. */
	static void assumeAvailable() {
		boolean available = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
		String install = "Chromium is missing: install it with 'apt-get install -y chromium chromium-driver' "
				+ "(.ci/run does this) to run the browser tests";
		if (!available && "true".equals(System.getenv("CI"))) {
			throw new AssertionError(install + "; on CI they must run");
		}
		Assumptions.assumeTrue(available, install);
	}

	static Browser start() {
		try {
			Path profile = Files.createTempDirectory("notifier-chromium-");
			ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
			options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
					"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
					"--window-size=1100,800", "--user-data-dir=" + profile);
			ChromeDriverService service = new ChromeDriverService.Builder()
				.usingDriverExecutable(CHROMEDRIVER.toFile())
				.usingAnyFreePort()
				.build();
			ChromeDriver driver = new ChromeDriver(service, options);
			driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
			return new Browser(driver, profile);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	ChromeDriver driver() {
		return this.driver;
	}

	/** Opens the URL in a new tab and returns the tab's handle; the first call uses the first tab. */
	String open(String url) {
		String current = this.driver.getCurrentUrl();
		if (current != null && !current.equals("about:blank") && !current.startsWith("data:")) {
			this.driver.switchTo().newWindow(WindowType.TAB);
		}
		this.driver.get(url);
		return this.driver.getWindowHandle();
	}

	/** Closes every tab but one and leaves it blank, so that no page of one test stays connected into the next. */
	void reset() {
		List<String> tabs = List.copyOf(this.driver.getWindowHandles());
		for (String tab : tabs.subList(1, tabs.size())) {
			this.driver.switchTo().window(tab).close();
		}
		this.driver.switchTo().window(tabs.get(0)).get("about:blank");
	}

	void switchTo(String tab) {
		this.driver.switchTo().window(tab);
	}

	/** Runs a script in the current tab and returns its result. */
	Object script(String script, Object... arguments) {
		return this.driver.executeScript(script, arguments);
	}

	/** The texts of the elements matching a CSS selector in the current tab. */
	@SuppressWarnings("unchecked")
	List<String> texts(String selector) {
		return (List<String>) script(
				"return [...document.querySelectorAll(arguments[0])].map((element) => element.textContent);", selector);
	}

	/** The state the sample page in the current tab shows ({@code #state}'s {@code data-state}), or "" before any. */
	String pageState() {
		return String.valueOf(script("return document.getElementById('state').dataset.state || ''"));
	}

	/** From now on, records every state the sample page in the current tab shows, for {@link #recordedStates()}. */
	void recordStates() {
		script("window.states = []; const element = document.getElementById('state');"
				+ "new MutationObserver(() => window.states.push(element.dataset.state))"
				+ ".observe(element, { attributes: true, childList: true });");
	}

	/** The states recorded since {@link #recordStates()}, in order; a state may repeat. */
	@SuppressWarnings("unchecked")
	List<String> recordedStates() {
		return (List<String>) script("return window.states");
	}

	/** The lines of the sample page's log ({@code #log}) in the current tab, without their times. */
	List<String> logLines() {
		return texts("#log > div > span:last-child");
	}

	/** Saves a screenshot of the current tab under {@code target/screenshots}. */
	Path screenshot(String name) {
		try {
			Files.createDirectories(SCREENSHOTS);
			Path file = SCREENSHOTS.resolve(name + ".png");
			Files.write(file, this.driver.getScreenshotAs(OutputType.BYTES));
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		this.driver.quit();
		try (var files = Files.walk(this.profile)) {
			files.sorted(java.util.Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
		}
		catch (IOException ex) {
			// A leftover temporary profile is harmless.
		}
	}

}
