package dev.notifier.autoconfigure.web;

import java.util.Arrays;
import java.util.Map;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.NotifierEngine;
import dev.notifier.core.NotifierStatistics;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static dev.notifier.autoconfigure.web.SecuredTestApplication.ADMIN;
import static dev.notifier.autoconfigure.web.SecuredTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connection caps at the handshake: two connections per user and three per address (every client of the test
 * comes from the same address), refused with 429 and the reason, and given back when a connection closes or a
 * handshake fails.
 */
@SpringBootTest(classes = SecuredTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "notifier.limits.max-connections-per-user=2", "notifier.limits.max-connections-per-address=3" })
class ConnectionLimitTests extends ContainerTestSupport {

	@Autowired
	private MeterRegistry meters;

	@Autowired
	private NotifierEngine engine;

	@BeforeEach
	void awaitThePlacesOfEarlierTestsFree() {
		awaitConnectionsNotReportedClosed(0);
	}

	@Test
	void aUserAtTheLimitIsRefusedWith429AndTheReason() {
		join("tasks/1", Logins.basic(ALICE));
		join("tasks/2", Logins.basic(ALICE));

		TestClient.Refusal refusal = TestClient.refused(uri("/ws/tasks/3"), Logins.basic(ALICE));

		assertThat(refusal.status()).isEqualTo(429);
		assertThat(refusal.body()).isEqualTo("too many connections for the user alice (at most 2)");
		assertThat(this.notifier.sessionCount()).isEqualTo(2);
	}

	@Test
	void oneUsersLimitDoesNotHoldUpAnother() {
		join("tasks/1", Logins.basic(ALICE));
		join("tasks/2", Logins.basic(ALICE));

		TestClient admin = join("tasks/1", Logins.basic(ADMIN));

		assertThat(this.notifier.broadcast("tasks/1", "still served")).isEqualTo(2);
		assertThat(admin.awaitMessages(1)).containsExactly("still served");
	}

	@Test
	void anAddressAtTheLimitIsRefusedWith429AndTheReason() {
		join("tasks/1", Logins.basic(ALICE));
		join("tasks/1", Logins.basic(ADMIN));
		join("public/news");

		TestClient.Refusal refusal = TestClient.refused(uri("/ws/public/news"), Map.of());

		assertThat(refusal.status()).isEqualTo(429);
		assertThat(refusal.body()).startsWith("too many connections from ").endsWith(" (at most 3)");
	}

	@Test
	void refusalsAtALimitAreCountedByLimit() {
		double users = refused("too_many_user_connections");
		double addresses = refused("too_many_address_connections");
		join("tasks/1", Logins.basic(ALICE));
		join("tasks/2", Logins.basic(ALICE));
		TestClient.refused(uri("/ws/tasks/3"), Logins.basic(ALICE));
		join("public/news");
		TestClient.refused(uri("/ws/public/news"), Map.of());

		assertThat(refused("too_many_user_connections")).isEqualTo(users + 1);
		assertThat(refused("too_many_address_connections")).isEqualTo(addresses + 1);
	}

	@Test
	void aClosedConnectionGivesItsSlotBack() {
		join("tasks/1", Logins.basic(ALICE));
		TestClient second = join("tasks/2", Logins.basic(ALICE));

		second.close();
		awaitConnectionsNotReportedClosed(1);

		join("tasks/3", Logins.basic(ALICE));
		assertThat(this.notifier.sessionCount()).isEqualTo(2);
	}

	@Test
	void aConnectionTheServerClosesGivesItsSlotBack() {
		join("tasks/1", Logins.basic(ALICE));
		join("tasks/2", Logins.basic(ALICE));

		this.notifier.close("tasks/2", CloseStatus.NORMAL);
		awaitConnectionsNotReportedClosed(1);

		join("tasks/3", Logins.basic(ALICE));
	}

	@Test
	void refusedHandshakesAndProbesHoldNoSlot() {
		for (int i = 0; i < 3; i++) {
			assertThat(TestClient.refused(uri("/ws/admin/x"), Logins.basic(ALICE)).status()).isEqualTo(403);
			assertThat(HttpGet.get(this.port, "/ws/tasks/1", Logins.basic(ALICE)).statusCode()).as("a probe")
				.isEqualTo(204);
		}

		join("tasks/1", Logins.basic(ALICE));
		join("tasks/2", Logins.basic(ALICE));
	}

	@Test
	void aHandshakeThatFailsAfterTheNotifierAcceptedItHoldsNoSlot() {
		for (int i = 0; i < 4; i++) {
			RawHttp.Response response = RawHttp.request(this.port, "GET /ws/public/news HTTP/1.1\r\n"
					+ "Host: localhost:" + this.port + "\r\n" + "Upgrade: websocket\r\n" + "Connection: Upgrade\r\n"
					+ "Sec-WebSocket-Key: " + RawHttp.newKey() + "\r\n" + "Sec-WebSocket-Version: 8\r\n"
					+ "Content-Length: 0\r\n" + "Connection: close\r\n" + "\r\n");
			assertThat(response.status()).as("an unsupported WebSocket version").isBetween(400, 499);
		}

		join("public/news");
		join("public/news");
		join("public/news");
	}

	/**
	 * A connection gives its place back as the container reports it closed, which may come after the engine counts
	 * it out (a session leaves its group as soon as it starts closing); the engine counts the close after the place
	 * is free again.
	 */
	private void awaitConnectionsNotReportedClosed(long open) {
		NotifierStatistics statistics = this.engine.statistics();
		Waits.await(open + " connections are not reported closed, the others' places are free")
			.until(() -> statistics.connectionsOpened() - closed(statistics) == open);
	}

	private static long closed(NotifierStatistics statistics) {
		return Arrays.stream(NotifierStatistics.closeCodes()).mapToLong(statistics::connectionsClosed).sum();
	}

	private double refused(String reason) {
		return Meters.counter(this.meters, "notifier.handshakes.refused", "reason", reason);
	}

}
