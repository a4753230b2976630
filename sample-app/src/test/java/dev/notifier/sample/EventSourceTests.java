package dev.notifier.sample;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;

import dev.notifier.autoconfigure.HandshakeRefusals;
import dev.notifier.core.GroupNotifier;
import dev.notifier.core.NotifierEngine;
import dev.notifier.core.NotifierStatistics;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's groups read by headless Chromium's own {@code EventSource}, as a page that does not use
 * {@code /notifier.js} would: what the browser does by itself with a stream that is dropped, that stays quiet but for
 * heartbeats, or that is refused. The heartbeat timeout is shorter than the test of a quiet stream, so that a stream
 * wrongly closed for its client's silence would show.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "sample.tasks.lines=30", "sample.tasks.line-interval=100ms",
				"notifier.heartbeat.interval=200ms", "notifier.heartbeat.timeout=100ms" })
@Import(EventSourceTests.LastEventIdRecorder.class)
class EventSourceTests extends BrowserTestSupport {

	/** {@code EventSource.CLOSED}: the browser failed the stream for good and will not reconnect. */
	private static final long CLOSED = 2;

	/** {@code EventSource.CONNECTING}: the browser lost the stream and is about to reconnect. */
	private static final long CONNECTING = 0;

	/**
	 * Opens {@code new EventSource(url, init)} in the current tab ({@code init} optional) and records under
	 * {@code window.streams[name]} what it sees: opens, the data and id of each message, the ready state at each error,
	 * and the messages received when each open came. On the sample's {@code close} event it closes, as docs/sse.md
	 * tells pages to.
	 */
	static final String OPEN_EVENT_SOURCE = """
			const [name, url, init] = arguments;
			window.streams = window.streams || {};
			window.sources = window.sources || {};
			const record = { opens: 0, receivedAtOpens: [], data: [], ids: [], errors: [], closed: null };
			const source = new EventSource(url, init || {});
			window.streams[name] = record;
			window.sources[name] = source;
			source.onopen = () => {
			  record.opens++;
			  record.receivedAtOpens.push(record.data.length);
			};
			source.onmessage = (event) => {
			  record.data.push(event.data);
			  record.ids.push(event.lastEventId);
			};
			source.onerror = () => record.errors.push(source.readyState);
			source.addEventListener('close', (event) => {
			  record.closed = JSON.parse(event.data);
			  source.close();
			});""";

	@Autowired
	private NotifierEngine engine;

	@Autowired
	private GroupNotifier notifier;

	@Autowired
	private HandshakeRefusals refusals;

	@Autowired
	private LastEventIdRecorder lastEventIds;

	@Test
	void aStreamResetUnderAPlainEventSourceResumesFromItsLastEventIdWithEveryLineOnceInOrder() throws Exception {
		String id = SampleTasks.start(url(""), "dropped");
		NotifierStatistics statistics = this.engine.statistics();
		long resumesRecovered = statistics.resumesRecovered();
		long messagesRecovered = statistics.messagesRecovered();

		try (ResettingProxy proxy = new ResettingProxy(this.port)) {
			browser.open("http://127.0.0.1:" + proxy.port() + "/");
			browser.script(OPEN_EVENT_SOURCE, "task", "/sse/tasks/" + id);
			await().atMost(PATIENCE).until(() -> stream("task", "data").size() >= 3);

			assertThat(proxy.resetConnections()).isPositive();

			await().atMost(PATIENCE).until(() -> stream("task").get("closed") != null);
		}
		Map<String, Object> task = stream("task");
		assertThat(task.get("closed")).isEqualTo(Map.of("code", 1000L, "reason", "task finished"));
		assertThat(task.get("errors")).as("the browser reconnected after the reset").isEqualTo(List.of(CONNECTING));
		assertThat(task.get("opens")).isEqualTo(2L);
		List<String> data = stream("task", "data");
		assertThat(SampleApplicationTests.numbers(data)).isEqualTo(numbers(1, 32));
		assertThat(data.get(0)).contains("task 'dropped' started");
		assertThat(data.get(31)).contains("task finished");
		// The browser's own reconnect, not the query parameter of a client library, resumed the stream, from the last
		// event it had received.
		int receivedBeforeReconnect = ((Number) ((List<?>) task.get("receivedAtOpens")).get(1)).intValue();
		assertThat(this.lastEventIds.sentTo("/sse/tasks/" + id))
			.containsExactly(stream("task", "ids").get(receivedBeforeReconnect - 1));
		assertThat(statistics.resumesRecovered()).isEqualTo(resumesRecovered + 1);
		assertThat(statistics.messagesRecovered()).as("lines written while the stream was down")
			.isGreaterThan(messagesRecovered);
	}

