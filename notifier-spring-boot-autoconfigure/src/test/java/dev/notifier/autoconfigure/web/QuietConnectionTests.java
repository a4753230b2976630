package dev.notifier.autoconfigure.web;

import java.time.Duration;
import java.util.Map;

import dev.notifier.core.CloseStatus;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With heartbeats off and the container's idle timeout at one second ({@code server.jetty.connection-idle-timeout}
 * on Jetty, {@code server.tomcat.connection-timeout} on Tomcat; each ignores the other's), an event stream and a
 * WebSocket session that carry nothing for several idle timeouts are not ended for silence: the idle timeout only
 * ends connections between requests. Heartbeats are for proxies and for noticing clients that left, not for the
 * container.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "notifier.heartbeat.interval=0", "server.jetty.connection-idle-timeout=1s",
				"server.tomcat.connection-timeout=1s" })
class QuietConnectionTests extends ContainerTestSupport {

	/** Four idle timeouts. */
	private static final Duration QUIET = Duration.ofSeconds(4);

	@Test
	void theIdleTimeoutClosesAKeepAliveConnectionBetweenRequests() {
		// Proves the idle timeout in force is the test's second, not the container's default of 20 or 30 s.
		assertThat(RawHttp.closesIdleKeepAlive(this.port, "/actuator")).as("closed within %s ms while idle",
				RawHttp.TIMEOUT_MILLIS)
			.isTrue();
	}

	@Test
	void aQuietEventStreamOutlivesTheIdleTimeout() {
		EventStreamClient stream = stream("quiet", Map.of());

		Waits.await("the stream stays open while quiet")
			.atMost(QUIET.multipliedBy(2))
			.during(QUIET)
			.until(() -> !stream.hasEnded());

		assertThat(this.notifier.broadcast("quiet", "after the silence")).isEqualTo(1);
		stream.awaitLines("data: after the silence");
		// Without heartbeats the server would not notice the client leaving until its next write.
		this.notifier.close("quiet", CloseStatus.NORMAL);
		stream.awaitEnd();
	}

	@Test
	void aQuietWebSocketSessionOutlivesTheIdleTimeout() {
		TestClient socket = join("quiet");

		Waits.await("the session stays open while quiet")
			.atMost(QUIET.multipliedBy(2))
			.during(QUIET)
			.until(() -> !socket.isClosed());

		assertThat(this.notifier.broadcast("quiet", "after the silence")).isEqualTo(1);
		socket.awaitText("after the silence");
	}

}
