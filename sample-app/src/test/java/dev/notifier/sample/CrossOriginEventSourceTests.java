package dev.notifier.sample;

import java.util.List;
import java.util.Map;

import dev.notifier.core.GroupNotifier;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static dev.notifier.sample.EventSourceTests.OPEN_EVENT_SOURCE;
import static dev.notifier.sample.EventSourceTests.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Headless Chromium's own {@code EventSource} on a page of another origin that {@code notifier.allowed-origin-patterns}
 * allows: the page is served from {@code 127.0.0.1}, the streams from {@code localhost}, the same server under two
 * origins. A browser reads a cross-origin stream only if the response lets that origin read it (CORS), with or
 * without the user's cookies; an HTTP client reads it either way, so only a browser can tell.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "notifier.allowed-origin-patterns=http://127.0.0.1:*" })
class CrossOriginEventSourceTests extends BrowserTestSupport {

	@Autowired
	private GroupNotifier notifier;

	@Test
	void aPageOfAnAllowedOriginReadsTheStreamWithItsCredentials() {
		assertReadsBroadcasts("demo/credentialed", Map.of("withCredentials", true));
	}

	@Test
	void aPageOfAnAllowedOriginReadsTheStreamWithoutCredentials() {
		assertReadsBroadcasts("demo/anonymous", Map.of());
	}

	private void assertReadsBroadcasts(String group, Map<String, Object> init) {
		browser.open("http://127.0.0.1:" + this.port + "/");

		browser.script(OPEN_EVENT_SOURCE, "stream", "http://localhost:" + this.port + "/sse/" + group, init);
		await().atMost(PATIENCE).until(() -> ((Number) stream("stream").get("opens")).intValue() == 1);
		assertThat(this.notifier.broadcast(group, "across origins")).isEqualTo(1);

		await().atMost(PATIENCE).until(() -> !stream("stream", "data").isEmpty());
		assertThat(stream("stream", "data")).containsExactly("across origins");
		assertThat(stream("stream")).containsEntry("errors", List.of());
	}

}
