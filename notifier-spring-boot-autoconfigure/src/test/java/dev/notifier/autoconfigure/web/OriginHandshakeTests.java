package dev.notifier.autoconfigure.web;

import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With no {@code notifier.allowed-origin-patterns}, a browser handshake from a foreign origin is refused with 403,
 * while the server's own origin and non-browser clients (no {@code Origin} header) are accepted.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class OriginHandshakeTests extends ContainerTestSupport {

	@Autowired
	private MeterRegistry meters;

	@Test
	void aForeignOriginIsCountedAsAForbiddenOriginRefusal() {
		double before = Meters.counter(this.meters, "notifier.handshakes.refused", "reason", "forbidden_origin");
		double unauthorized = Meters.counter(this.meters, "notifier.handshakes.refused", "reason", "unauthorized");

		TestClient.refused(uri("/ws/news"), Map.of("Origin", "https://evil.example"));

		assertThat(Meters.counter(this.meters, "notifier.handshakes.refused", "reason", "forbidden_origin"))
			.isEqualTo(before + 1);
		assertThat(Meters.counter(this.meters, "notifier.handshakes.refused", "reason", "unauthorized"))
			.isEqualTo(unauthorized);
	}

	@Test
	void aForeignOriginIsRefusedWith403() {
		assertThat(TestClient.refused(uri("/ws/news"), Map.of("Origin", "https://evil.example")).status())
			.isEqualTo(403);
		assertThat(this.notifier.sessionCount()).isZero();
	}

	@Test
	void anotherPortIsAForeignOrigin() {
		assertThat(TestClient.refused(uri("/ws/news"), Map.of("Origin", "http://localhost:" + (this.port + 1)))
			.status()).isEqualTo(403);
	}

	@Test
	void theOpaqueNullOriginIsRefused() {
		assertThat(TestClient.refused(uri("/ws/news"), Map.of("Origin", "null")).status()).isEqualTo(403);
	}

	@Test
	void theSameOriginIsAccepted() {
		TestClient client = join("news", Map.of("Origin", "http://localhost:" + this.port));

		assertThat(this.notifier.broadcast("news", "hello")).isEqualTo(1);
		assertThat(client.awaitMessages(1)).containsExactly("hello");
	}

	@Test
	void aRequestWithoutOriginIsAccepted() {
		TestClient client = join("news");

		assertThat(this.notifier.sessions("news")).singleElement()
			.satisfies((session) -> assertThat(session.handshakeHeaders()).doesNotContainKey("origin"));
		assertThat(this.notifier.broadcast("news", "hello")).isEqualTo(1);
		assertThat(client.awaitMessages(1)).containsExactly("hello");
	}

	@Test
	void theOriginIsCheckedBeforeTheGroup() {
		assertThat(TestClient.refused(uri("/ws"), Map.of("Origin", "https://evil.example")).status())
			.isEqualTo(403);
	}

}
