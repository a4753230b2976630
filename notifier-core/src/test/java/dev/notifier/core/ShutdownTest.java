package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import dev.notifier.core.RecordingTransport.Mode;

/** Starting and stopping the engine. */
class ShutdownTest extends EngineTestSupport {

	private static final CloseStatus RESTARTING = new CloseStatus(1012, "service restart");

	@Test
	void startedEngineIsRunningAndStartingAgainChangesNothing() {
		NotifierEngine engine = engine();

		engine.start();

		assertThat(engine.isRunning()).isTrue();
		Peer peer = open(engine, "a");
		assertThat(peer.session().isOpen()).isTrue();
	}

	@Test
	void shutdownClosesEverySessionWithThatStatus() {
		NotifierEngine engine = engine();
		List<Peer> peers = List.of(open(engine, "a"), open(engine, "a"), open(engine, "b/c"));

		engine.shutdown(RESTARTING, Duration.ofSeconds(5));

		assertThat(engine.isRunning()).isFalse();
		assertThat(peers).allSatisfy((peer) -> {
			assertThat(peer.transport().closes()).containsExactly(RESTARTING);
			assertThat(peer.session().isOpen()).isFalse();
		});
		assertThat(engine.sessionCount()).isZero();
		assertThat(engine.groups()).isEmpty();
	}

	@Test
	void shutdownReturnsAsSoonAsEveryConnectionIsClosed() {
		NotifierEngine engine = engine();
		open(engine, "a");
		open(engine, "b");

		assertTimeoutPreemptively(Duration.ofSeconds(3), () -> engine.shutdown(RESTARTING, Duration.ofMinutes(1)));
	}

	@Test
	void shutdownWritesOutWhatIsQueuedBeforeClosing() {
		NotifierEngine engine = engine();
		Peer busy = openHeld(engine, "a");
		engine.broadcast("a", "1");
		engine.broadcast("a", "2");
		engine.broadcast("a", "3");

		CompletableFuture<Void> shutdown = CompletableFuture
			.runAsync(() -> engine.shutdown(RESTARTING, Duration.ofSeconds(5)));
		eventually().until(() -> !engine.isRunning());
		assertThat(shutdown).as("waits for the connection to close").isNotDone();
		busy.transport().completeAll();

		assertThat(shutdown).succeedsWithin(Duration.ofSeconds(5));
		assertThat(busy.texts()).containsExactly("1", "2", "3");
		assertThat(busy.transport().closes()).containsExactly(RESTARTING);
	}

	@Test
	void shutdownWaitsNoLongerThanTheGrace() {
		NotifierEngine engine = engine();
		Peer stuck = openHeld(engine, "a");
		engine.broadcast("a", "never completes");

		assertTimeoutPreemptively(Duration.ofSeconds(3), () -> engine.shutdown(RESTARTING, Duration.ofMillis(50)));

		assertThat(engine.isRunning()).isFalse();
		assertThat(stuck.session().isOpen()).isFalse();
	}

	@Test
	void openAfterShutdownClosesTheNewConnectionWith1001() {
		NotifierEngine engine = engine();
		engine.shutdown(RESTARTING, Duration.ZERO);

		Peer late = open(engine, "a");

		late.awaitClosedWith(1001);
		assertThat(late.transport().closes()).containsExactly(CloseStatus.GOING_AWAY);
		assertThat(late.session().isOpen()).isFalse();
		assertThat(engine.sessionCount()).isZero();
		assertThat(engine.groups()).isEmpty();
		assertThat(engine.broadcast("a", "x")).isZero();
		assertThat(late.texts()).isEmpty();
	}

	@Test
	void openDuringTheGraceClosesTheNewConnectionWith1001() {
		NotifierEngine engine = engine();
		Peer busy = openHeld(engine, "a");
		engine.broadcast("a", "keeps the shutdown waiting");
		CompletableFuture<Void> shutdown = CompletableFuture
			.runAsync(() -> engine.shutdown(RESTARTING, Duration.ofSeconds(5)));
		eventually().until(() -> !engine.isRunning());

		Peer late = open(engine, "b");

		late.awaitClosedWith(1001);
		assertThat(engine.sessionCount()).isZero();
		busy.transport().completeAll();
		assertThat(shutdown).succeedsWithin(Duration.ofSeconds(5));
	}

	@Test
	void aShutdownDuringOpenWritesOutWhatWasBroadcastToTheNewSessionBeforeClosingIt() {
		NotifierEngine engine = engineWithPresence(List.of("a"));
		AtomicBoolean shutDown = new AtomicBoolean();
		// Presence asks for the user's name after the session has joined its group and before the engine checks that
		// it still runs: where a shutdown on another thread can come in, as this one does on the opening thread.
		Principal principal = () -> {
			if (engine.sessionCount("a") == 1 && shutDown.compareAndSet(false, true)) {
				engine.broadcast("a", "1");
				engine.broadcast("a", "2");
				engine.shutdown(RESTARTING, Duration.ZERO);
			}
			return "alice";
		};

		Peer opening = open(engine, new HandshakeInfo("a", null, principal, Map.of(), Map.of()),
				new RecordingTransport(Mode.INLINE));

		assertThat(shutDown).isTrue();
		assertThat(opening.texts()).containsExactly("1", "2");
		opening.awaitClosedWith(RESTARTING.code());
		assertThat(opening.transport().closes()).containsExactly(RESTARTING);
	}

	@Test
	void shutdownWithAnUnsendableStatusIsRefusedBeforeAnythingChanges() {
		NotifierEngine engine = engine();
		Peer peer = open(engine, "a");

		assertThatIllegalArgumentException()
			.isThrownBy(() -> engine.shutdown(new CloseStatus(1006, ""), Duration.ZERO));

		assertThat(engine.isRunning()).isTrue();
		assertThat(peer.session().isOpen()).isTrue();
		assertThat(open(engine, "b").session().isOpen()).isTrue();
	}

	@Test
	void shutdownTwiceIsHarmless() {
		NotifierEngine engine = engine();
		Peer peer = open(engine, "a");

		engine.shutdown(RESTARTING, Duration.ofSeconds(1));
		engine.shutdown(CloseStatus.GOING_AWAY, Duration.ofSeconds(1));

		assertThat(peer.transport().closes()).containsExactly(RESTARTING);
	}

}
