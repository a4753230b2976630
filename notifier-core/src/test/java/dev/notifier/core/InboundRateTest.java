package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The inbound rate limit: a burst at once, then the average rate; a session over it is closed with 1008. */
class InboundRateTest extends EngineTestSupport {

	private final RecordingListener listener = new RecordingListener();

	/** Ten messages a second on average (one every 100ms), three at once. */
	private NotifierEngine limitedEngine() {
		return engine(options().inboundRateLimit(10, 3), this.listener);
	}

	@Test
	void messagesWithinTheBurstAreAllDelivered() {
		Peer peer = open(limitedEngine(), "a");

		peer.connection().onText("1", true);
		peer.connection().onText("2", true);
		peer.connection().onText("3", true);

		assertThat(this.listener.texts).containsExactly("1", "2", "3");
		assertThat(peer.session().isOpen()).isTrue();
	}

	@Test
	void aMessageBeyondTheBurstClosesTheSessionWith1008AndIsNotDelivered() {
		NotifierEngine engine = limitedEngine();
		Peer peer = open(engine, "a");

		for (int i = 1; i <= 4; i++) {
			peer.connection().onText(String.valueOf(i), true);
		}

		peer.awaitClosedWith(1008);
		assertThat(peer.transport().closeStatus())
			.isEqualTo(CloseStatus.POLICY_VIOLATION.withReason("message rate exceeded"));
		assertThat(this.listener.texts).containsExactly("1", "2", "3");
		assertThat(engine.statistics().inboundRateExceeded()).isEqualTo(1);
	}

	@Test
	void messagesAfterTheCloseAreNotDelivered() {
		Peer peer = open(limitedEngine(), "a");
		peer.transport().reportClose(false);

		for (int i = 1; i <= 6; i++) {
			peer.connection().onText(String.valueOf(i), true);
		}
		peer.connection().onBinary(ByteBuffer.wrap(new byte[] { 7 }), true);

		peer.awaitClosedWith(1008);
		assertThat(this.listener.texts).containsExactly("1", "2", "3");
		assertThat(this.listener.binaries).isEmpty();
	}

	@Test
	void theBucketRefillsAtTheAverageRate() {
		Peer peer = open(limitedEngine(), "a");
		for (int i = 1; i <= 3; i++) {
			peer.connection().onText("burst " + i, true);
		}

		advance(Duration.ofMillis(100));
		peer.connection().onText("one interval later", true);
		advance(Duration.ofMillis(300));
		peer.connection().onText("a", true);
		peer.connection().onText("b", true);
		peer.connection().onText("c", true);

		assertThat(this.listener.texts).hasSize(7);
		assertThat(peer.session().isOpen()).isTrue();
	}

	@Test
	void aSessionSendingSteadilyAtTheRateStaysOpen() {
		Peer peer = open(limitedEngine(), "a");

		for (int i = 0; i < 50; i++) {
			peer.connection().onText("tick " + i, true);
			advance(Duration.ofMillis(100));
		}

		assertThat(this.listener.texts).hasSize(50);
		assertThat(peer.session().isOpen()).isTrue();
	}

	@Test
	void aMessageInPartsCountsOnce() {
		Peer peer = open(limitedEngine(), "a");

		for (int i = 0; i < 10; i++) {
			peer.connection().onText("part ", false);
		}
		peer.connection().onText("end", true);
		peer.connection().onBinary(ByteBuffer.wrap(new byte[] { 1 }), false);
		peer.connection().onBinary(ByteBuffer.wrap(new byte[] { 2 }), true);

		assertThat(this.listener.texts).hasSize(1);
		assertThat(this.listener.binaries).hasSize(1);
		assertThat(peer.session().isOpen()).isTrue();
	}

	@Test
	void pongsDoNotCount() {
		Peer peer = open(limitedEngine(), "a");

		for (int i = 0; i < 10; i++) {
			peer.connection().onPong(ByteBuffer.allocate(0));
		}
		peer.connection().onText("still welcome", true);

		assertThat(this.listener.texts).containsExactly("still welcome");
		assertThat(peer.session().isOpen()).isTrue();
	}

	@Test
	void withoutALimitEveryMessageIsDelivered() {
		Peer peer = open(engine(options(), this.listener), "a");

		for (int i = 0; i < 1000; i++) {
			peer.connection().onText("m", true);
		}

		assertThat(this.listener.texts).hasSize(1000);
		assertThat(peer.session().isOpen()).isTrue();
	}

	@Test
	void eachSessionHasItsOwnBucket() {
		NotifierEngine engine = limitedEngine();
		Peer first = open(engine, "a");
		Peer second = open(engine, "a");

		for (int i = 0; i < 3; i++) {
			first.connection().onText("first", true);
			second.connection().onText("second", true);
		}

		assertThat(this.listener.texts).hasSize(6);
		assertThat(first.session().isOpen()).isTrue();
		assertThat(second.session().isOpen()).isTrue();
	}

}
