package dev.notifier.autoconfigure.web;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Under {@code notifier.outbound.overflow=drop-oldest} a client that does not read, over WebSocket or an event stream,
 * keeps its connection while its oldest queued messages make room for new ones, and every drop is counted under the
 * policy's tag. Heartbeats every 300 ms: once the test closes the silent stream's socket, the server notices at its next
 * write, which the broadcasts, over by then, would not make.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "notifier.outbound.max-queued-messages=2", "notifier.outbound.overflow=drop-oldest",
				"notifier.heartbeat.interval=300ms" })
class DropOldestOverflowTests extends ContainerTestSupport {

	@Autowired
	private MeterRegistry meters;

	@Test
	void aSilentClientStaysConnectedAndItsDropsAreCountedAsDropOldest() {
		double before = Meters.counter(this.meters, "notifier.messages.dropped", "policy", "drop_oldest");
		double newest = Meters.counter(this.meters, "notifier.messages.dropped", "policy", "drop_newest");
		joinSilently("feed/slow");

		for (int i = 0; i < 2000; i++) {
			this.notifier.broadcast("feed/slow", "x".repeat(2048));
		}

		assertThat(Meters.counter(this.meters, "notifier.messages.dropped", "policy", "drop_oldest"))
			.isGreaterThan(before);
		assertThat(Meters.counter(this.meters, "notifier.messages.dropped", "policy", "drop_newest")).isEqualTo(newest);
		assertThat(this.notifier.sessionCount("feed/slow")).isEqualTo(1);
	}

	@Test
	void aSilentEventStreamStaysOpenAndItsDropsAreCountedAsDropOldest() {
		double before = Meters.counter(this.meters, "notifier.messages.dropped", "policy", "drop_oldest");
		double newest = Meters.counter(this.meters, "notifier.messages.dropped", "policy", "drop_newest");
		streamSilently("feed/slow-stream");

		for (int i = 0; i < 2000; i++) {
			this.notifier.broadcast("feed/slow-stream", "x".repeat(2048));
		}

		assertThat(Meters.counter(this.meters, "notifier.messages.dropped", "policy", "drop_oldest"))
			.isGreaterThan(before);
		assertThat(Meters.counter(this.meters, "notifier.messages.dropped", "policy", "drop_newest")).isEqualTo(newest);
		assertThat(this.notifier.sessionCount("feed/slow-stream")).isEqualTo(1);
	}

}
