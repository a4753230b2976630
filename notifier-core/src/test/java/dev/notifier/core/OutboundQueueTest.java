package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.notifier.core.RecordingTransport.Ping;
import dev.notifier.core.RecordingTransport.Text;

/** The bounded outbound queue behind a send in flight, and the overflow policies. */
class OutboundQueueTest extends EngineTestSupport {

	@Test
	void everythingQueuedWhenTheWriterComesIsSentInOneWrite() {
		NotifierEngine engine = engine();
		Peer peer = openHeld(engine, "a");
		List.of("m0", "m1", "m2", "m3").forEach((message) -> engine.broadcast("a", message));

		peer.transport().completeAll();

		assertThat(peer.texts()).containsExactly("m0", "m1", "m2", "m3");
		assertThat(peer.transport().batches()).containsExactly(4);
	}

	@Test
	void messagesQueuedBehindAWriteInFlightGoOutTogetherInTheNextWrite() {
		NotifierEngine engine = engine();
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "m0");
		flush(engine);
		List.of("m1", "m2", "m3").forEach((message) -> engine.broadcast("a", message));

		peer.transport().completeAll();

		assertThat(peer.texts()).containsExactly("m0", "m1", "m2", "m3");
		assertThat(peer.transport().batches()).containsExactly(1, 3);
		assertThat(engine.statistics().writes()).isEqualTo(2);
		assertThat(engine.statistics().messagesSent()).isEqualTo(4);
	}

	@Test
	void oneWriteTakesAtMostTheBatchLimitBeyondItsFirstMessage() {
		NotifierEngine engine = engine();
		Peer peer = open(engine, "a");
		String quarter = "x".repeat(OutboundPipe.MAX_BATCH_BYTES / 4);
		for (int i = 0; i < 6; i++) {
			engine.broadcast("a", quarter);
		}

		assertThat(peer.texts()).hasSize(6);
		assertThat(peer.transport().batches()).containsExactly(4, 2);
	}

	@Test
	void broadcastOnlyQueuesTheWritersWrite() {
		NotifierEngine engine = engine();
		Peer peer = open(engine, "a");

		engine.broadcast("a", "1");

		assertThat(peer.session().queuedMessages()).as("queued until the writer runs").isEqualTo(1);
		assertThat(peer.texts()).containsExactly("1");
		assertThat(peer.session().queuedMessages()).isZero();
	}

	@Test
	void idleSessionHasNoQueue() {
		NotifierEngine engine = engine();
		Peer peer = open(engine, "a");

		engine.broadcast("a", "1");
		engine.broadcast("a", "2");
		flush(engine);

		assertThat(peer.session().queuedMessages()).isZero();
		assertThat(peer.session().queuedBytes()).isZero();
		assertThat(peer.texts()).containsExactly("1", "2");
	}

	@Test
	void messagesQueueBehindASendInFlight() {
		NotifierEngine engine = engine();
		Peer peer = openHeld(engine, "a");

		engine.broadcast("a", "first");
		flush(engine);
		engine.broadcast("a", "second");
		engine.broadcast("a", "third!");

		assertThat(peer.texts()).as("only one send is started").containsExactly("first");
		assertThat(peer.session().queuedMessages()).as("the one in flight is not counted").isEqualTo(2);
		assertThat(peer.session().queuedBytes()).isEqualTo("second".length() + "third!".length());
	}

	@Test
	void queuedBytesCountUtf8Bytes() {
		NotifierEngine engine = engine();
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "in flight");
		flush(engine);

		engine.broadcast("a", "ééé");
		engine.broadcast("a", new byte[10]);

		assertThat(peer.session().queuedBytes()).isEqualTo(6 + 10);
	}

	@Test
	void completingSendsDrainsTheQueueInOrder() {
		NotifierEngine engine = engine();
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "m1");
		flush(engine);
		for (int i = 2; i <= 5; i++) {
			engine.broadcast("a", "m" + i);
		}
		assertThat(peer.session().queuedMessages()).isEqualTo(4);
		assertThat(peer.session().queuedBytes()).isEqualTo(8);

		peer.transport().completeNext();
		assertThat(peer.texts()).containsExactly("m1", "m2", "m3", "m4", "m5");
		assertThat(peer.session().queuedMessages()).isZero();

		peer.transport().completeAll();

		assertThat(peer.texts()).containsExactly("m1", "m2", "m3", "m4", "m5");
		assertThat(peer.session().queuedMessages()).isZero();
		assertThat(peer.session().queuedBytes()).isZero();
		assertThat(peer.session().sentMessages()).isEqualTo(5);
		assertThat(peer.transport().maxHeld()).as("never two sends at once").isEqualTo(1);
	}

	@Test
	void sessionIsIdleAgainOnceItsQueueIsWrittenOut() {
		NotifierEngine engine = engine();
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "1");
		engine.broadcast("a", "2");
		peer.transport().completeAll();

		engine.broadcast("a", "3");

		assertThat(peer.texts()).containsExactly("1", "2", "3");
		assertThat(peer.session().queuedMessages()).isZero();
		assertThat(peer.transport().heldSends()).isEqualTo(1);
	}

	@Test
	void sessionsAreQueuedIndependently() {
		NotifierEngine engine = engine();
		Peer slow = openHeld(engine, "a");
		Peer fast = open(engine, "a");

		for (int i = 0; i < 5; i++) {
			engine.broadcast("a", "m" + i);
			flush(engine);
		}

		assertThat(fast.texts()).hasSize(5);
		assertThat(fast.session().queuedMessages()).isZero();
		assertThat(slow.texts()).hasSize(1);
		assertThat(slow.session().queuedMessages()).isEqualTo(4);
	}

	@Test
	void closePolicyClosesASlowConsumerWith1013WhenTheMessageLimitIsReached() {
		NotifierEngine engine = engine(options().maxQueuedMessages(3).overflow(OverflowPolicy.CLOSE));
		Peer slow = openHeld(engine, "a");

		int[] queued = new int[5];
		for (int i = 0; i < 5; i++) {
			queued[i] = engine.broadcast("a", "m" + i);
			flush(engine);
		}

		assertThat(queued).containsExactly(1, 1, 1, 1, 0);
		assertThat(slow.session().isOpen()).isFalse();
		slow.awaitClosedWith(1013);
		assertThat(slow.transport().closeStatus()).isEqualTo(CloseStatus.SLOW_CONSUMER);
		assertThat(slow.transport().closeStatus().reason()).isEqualTo("slow consumer");
		assertThat(engine.statistics().messagesDropped(OverflowPolicy.CLOSE)).isEqualTo(1);
		assertThat(engine.sessionCount("a")).isZero();
	}

	@Test
	void closePolicyLeavesTheOtherSessionsReceivingEverything() {
		NotifierEngine engine = engine(options().maxQueuedMessages(2).overflow(OverflowPolicy.CLOSE));
		Peer slow = openHeld(engine, "a");
		Peer fast = open(engine, "a");
		Peer held = openHeld(engine, "a");

		for (int i = 0; i < 10; i++) {
			engine.broadcast("a", "m" + i);
			if (held.transport().heldSends() > 0) {
				held.transport().completeNext();
			}
		}

		slow.awaitClosedWith(1013);
		assertThat(fast.texts()).hasSize(10);
		assertThat(held.texts()).hasSize(10);
		assertThat(fast.session().isOpen()).isTrue();
		assertThat(held.session().isOpen()).isTrue();
	}

	@Test
	void closePolicyClosesWhenTheByteLimitIsReached() {
		NotifierEngine engine = engine(options().maxQueuedBytes(10).overflow(OverflowPolicy.CLOSE));
		Peer slow = openHeld(engine, "a");
		engine.broadcast("a", "in flight");
		flush(engine);
		engine.broadcast("a", "12345");
		engine.broadcast("a", "12345");
		assertThat(slow.session().isOpen()).as("exactly at the limit still fits").isTrue();

		assertThat(engine.broadcast("a", "1")).isZero();

		slow.awaitClosedWith(1013);
	}

	@Test
	void closePolicyDoesNotWriteWhatWasQueuedBeforeTheOverflow() {
		NotifierEngine engine = engine(options().maxQueuedMessages(2).overflow(OverflowPolicy.CLOSE));
		Peer slow = openHeld(engine, "a");
		for (int i = 0; i < 4; i++) {
			engine.broadcast("a", "m" + i);
			flush(engine);
		}
		slow.awaitClosedWith(1013);

		slow.transport().completeAll();

		assertThat(slow.texts()).containsExactly("m0");
		assertThat(slow.session().queuedMessages()).isZero();
		assertThat(slow.session().queuedBytes()).isZero();
	}

	@Test
	void dropOldestKeepsTheNewestMessages() {
		NotifierEngine engine = engine(options().maxQueuedMessages(2).overflow(OverflowPolicy.DROP_OLDEST));
		Peer slow = openHeld(engine, "a");

		int[] queued = new int[5];
		for (int i = 0; i < 5; i++) {
			queued[i] = engine.broadcast("a", "m" + i);
			flush(engine);
		}
		slow.transport().completeAll();

		assertThat(queued).containsExactly(1, 1, 1, 1, 1);
		assertThat(slow.texts()).containsExactly("m0", "m3", "m4");
		assertThat(slow.session().droppedMessages()).isEqualTo(2);
		assertThat(engine.statistics().messagesDropped(OverflowPolicy.DROP_OLDEST)).isEqualTo(2);
		assertThat(engine.statistics().messagesDropped(OverflowPolicy.DROP_NEWEST)).isZero();
		assertThat(engine.statistics().messagesDropped(OverflowPolicy.CLOSE)).isZero();
		assertThat(slow.session().isOpen()).isTrue();
		assertThat(slow.transport().isClosed()).isFalse();
	}

	@Test
	void dropOldestDropsAsManyOldMessagesAsTheByteLimitNeeds() {
		NotifierEngine engine = engine(options().maxQueuedBytes(10).overflow(OverflowPolicy.DROP_OLDEST));
		Peer slow = openHeld(engine, "a");
		engine.broadcast("a", "in flight");
		flush(engine);
		engine.broadcast("a", "aaa");
		engine.broadcast("a", "bbb");
		engine.broadcast("a", "ccc");

		engine.broadcast("a", "dddddddd");

		assertThat(slow.session().queuedMessages()).isEqualTo(1);
		assertThat(slow.session().queuedBytes()).isEqualTo(8);
		assertThat(slow.session().droppedMessages()).isEqualTo(3);
		slow.transport().completeAll();
		assertThat(slow.texts()).containsExactly("in flight", "dddddddd");
	}

	@Test
	void dropOldestDropsOnlyAMessageThatCouldNeverFitTheByteLimit() {
		NotifierEngine engine = engine(options().maxQueuedBytes(10).overflow(OverflowPolicy.DROP_OLDEST));
		Peer slow = openHeld(engine, "a");
		engine.broadcast("a", "in flight");
		flush(engine);
		engine.broadcast("a", "aaa");
		engine.broadcast("a", "bbb");

		assertThat(engine.broadcast("a", "eleven byte")).isZero();

		assertThat(slow.session().droppedMessages()).isEqualTo(1);
		assertThat(engine.statistics().messagesDropped(OverflowPolicy.DROP_OLDEST)).isEqualTo(1);
		slow.transport().completeAll();
		assertThat(slow.texts()).as("emptying the queue would not have made room").containsExactly("in flight", "aaa",
				"bbb");
	}

	@Test
	void dropNewestKeepsWhatWasAlreadyQueued() {
		NotifierEngine engine = engine(options().maxQueuedMessages(2).overflow(OverflowPolicy.DROP_NEWEST));
		Peer slow = openHeld(engine, "a");

		int[] queued = new int[5];
		for (int i = 0; i < 5; i++) {
			queued[i] = engine.broadcast("a", "m" + i);
			flush(engine);
		}
		slow.transport().completeAll();

		assertThat(queued).containsExactly(1, 1, 1, 0, 0);
		assertThat(slow.texts()).containsExactly("m0", "m1", "m2");
		assertThat(slow.session().droppedMessages()).isEqualTo(2);
		assertThat(engine.statistics().messagesDropped(OverflowPolicy.DROP_NEWEST)).isEqualTo(2);
		assertThat(engine.statistics().messagesDropped(OverflowPolicy.DROP_OLDEST)).isZero();
		assertThat(slow.session().isOpen()).isTrue();
	}

	@Test
	void dropNewestAppliesTheByteLimit() {
		NotifierEngine engine = engine(options().maxQueuedBytes(10).overflow(OverflowPolicy.DROP_NEWEST));
		Peer slow = openHeld(engine, "a");
		engine.broadcast("a", "in flight");
		flush(engine);
		engine.broadcast("a", "123456");

		assertThat(engine.broadcast("a", "12345")).isZero();
		assertThat(engine.broadcast("a", "1234")).as("a smaller message still fits").isEqualTo(1);

		slow.transport().completeAll();
		assertThat(slow.texts()).containsExactly("in flight", "123456", "1234");
		assertThat(slow.session().droppedMessages()).isEqualTo(1);
	}

	@Test
	void dropPoliciesDoNotAffectTheOtherSessions() {
		NotifierEngine engine = engine(options().maxQueuedMessages(1).overflow(OverflowPolicy.DROP_NEWEST));
		openHeld(engine, "a");
		Peer fast = open(engine, "a");

		for (int i = 0; i < 20; i++) {
			engine.broadcast("a", "m" + i);
			flush(engine);
		}

		assertThat(fast.texts()).hasSize(20);
		assertThat(fast.session().droppedMessages()).isZero();
	}

	@Test
	void messageLargerThanTheByteLimitIsStillSentToAnIdleSession() {
		NotifierEngine engine = engine(options().maxQueuedBytes(4));
		Peer peer = open(engine, "a");

		assertThat(engine.broadcast("a", "longer than four bytes")).isEqualTo(1);
		assertThat(peer.texts()).containsExactly("longer than four bytes");
	}

	@Test
	void failedSendClosesTheSessionWith1011AndReportsTheError() {
		RecordingListener listener = new RecordingListener();
		NotifierEngine engine = engine(listener);
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "1");
		flush(engine);
		engine.broadcast("a", "2");
		IOException failure = new IOException("broken pipe");

		peer.transport().failNext(failure);

		peer.awaitClosedWith(1011);
		assertThat(listener.errors).containsExactly(failure);
		assertThat(peer.texts()).containsExactly("1");
		assertThat(peer.session().sentMessages()).isZero();
		assertThat(peer.session().queuedMessages()).isZero();
	}

	@Test
	void sendThatThrowsClosesTheSessionWith1011() {
		RecordingListener listener = new RecordingListener();
		NotifierEngine engine = engine(listener);
		Peer peer = open(engine, "a");
		IllegalStateException failure = new IllegalStateException("socket gone");
		peer.transport().throwOnSend(failure);

		engine.broadcast("a", "1");

		peer.awaitClosedWith(1011);
		assertThat(listener.errors).containsExactly(failure);
		assertThat(peer.session().isOpen()).isFalse();
	}

	@Test
	void pingDueDuringAWriteFollowsItBeforeTheQueuedMessages() {
		NotifierEngine engine = engine(options().heartbeatInterval(Duration.ofSeconds(10)));
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "1");
		flush(engine);
		engine.broadcast("a", "2");

		((DefaultNotifierSession) peer.session()).ping();
		assertThat(peer.transport().pings()).as("not while a write is in flight").isZero();

		peer.transport().completeAll();

		assertThat(peer.transport().events()).containsExactly(new Text("1"), new Ping(), new Text("2"));
		assertThat(peer.session().sentMessages()).as("a ping is not a message").isEqualTo(2);
	}

	@Test
	void onMessageSentIsNotifiedForEachWrittenMessageInOrder() {
		RecordingListener listener = new RecordingListener();
		NotifierEngine engine = engine(listener);
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "1");
		engine.broadcast("a", "2");
		assertThat(listener.sent).isEmpty();

		peer.transport().completeAll();

		assertThat(listener.sent).extracting(OutboundMessage::text).containsExactly("1", "2");
		assertThat(engine.statistics().messagesSent()).isEqualTo(2);
		assertThat(peer.session().sentMessages()).isEqualTo(2);
	}

}
