package dev.notifier.autoconfigure.web;

import java.net.http.HttpResponse;
import java.util.Map;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.NotifierSession;
import dev.notifier.core.SessionExpiry;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An event stream is a session of the engine like a WebSocket session: the listeners hear it, the Actuator endpoint
 * lists it, the meters count it, and it takes a place under the connection limits (three per address here, every
 * client of the test coming from the same one) that it gives back when it ends, or when it fails to open.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=notifier", "notifier.heartbeat.interval=300ms",
				"notifier.limits.max-connections-per-address=3" })
@Import(EventStreamSessionTests.SessionsConfiguration.class)
class EventStreamSessionTests extends ContainerTestSupport {

	private static final JsonMapper json = JsonMapper.builder().build();

	@Autowired
	private RecordingListener listener;

	@Autowired
	private MeterRegistry meters;

	@Test
	void listenersHearAStreamConnectAndDisconnect() {
		stream("listened", Map.of());
		NotifierSession session = this.notifier.sessions("listened").get(0);
		Waits.await("onConnect").until(() -> this.listener.connected(session));

		this.notifier.close("listened", CloseStatus.NORMAL.withReason("done"));

		Waits.await("onDisconnect").until(() -> this.listener.disconnect(session) != null);
		assertThat(this.listener.disconnect(session)).isEqualTo(CloseStatus.NORMAL.withReason("done"));
	}

	@Test
	void theActuatorEndpointListsAStreamWithItsTransport() {
		stream("listed", Map.of());
		join("listed");

		JsonNode group = json.readTree(HttpGet.get(this.port, "/actuator/notifier/listed", Map.of()).body());

		assertThat(group.at("/sessions")).hasSize(2);
		assertThat(group.at("/sessions").valueStream().map((session) -> session.at("/transport").asString()))
			.containsExactlyInAnyOrder("sse", "websocket");
	}

	@Test
	void theMetersCountAStreamOpenedAndClosed() {
		double opened = Meters.counter(this.meters, "notifier.connections.opened");
		double closedNormally = Meters.counter(this.meters, "notifier.connections.closed", "reason", "normal");
		EventStreamClient stream = stream("counted", Map.of());
		assertThat(Meters.counter(this.meters, "notifier.connections.opened")).isEqualTo(opened + 1);

		this.notifier.close("counted", CloseStatus.NORMAL);

		stream.awaitEnd();
		Waits.await("the close counted")
			.until(() -> Meters.counter(this.meters, "notifier.connections.closed", "reason", "normal") == closedNormally
					+ 1);
	}

	@Test
	void aStreamOverTheAddressCapIsRefusedWith429AndAStreamThatEndsGivesItsPlaceBack() {
		double refused = Meters.counter(this.meters, "notifier.handshakes.refused", "reason",
				"too_many_address_connections");
		stream("capped", Map.of());
		join("capped");
		stream("capped/ending", Map.of());

		HttpResponse<String> refusal = HttpGet.get(this.port, "/sse/capped", Map.of());

		assertThat(refusal.statusCode()).as("a WebSocket session and two streams are three").isEqualTo(429);
		assertThat(refusal.body()).startsWith("too many connections from ").endsWith(" (at most 3)");
		assertThat(Meters.counter(this.meters, "notifier.handshakes.refused", "reason", "too_many_address_connections"))
			.isEqualTo(refused + 1);
		this.notifier.close("capped/ending", CloseStatus.NORMAL);
		Waits.await("the ended stream counted closed").until(() -> openConnections() == 2);
		stream("capped", Map.of());
	}

	@Test
	void aStreamThatFailsToOpenAfterItsChecksIsAnswered500AndHoldsNoPlace() {
		for (int i = 0; i < 4; i++) {
			assertThat(HttpGet.get(this.port, "/sse/broken/1", Map.of()).statusCode()).isEqualTo(500);
		}

		stream("whole/1", Map.of());
		stream("whole/2", Map.of());
		stream("whole/3", Map.of());
		assertThat(this.notifier.sessionCount()).isEqualTo(3);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class SessionsConfiguration {

		@Bean
		RecordingListener recordingListener() {
			return new RecordingListener();
		}

		/** A failure of the application's own code, after the notifier's checks took the stream's place. */
		@Bean
		SessionExpiry brokenGroupsExpiry() {
			return (handshake) -> {
				if (handshake.group().startsWith("broken/")) {
					throw new IllegalStateException("the credentials of " + handshake.group() + " cannot be read");
				}
				return null;
			};
		}

	}

}
