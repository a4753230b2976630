package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.notifier.core.RecordingTransport.Close;
import dev.notifier.core.RecordingTransport.Text;

/** Closing sessions: draining versus closing at once, and which statuses may be sent. */
class CloseTest extends EngineTestSupport {

	@Test
	void closeOfAnIdleSessionSendsTheCloseFrameWithItsStatus() {
		NotifierEngine engine = engine();
		Peer peer = open(engine, "a");
		CloseStatus status = new CloseStatus(4000, "done here");

		peer.session().close(status);

		assertThat(peer.session().isOpen()).isFalse();
		eventually().untilAsserted(() -> assertThat(peer.transport().closes()).containsExactly(status));
	}

	@Test
	void closeDrainsTheQueuedMessagesBeforeTheCloseFrame() {
		NotifierEngine engine = engine();
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "1");
		flush(engine);
		engine.broadcast("a", "2");
		engine.broadcast("a", "3");

		peer.session().close(CloseStatus.NORMAL);

		assertThat(peer.session().isOpen()).isFalse();
		assertThat(engine.sessionCount("a")).as("a draining session has left its group").isZero();
		assertThat(peer.transport().isClosed()).as("no close frame while messages wait").isFalse();

		peer.transport().completeAll();

		eventually().untilAsserted(() -> assertThat(peer.transport().events()).containsExactly(new Text("1"),
				new Text("2"), new Text("3"), new Close(CloseStatus.NORMAL)));
	}

	@Test
	void drainingSessionAcceptsNoNewMessages() {
		NotifierEngine engine = engine();
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "1");
		peer.session().close(CloseStatus.NORMAL);

		assertThat(peer.session().send("late")).isFalse();
		assertThat(engine.broadcastMultiple(List.of(peer.session()), "late")).isZero();

		peer.transport().completeAll();
		peer.awaitClosedWith(1000);
		assertThat(peer.texts()).containsExactly("1");
	}

	@Test
	void closeFrameIsSentOnceWhateverTheNumberOfCloses() {
		NotifierEngine engine = engine();
		Peer peer = open(engine, "a");

		peer.session().close(CloseStatus.NORMAL);
		peer.session().close(CloseStatus.POLICY_VIOLATION);
		engine.closeAll(CloseStatus.GOING_AWAY);
		((DefaultNotifierSession) peer.session()).closeNow(CloseStatus.SERVER_ERROR);

		peer.awaitClosedWith(1000);
		assertThat(peer.transport().closes()).containsExactly(CloseStatus.NORMAL);
	}

	@Test
	void closeNowDoesNotDrainTheQueue() {
		NotifierEngine engine = engine();
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "1");
		flush(engine);
		engine.broadcast("a", "2");

		((DefaultNotifierSession) peer.session()).closeNow(CloseStatus.SLOW_CONSUMER);

		peer.awaitClosedWith(1013);
		assertThat(peer.session().queuedMessages()).isZero();
		peer.transport().completeAll();
		assertThat(peer.texts()).containsExactly("1");
	}

	@Test
	void closeNowOfADrainingSessionStopsTheDrain() {
		NotifierEngine engine = engine();
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "1");
		flush(engine);
		engine.broadcast("a", "2");
		peer.session().close(CloseStatus.NORMAL);

		((DefaultNotifierSession) peer.session()).closeNow(CloseStatus.GOING_AWAY);
		peer.transport().completeAll();

		peer.awaitClosedWith(1001);
		assertThat(peer.transport().closes()).containsExactly(CloseStatus.GOING_AWAY);
		assertThat(peer.texts()).containsExactly("1");
	}

	@Test
	void closeOfAGroupClosesOnlyItsSessions() {
		NotifierEngine engine = engine();
		Peer a1 = open(engine, "a");
		Peer a2 = open(engine, "a");
		Peer b = open(engine, "b");

		assertThat(engine.close("a", CloseStatus.NORMAL)).isEqualTo(2);

		a1.awaitClosedWith(1000);
		a2.awaitClosedWith(1000);
		assertThat(b.session().isOpen()).isTrue();
		assertThat(b.transport().isClosed()).isFalse();
		assertThat(engine.groups()).containsExactly("b");
	}

	@Test
	void closeOfAnUnknownGroupClosesNothing() {
		NotifierEngine engine = engine();
		open(engine, "a");

		assertThat(engine.close("nobody", CloseStatus.NORMAL)).isZero();
		assertThat(engine.sessionCount()).isEqualTo(1);
	}

	@Test
	void closeAllClosesEverySessionWithTheStatus() {
		NotifierEngine engine = engine();
		Peer a = open(engine, "a");
		Peer b = open(engine, "b/c");
		Peer closedBefore = open(engine, "d");
		closedBefore.session().close(CloseStatus.NORMAL);

		assertThat(engine.closeAll(CloseStatus.POLICY_VIOLATION)).isEqualTo(2);

		a.awaitClosedWith(1008);
		b.awaitClosedWith(1008);
		assertThat(engine.sessionCount()).isZero();
		assertThat(engine.groups()).isEmpty();
	}

	@Test
	void closeAllDrainsEachSessionFirst() {
		NotifierEngine engine = engine();
		Peer busy = openHeld(engine, "a");
		engine.broadcast("a", "1");
		engine.broadcast("a", "2");

		engine.closeAll(CloseStatus.NORMAL);
		assertThat(busy.transport().isClosed()).isFalse();
		busy.transport().completeAll();

		busy.awaitClosedWith(1000);
		assertThat(busy.texts()).containsExactly("1", "2");
	}

	@Test
	void closeWithAnUnsendableStatusIsRefusedAndLeavesTheSessionOpen() {
		NotifierEngine engine = engine();
		Peer peer = open(engine, "a");

		assertThatIllegalArgumentException().isThrownBy(() -> peer.session().close(new CloseStatus(1006, "")));
		assertThatIllegalArgumentException().isThrownBy(() -> engine.close("a", new CloseStatus(1005, "")));
		assertThatIllegalArgumentException().isThrownBy(() -> engine.closeAll(new CloseStatus(999, "")));

		assertThat(peer.session().isOpen()).isTrue();
		assertThat(peer.transport().isClosed()).isFalse();
	}

	@Test
	void closeReportedByThePeerEndsTheSessionWithoutACloseFrame() {
		RecordingListener listener = new RecordingListener();
		NotifierEngine engine = engine(listener);
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "1");
		flush(engine);
		engine.broadcast("a", "2");

		peer.connection().onClosed(new CloseStatus(1006, "abnormal closure"));

		assertThat(peer.session().isOpen()).isFalse();
		assertThat(peer.session().queuedMessages()).isZero();
		assertThat(listener.disconnects).containsExactly(new CloseStatus(1006, "abnormal closure"));
		peer.transport().completeAll();
		assertThat(peer.texts()).containsExactly("1");
		assertThat(peer.transport().isClosed()).isFalse();
	}

	@Test
	void containerErrorClosesTheSessionWith1011() {
		RecordingListener listener = new RecordingListener();
		NotifierEngine engine = engine(listener);
		Peer peer = open(engine, "a");
		RuntimeException error = new RuntimeException("protocol error");

		peer.connection().onError(error);

		peer.awaitClosedWith(1011);
		assertThat(listener.errors).contains(error);
	}

}
