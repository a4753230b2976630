package dev.notifier.autoconfigure.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.GroupAuthorizer;
import dev.notifier.core.NotifierEngine;
import dev.notifier.core.NotifierSession;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The groups as Server-Sent Events streams, read by a real HTTP client line by line as a browser's {@code EventSource}
 * would: the same broadcasts as WebSocket sessions, history positions as event ids, resume with {@code Last-Event-ID},
 * heartbeats as comments, and the handshake's refusals; on Tomcat and on Jetty.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "notifier.history.groups=logs/*", "notifier.heartbeat.interval=300ms",
				"notifier.heartbeat.timeout=100ms", "notifier.allowed-origin-patterns=" + EventStreamTests.ALLOWED_ORIGIN })
@Import(EventStreamTests.PrivateGroupsRefused.class)
class EventStreamTests extends ContainerTestSupport {

	static final String ALLOWED_ORIGIN = "https://app.example";

	private final HttpClient http = HttpClient.newHttpClient();

	@Autowired
	private NotifierEngine engine;

	@Autowired
	private MeterRegistry meters;

	@Test
	void aStreamReceivesTheGroupsBroadcastsAsEventsBesideWebSocketSessions() throws Exception {
		EventStreamClient stream = stream("news", Map.of());
		TestClient socket = join("news");
		awaitSessions("news", 2);

		assertThat(this.notifier.broadcast("news", "first line\nsecond line")).isEqualTo(2);
		this.notifier.broadcast("news", "x");

		stream.awaitLines("data: x");
		assertThat(stream.events()).containsSubsequence("event: status", "data: {\"recovered\":false}", "",
				"data: first line", "data: second line", "", "data: x", "");
		socket.awaitText("x");
		assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("text/event-stream"));
		assertThat(stream.headers().firstValue("Cache-Control")).hasValue("no-cache, no-transform");
		assertThat(stream.headers().firstValue("X-Accel-Buffering")).hasValue("no");
		assertThat(this.notifier.sessions("news")).extracting(NotifierSession::transport)
			.containsExactlyInAnyOrder("sse", "websocket");
	}

	@Test
	void aRecordedBroadcastCarriesItsPositionAsTheEventIdAndLastEventIdResumesAfterIt() throws Exception {
		this.notifier.broadcast("logs/1", "line 1");
		String epoch = this.engine.history("logs/1").orElseThrow().epoch();
		EventStreamClient first = stream("logs/1", Map.of());
		this.notifier.broadcast("logs/1", "line 2");
		first.awaitLines("data: line 2");
		assertThat(first.events()).contains("id: " + epoch + ":2");
		first.close();
		awaitSessions("logs/1", 0);
		this.notifier.broadcast("logs/1", "line 3");

		EventStreamClient again = stream("logs/1", Map.of("Last-Event-ID", epoch + ":2"));

		again.awaitLines("data: line 3");
		assertThat(again.events()).containsSubsequence("event: status",
				"data: {\"epoch\":\"" + epoch + "\",\"offset\":2,\"recovered\":true}", "", "id: " + epoch + ":3",
				"data: line 3", "");
		assertThat(again.events()).doesNotContain("data: line 2");
	}

	@Test
	void aPositionThatCannotBeRecoveredGetsTheStatusEventSayingSo() throws Exception {
		this.notifier.broadcast("logs/2", "line 1");

		EventStreamClient stream = stream("logs/2?lastEventId=elsewhere:7", Map.of());

		stream.awaitLines("data: {\"epoch\":\"" + this.engine.history("logs/2").orElseThrow().epoch()
				+ "\",\"offset\":1,\"recovered\":false}");
	}

	@Test
	void anIdleStreamGetsHeartbeatCommentsAndIsNotClosedForSilence() throws Exception {
		EventStreamClient stream = stream("quiet", Map.of());
		NotifierSession session = this.notifier.sessions("quiet").get(0);

		// Three intervals are more than an interval and the timeout (400 ms), after which a WebSocket client that sent
		// nothing back would have been closed: a stream must not be, since its client never sends anything.
		Waits.await("three heartbeats").until(() -> stream.events().stream().filter(": ping"::equals).count() >= 3);

		assertThat(session.isOpen()).isTrue();
		assertThat(stream.events()).doesNotContain("event: close");
		assertThat(this.notifier.sessions("quiet")).containsExactly(session);
	}

	@Test
	void closingTheGroupEndsTheStreamWithACloseEvent() throws Exception {
		EventStreamClient stream = stream("done", Map.of());

		this.notifier.close("done", CloseStatus.NORMAL.withReason("task finished"));

		stream.awaitEnd();
		assertThat(stream.events()).containsSubsequence("event: close",
				"data: {\"code\":1000,\"reason\":\"task finished\"}");
	}

	@Test
	void aClientThatGoesAwayIsRemovedAtTheNextWrite() throws Exception {
		EventStreamClient stream = stream("away", Map.of());
		stream.close();

		Waits.await("the next heartbeat fails and the session is removed")
			.until(() -> this.notifier.sessionCount("away") == 0);
	}

	@Test
	void aStreamWhoseClientStopsReadingIsClosedAsASlowConsumerWithoutACloseEventWhileOthersGoOn() throws Exception {
		double slowConsumers = Meters.counter(this.meters, "notifier.connections.closed", "reason", "slow_consumer");
		RawSilentClient silent = streamSilently("busy");
		NotifierSession silentSession = this.notifier.sessions("busy").get(0);
		EventStreamClient reader = stream("busy", Map.of());
		String line = "x".repeat(1000);

		// Bursts until the socket buffers on both sides are full, then the session's queue (1024 messages). Each
		// waits for the reader to have it all, so that only the silent stream falls behind: unpaced, the bursts
		// outran the reader too, which was then rightly closed as a slow consumer as well.
		for (int burst = 1; silentSession.isOpen(); burst++) {
			assertThat(burst).as("bursts of 100 KB before the silent stream overflows").isLessThan(1_000);
			for (int i = 0; i < 100; i++) {
				this.notifier.broadcast("busy", line);
			}
			this.notifier.broadcast("busy", "burst " + burst);
			reader.awaitLines("data: burst " + burst);
		}

		this.notifier.broadcast("busy", "still here");
		reader.awaitLines("data: still here");
		assertThat(this.notifier.sessions("busy")).singleElement().isNotSameAs(silentSession);
		Waits.await("the slow consumer counted")
			.until(() -> Meters.counter(this.meters, "notifier.connections.closed", "reason",
					"slow_consumer") == slowConsumers + 1);
		// Its buffers were full, so the close event could not be written: the client sees the stream drop.
		assertThat(silent.readToEnd()).contains("data: " + line).doesNotContain("event: close");
	}

	@Test
	void badRequestsAreRefusedWithTheWebSocketHandshakesStatusesAndReasons() throws Exception {
		assertThat(get("/sse/a//b", Map.of()).statusCode()).isEqualTo(400);
		HttpResponse<String> badPosition = get("/sse/logs/3", Map.of("Last-Event-ID", "no-colon"));
		assertThat(badPosition.statusCode()).isEqualTo(400);
		assertThat(badPosition.body()).isEqualTo(
				"invalid Last-Event-ID: a stream position is written <epoch>:<offset>, but got 'no-colon'");
		HttpResponse<String> refused = get("/sse/private/x", Map.of());
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(refused.body()).isEqualTo("not allowed to join the group private/x");
		assertThat(this.notifier.sessionCount()).isZero();
	}

	@Test
	void aPageOfAnAllowedOriginMayReadTheStreamWithItsCredentials() throws Exception {
		EventStreamClient stream = stream("shared", Map.of("Origin", ALLOWED_ORIGIN));

		this.notifier.broadcast("shared", "across origins");

		stream.awaitLines("data: across origins");
		HttpHeaders headers = stream.headers();
		assertThat(headers.firstValue("Access-Control-Allow-Origin")).hasValue(ALLOWED_ORIGIN);
		assertThat(headers.firstValue("Access-Control-Allow-Credentials")).hasValue("true");
		assertThat(headers.allValues("Vary")).anySatisfy((vary) -> assertThat(vary).contains("Origin"));
	}

	@Test
	void aForeignOriginIsRefusedAndNotLetRead() throws Exception {
		HttpResponse<String> refused = get("/sse/shared", Map.of("Origin", "https://elsewhere.example"));

		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(refused.body()).isEqualTo("the origin https://elsewhere.example is not allowed");
		assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		assertThat(refused.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
		assertThat(this.notifier.sessionCount()).isZero();
	}

	@Test
	void aRequestOfAPageOfAnotherSiteWithoutAnOriginIsRefused() throws Exception {
		// What a browser sends for another site's <img> or <script>: the user's cookies, no Origin.
		for (String site : List.of("cross-site", "same-site")) {
			HttpResponse<String> refused = get("/sse/shared", Map.of("Sec-Fetch-Site", site));

			assertThat(refused.statusCode()).as(site).isEqualTo(403);
			assertThat(refused.body()).as(site)
				.isEqualTo("a page of another site may open an event stream only as an EventSource of an allowed origin");
		}
		assertThat(this.notifier.sessionCount()).isZero();

		// The endpoint's own page, and the address bar, send no Origin either.
		stream("shared", Map.of("Sec-Fetch-Site", "same-origin"));
		stream("shared", Map.of("Sec-Fetch-Site", "none"));
	}

	private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path));
		headers.forEach(request::header);
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class PrivateGroupsRefused {

		@Bean
		GroupAuthorizer privateGroupsRefused() {
			return (handshake) -> !handshake.group().startsWith("private/");
		}

	}

}
