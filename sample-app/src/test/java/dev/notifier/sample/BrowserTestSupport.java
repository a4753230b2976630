package dev.notifier.sample;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Test classes that drive one headless Chromium for all their tests: started before the first (or the class skipped
 * where Chromium is missing, see {@link Browser#assumeAvailable()}), its tabs closed after each test so that no page
 * of one test stays connected into the next, and quit after the last. The classes run one after the other, each
 * with a browser of its own in {@link #browser}.
 */
abstract class BrowserTestSupport {

	static Browser browser;

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
