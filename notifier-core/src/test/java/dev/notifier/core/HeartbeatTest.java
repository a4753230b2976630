package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Heartbeat pings, silent peers and stuck writes, on the fake clock: the test moves the clock and runs the sweep.
 */
class HeartbeatTest extends EngineTestSupport {

	private static final Duration INTERVAL = Duration.ofSeconds(20);

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private static final Duration SEND_TIMEOUT = Duration.ofSeconds(8);

	private NotifierEngine heartbeatEngine(RecordingListener... listeners) {
		return engine(options().heartbeatInterval(INTERVAL).heartbeatTimeout(TIMEOUT).sendTimeout(SEND_TIMEOUT),
				listeners);
	}

	private void sweepAt(NotifierEngine engine, Duration step) {
		advance(step);
		engine.sweep();
	}

	@Test
	void sweepPingsFirstBetweenHalfAnIntervalAndAnIntervalAfterTheSessionOpened() {
		NotifierEngine engine = heartbeatEngine();
		Peer peer = open(engine, "a");

		sweepAt(engine, INTERVAL.dividedBy(2).minusNanos(1));
		assertThat(peer.transport().pings()).isZero();

		sweepAt(engine, INTERVAL.dividedBy(2).plusNanos(1));
		eventually().untilAsserted(() -> assertThat(peer.transport().pings()).isEqualTo(1));
	}

	@Test
	void sessionsOpenedTogetherAreFirstPingedSpreadOverHalfAnInterval() {
		NotifierEngine engine = heartbeatEngine();
		List<Peer> peers = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			peers.add(open(engine, "a"));
		}

		sweepAt(engine, INTERVAL.dividedBy(2).minusNanos(1));
		assertThat(pinged(peers)).isZero();

		// Three quarters of an interval: only those whose first ping fell in the first half of the spread are due.
		sweepAt(engine, INTERVAL.dividedBy(4).plusNanos(1));
		eventually().until(() -> pinged(peers) > 0);
		assertThat(pinged(peers)).isLessThan(100);

