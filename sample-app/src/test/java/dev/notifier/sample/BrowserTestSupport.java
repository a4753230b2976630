package dev.notifier.sample;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Test classes that drive one headless Chromium for all their tests: started before the first (or the class skipped
 * where Chromium is missing, see {@link Browser#assumeAvailable()}), its tabs closed after each test so that no page
 * of one test stays connected into the next, and quit after the last. The classes run one after the other, each
 * with a browser of its own in {@link #browser}, on the sample app at {@link #port}.
 */
abstract class BrowserTestSupport {

	/** How long a page may take to show what a test waits for, on a loaded machine. */
	static final Duration PATIENCE = Duration.ofSeconds(15);

	static Browser browser;

	@LocalServerPort
	int port;

	@BeforeAll
	static void startBrowser() {
		Browser.assumeAvailable();
		browser = Browser.start();
	}

	@AfterEach
	void closeTabs() {
		browser.reset();
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.close();
			browser = null;
		}
	}

}
