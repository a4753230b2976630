package dev.notifier.autoconfigure.web;

import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.notifier.core.NotifierEngine;
import dev.notifier.core.OverflowPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that stops reading cannot hold up a broadcast or the other clients of its group: its queue fills, the
 * overflow policy (the default, CLOSE) closes it with 1013, and a reading client in the same group receives every
 * message, in order and whole.
 *
 * <p>The silent client is a raw socket with a 4 KB receive buffer that never reads after the handshake (a JDK client
 * keeps draining its socket whatever the application requests). The broadcasting loop gives the reading client time
 * to keep up, at most {@value #MAX_LAG} messages behind, so that only a client that does not read at all can exceed
 * the queue bound of {@value #MAX_QUEUED_KB} KB; the loop never waits on the silent client, and the test's timeout
 * fails it if a broadcast ever blocked on that client's socket.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "notifier.outbound.max-queued-bytes=" + SlowConsumerTests.MAX_QUEUED_KB + "KB")
class SlowConsumerTests extends ContainerTestSupport {

	static final int MAX_QUEUED_KB = 512;

	private static final int MESSAGES = 4000;

	private static final int MESSAGE_SIZE = 2048;

	private static final int MAX_LAG = 100;

	@Autowired
	private NotifierEngine engine;

	@Autowired
	private MeterRegistry meters;

	@Test
	@Timeout(value = 2, unit = TimeUnit.MINUTES)
	void aSilentClientIsClosedWhileAReadingClientReceivesEverything() {
		RawSilentClient silent = joinSilently("feed?name=silent");
		TestClient reader = join("feed?name=reader");
		long droppedBefore = this.engine.statistics().messagesDropped(OverflowPolicy.CLOSE);
		double droppedMeter = Meters.counter(this.meters, "notifier.messages.dropped", "policy", "close");
		double slowConsumerMeter = Meters.counter(this.meters, "notifier.connections.closed", "reason", "slow_consumer");

		int[] queuedFor = new int[3];
		for (int i = 0; i < MESSAGES; i++) {
			int queued = this.notifier.broadcast("feed", message(i));
			queuedFor[queued]++;
			if (i % 50 == 49) {
				int sent = i + 1;
				Waits.await("the reader keeps up with the broadcasts")
					.until(() -> reader.messageCount() >= sent - MAX_LAG || reader.isClosed());
			}
		}

		List<String> received = reader.awaitTexts(MESSAGES);
		assertThat(received).hasSize(MESSAGES);
		for (int i = 0; i < MESSAGES; i++) {
			assertThat(received.get(i)).as("message %d", i).isEqualTo(message(i));
		}
		assertThat(reader.isClosed()).isFalse();

		awaitSessions("feed", 1);
		assertThat(this.notifier.sessions("feed")).singleElement()
			.satisfies((session) -> assertThat(session.queryParameters().get("name")).containsExactly("reader"));
		assertThat(queuedFor[2]).as("broadcasts that reached both clients").isPositive();
		assertThat(queuedFor[1]).as("broadcasts after the silent client was closed").isPositive();
		assertThat(queuedFor[0]).as("broadcasts that reached nobody").isZero();
		assertThat(this.engine.statistics().messagesDropped(OverflowPolicy.CLOSE) - droppedBefore).isEqualTo(1);

		RawSilentClient.Ending ending = silent.readUntilClose();
		assertThat(ending.code()).as("how the server ended the silent connection: %s", ending).isEqualTo(1013);
		assertThat(ending.reason()).isEqualTo("slow consumer");
		assertThat(ending.dataFrames()).isLessThan(MESSAGES);
		assertThat(Meters.counter(this.meters, "notifier.messages.dropped", "policy", "close"))
			.isEqualTo(droppedMeter + 1);
		Waits.await("the slow consumer's close is counted")
			.until(() -> Meters.counter(this.meters, "notifier.connections.closed", "reason",
					"slow_consumer") == slowConsumerMeter + 1);
	}

	private static String message(int i) {
		String head = String.format("%06d|", i);
		return head + String.valueOf((char) ('a' + i % 26)).repeat(MESSAGE_SIZE - head.length());
	}

}