		sweepAt(engine, INTERVAL.dividedBy(4));
		eventually().until(() -> pinged(peers) == 100);
	}

	private static long pinged(List<Peer> peers) {
		return peers.stream().filter((peer) -> peer.transport().pings() > 0).count();
	}

	@Test
	void sweepPingsOncePerInterval() {
		NotifierEngine engine = heartbeatEngine();
		Peer peer = open(engine, "a");

		for (int i = 1; i <= 3; i++) {
			sweepAt(engine, INTERVAL);
			peer.connection().onPong(ByteBuffer.allocate(0));
			engine.sweep();
			int expected = i;
			eventually().untilAsserted(() -> assertThat(peer.transport().pings()).isEqualTo(expected));
		}
		assertThat(peer.session().isOpen()).isTrue();
	}

	@Test
	void sessionSilentForIntervalPlusTimeoutIsClosedWith1001() {
		NotifierEngine engine = heartbeatEngine();
		Peer peer = open(engine, "a");
		sweepAt(engine, INTERVAL);

		sweepAt(engine, TIMEOUT);
		assertThat(peer.session().isOpen()).as("exactly interval + timeout is still in time").isTrue();

		sweepAt(engine, Duration.ofNanos(1));

		peer.awaitClosedWith(1001);
		assertThat(peer.transport().closeStatus().reason()).isEqualTo("heartbeat timeout");
		assertThat(engine.sessionCount()).isZero();
	}

	@Test
	void pongResetsTheHeartbeatTimeout() {
		NotifierEngine engine = heartbeatEngine();
		Peer peer = open(engine, "a");
		sweepAt(engine, INTERVAL);
		advance(TIMEOUT.minusSeconds(1));

		peer.connection().onPong(ByteBuffer.allocate(0));
		sweepAt(engine, Duration.ofSeconds(2));

		assertThat(peer.session().isOpen()).isTrue();
		sweepAt(engine, INTERVAL.plus(TIMEOUT).minusSeconds(2));
		assertThat(peer.session().isOpen()).as("silent for exactly interval + timeout since the pong").isTrue();
		sweepAt(engine, Duration.ofNanos(1));
		peer.awaitClosedWith(1001);
	}

	@Test
	void inboundTextResetsTheHeartbeatTimeout() {
		NotifierEngine engine = heartbeatEngine();
		Peer peer = open(engine, "a");
		sweepAt(engine, INTERVAL.plus(TIMEOUT));

		peer.connection().onText("still here", true);
		sweepAt(engine, Duration.ofSeconds(1));

		assertThat(peer.session().isOpen()).isTrue();
		assertThat(peer.transport().isClosed()).isFalse();
	}

	@Test
	void inboundBinaryPartResetsTheHeartbeatTimeout() {
		NotifierEngine engine = heartbeatEngine();
		Peer peer = open(engine, "a");
		sweepAt(engine, INTERVAL.plus(TIMEOUT));

		peer.connection().onBinary(ByteBuffer.wrap(new byte[] { 1 }), false);
		sweepAt(engine, Duration.ofSeconds(1));

		assertThat(peer.session().isOpen()).isTrue();
	}

	@Test
	void outboundTrafficDoesNotCountAsALifeSign() {
		NotifierEngine engine = heartbeatEngine();
		Peer peer = open(engine, "a");
		sweepAt(engine, INTERVAL);

		advance(TIMEOUT);
		engine.broadcast("a", "news");
		sweepAt(engine, Duration.ofNanos(1));

		peer.awaitClosedWith(1001);
	}

	@Test
	void heartbeatIntervalZeroDisablesPingsAndTimeouts() {
		NotifierEngine engine = engine(options().heartbeatInterval(Duration.ZERO).heartbeatTimeout(TIMEOUT));
		Peer peer = open(engine, "a");

		sweepAt(engine, Duration.ofDays(1));
		sweepAt(engine, Duration.ofDays(1));

		assertThat(peer.transport().pings()).isZero();
		assertThat(peer.session().isOpen()).isTrue();
		assertThat(peer.transport().isClosed()).isFalse();
	}

	@Test
	void pongIsPassedToListeners() {
		RecordingListener listener = new RecordingListener();
		NotifierEngine engine = heartbeatEngine(listener);
		Peer peer = open(engine, "a");

		peer.connection().onPong(ByteBuffer.allocate(0));

		assertThat(listener.eventsStartingWith("pong")).containsExactly("pong a");
	}

	@Test
	void sendHeldLongerThanTheSendTimeoutIsClosedWith1013() {
		NotifierEngine engine = heartbeatEngine();
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "stuck");
		flush(engine);
		engine.broadcast("a", "queued");

		sweepAt(engine, SEND_TIMEOUT);
		assertThat(peer.session().isOpen()).as("exactly the timeout is still in time").isTrue();

		sweepAt(engine, Duration.ofNanos(1));

		peer.awaitClosedWith(1013);
		assertThat(peer.transport().closeStatus().reason()).isEqualTo("send timeout");
		assertThat(peer.session().isOpen()).isFalse();
		assertThat(peer.session().queuedMessages()).isZero();
		assertThat(engine.sessionCount()).isZero();
	}

	@Test
	void sendTimeoutIsMeasuredForEachSendNotForTheWholeQueue() {
		// Pings an hour apart: a first ping, due from half an interval on, would queue before "2".
		NotifierEngine engine = engine(
				options().heartbeatInterval(Duration.ofHours(1)).heartbeatTimeout(TIMEOUT).sendTimeout(SEND_TIMEOUT));
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "1");
		flush(engine);
		engine.broadcast("a", "2");

		advance(SEND_TIMEOUT.minusSeconds(1));
		peer.transport().completeNext();
		sweepAt(engine, SEND_TIMEOUT.minusSeconds(1));

		assertThat(peer.session().isOpen()).isTrue();
		assertThat(peer.texts()).containsExactly("1", "2");
	}

	@Test
	void sendTimeoutClosesADrainingSessionWhoseWriteIsStuck() {
		NotifierEngine engine = heartbeatEngine();
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "stuck");
		flush(engine);
		engine.broadcast("a", "queued");
		peer.session().close(CloseStatus.NORMAL);

		sweepAt(engine, SEND_TIMEOUT.plusNanos(1));

		peer.awaitClosedWith(1013);
		assertThat(peer.transport().closes()).containsExactly(CloseStatus.SLOW_CONSUMER.withReason("send timeout"));
	}

	@Test
	void heldPingIsAStuckWriteToo() {
		NotifierEngine engine = heartbeatEngine();
		Peer peer = openHeld(engine, "a");

		sweepAt(engine, INTERVAL);
		eventually().untilAsserted(() -> assertThat(peer.transport().pings()).isEqualTo(1));
		peer.connection().onPong(ByteBuffer.allocate(0));
		sweepAt(engine, SEND_TIMEOUT.plusNanos(1));

		peer.awaitClosedWith(1013);
	}

	@Test
	void idleSessionIsNeverClosedForSendTimeout() {
		NotifierEngine engine = engine(options().heartbeatInterval(Duration.ZERO).sendTimeout(SEND_TIMEOUT));
		Peer peer = open(engine, "a");
		engine.broadcast("a", "written at once");

		sweepAt(engine, SEND_TIMEOUT.multipliedBy(10));

		assertThat(peer.session().isOpen()).isTrue();
	}

}