	@Test
	void aQuietEventSourceStaysOpenAcrossHeartbeatsWithoutAMessageThenGetsTheNextBroadcast() {
		browser.open(url("/"));
		browser.script(OPEN_EVENT_SOURCE, "quiet", "/sse/demo/quiet");
		// The same group's stream read raw beside it, where the heartbeats show: EventSource hands comments to no one.
		browser.script("""
				window.raw = '';
				fetch('/sse/demo/quiet').then(async (response) => {
				  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
				  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
				    window.raw += chunk.value;
				  }
				});""");

		// Five heartbeats: three times as long as the silence (interval and timeout) that closes a quiet WebSocket.
		await().atMost(PATIENCE)
			.until(() -> String.valueOf(browser.script("return window.raw")).split(": ping\n", -1).length > 5);
		assertThat(stream("quiet")).containsEntry("opens", 1L)
			.containsEntry("errors", List.of())
			.containsEntry("data", List.of());
		assertThat(browser.script("return window.sources.quiet.readyState")).isEqualTo(1L);

		assertThat(this.notifier.broadcast("demo/quiet", "after the quiet")).isEqualTo(2);

		await().atMost(PATIENCE).until(() -> !stream("quiet", "data").isEmpty());
		assertThat(stream("quiet", "data")).containsExactly("after the quiet");
		assertThat(stream("quiet")).containsEntry("opens", 1L);
	}

	@Test
	void anEventSourceToAMalformedGroupIsRefusedWith400AndNotRetried() {
		browser.open(url("/"));

		assertRefusedForGood("/sse/not%20valid", HandshakeRefusals.Reason.INVALID_GROUP);
		assertThat(fetch("/sse/not%20valid")).containsEntry("status", 400L)
			.containsEntry("reason", "the group name has a character outside [A-Za-z0-9._~-] at position 3");
	}

	@Test
	void anEventSourceToAGroupTheVisitorMayNotJoinIsRefusedWith403AndNotRetried() {
		browser.open(url("/"));

		assertRefusedForGood("/sse/admin/audit", HandshakeRefusals.Reason.UNAUTHORIZED);
		assertThat(fetch("/sse/admin/audit"))
			.isEqualTo(Map.of("status", 403L, "reason", "not allowed to join the group admin/audit"));
	}

	@Test
	void anEventSourceOnAPageOfAnotherOriginIsRefusedAndNotRetried() {
		// Another origin than the server's own (localhost), although the same server.
		browser.open("http://127.0.0.1:" + this.port + "/");
		String stream = url("/sse/demo/elsewhere");

		assertRefusedForGood(stream, HandshakeRefusals.Reason.FORBIDDEN_ORIGIN);
		// Without CORS headers on the refusal, the page cannot even read its status; the server refused it again.
		assertThat(fetch(stream)).containsOnlyKeys("error");
		assertThat(this.notifier.sessionCount("demo/elsewhere")).isZero();
	}

	/**
	 * Opens an EventSource that the server refuses, and checks that the browser failed it for good at once: one
	 * error, in the CLOSED state, never open, and one refusal on the server.
	 */
	private void assertRefusedForGood(String url, HandshakeRefusals.Reason reason) {
		long refused = this.refusals.count(reason);

		browser.script(OPEN_EVENT_SOURCE, "refused", url);

		await().atMost(PATIENCE).until(() -> !stream("refused", "errors").isEmpty());
		assertThat(stream("refused")).containsEntry("errors", List.of(CLOSED)).containsEntry("opens", 0L);
		assertThat(browser.script("return window.sources.refused.readyState")).isEqualTo(CLOSED);
		assertThat(this.refusals.count(reason)).isEqualTo(refused + 1);
	}

	/** What the page's {@code fetch} of the URL reads: its status and text, or the error when it may read neither. */
	@SuppressWarnings("unchecked")
	private Map<String, Object> fetch(String url) {
		return (Map<String, Object>) browser.driver()
			.executeAsyncScript("""
					const done = arguments[arguments.length - 1];
					fetch(arguments[0]).then(
					  async (response) => done({ status: response.status, reason: await response.text() }),
					  (error) => done({ error: String(error) }));""", url);
	}

	/** What {@link #OPEN_EVENT_SOURCE} recorded in the current tab of the stream of this name. */
	@SuppressWarnings("unchecked")
	static Map<String, Object> stream(String name) {
		return (Map<String, Object>) browser.script("return window.streams[arguments[0]]", name);
	}

	/** One list that {@link #OPEN_EVENT_SOURCE} recorded of the stream of this name, such as its data. */
	@SuppressWarnings("unchecked")
	static List<String> stream(String name, String field) {
		return (List<String>) stream(name).get(field);
	}

	private static List<Integer> numbers(int first, int last) {
		return IntStream.rangeClosed(first, last).boxed().toList();
	}

	private String url(String path) {
		return "http://localhost:" + this.port + path;
	}

	/** Records the {@code Last-Event-ID} header of every event-stream request that has one. */
	@TestConfiguration(proxyBeanMethods = false)
	static class LastEventIdRecorder {

		private final Queue<String[]> received = new ConcurrentLinkedQueue<>();

		/** The {@code Last-Event-ID} headers the requests for this path sent, in order. */
		List<String> sentTo(String path) {
			return this.received.stream().filter((request) -> request[0].equals(path)).map((request) -> request[1])
				.toList();
		}

		@Bean
		FilterRegistrationBean<Filter> recordLastEventIds() {
			FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
				HttpServletRequest http = (HttpServletRequest) request;
				String lastEventId = http.getHeader("Last-Event-ID");
				if (lastEventId != null) {
					this.received.add(new String[] { http.getRequestURI(), lastEventId });
				}
				chain.doFilter(request, response);
			});
			registration.addUrlPatterns("/sse/*");
			return registration;
		}

	}

}
