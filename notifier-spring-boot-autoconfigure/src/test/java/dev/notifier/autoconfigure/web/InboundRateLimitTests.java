package dev.notifier.autoconfigure.web;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code notifier.limits.inbound-messages-per-second}: a client that sends faster than the limit is closed with 1008
 * "message rate exceeded", and the others keep being served.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "notifier.limits.inbound-messages-per-second=2", "notifier.limits.inbound-burst=3" })
@Import(RecordingListener.class)
class InboundRateLimitTests extends ContainerTestSupport {

	@Autowired
	private RecordingListener listener;

	@Autowired
	private MeterRegistry meters;

	@Test
	void aClientOverTheRateIsClosedWith1008AndTheOthersAreStillServed() {
		TestClient flooder = join("chat/room");
		TestClient other = join("chat/room");
		double before = this.meters.get("notifier.inbound.rate.exceeded").functionCounter().count();

		// Three at once are the burst; a fourth within half a second is one too many.
		for (int i = 1; i <= 4; i++) {
			flooder.send("message " + i);
		}

		assertThat(flooder.awaitClose()).isEqualTo(new TestClient.Closure(1008, "message rate exceeded"));
		assertThat(this.listener.texts()).containsExactly("message 1", "message 2", "message 3");
		assertThat(this.meters.get("notifier.inbound.rate.exceeded").functionCounter().count()).isEqualTo(before + 1);
		assertThat(this.notifier.broadcast("chat/room", "still here")).isEqualTo(1);
		assertThat(other.awaitMessages(1)).containsExactly("still here");
	}

}
