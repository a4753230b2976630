package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.notifier.core.RecordingTransport.Mode;

/**
 * The write path: broadcasts only queue, writer threads write each session's backlog in batches, completions hand the
 * session back to its writer, and every session of a group sees the group's broadcasts in one order.
 */
class WritePathTest extends EngineTestSupport {

	private static final int MESSAGES = 5_000;

	private final ExecutorService threads = Executors.newFixedThreadPool(4);

	@AfterEach
	void stopThreads() {
		this.threads.shutdownNow();
	}

	private static List<String> numbered(String prefix, int count) {
		return IntStream.range(0, count).mapToObj((i) -> prefix + i).toList();
	}

	private NotifierEngine engineWithRoomFor(int messages) {
		return engine(options().maxQueuedMessages(messages).maxQueuedBytes(Long.MAX_VALUE));
	}

	@Test
	void thousandsOfQueuedMessagesAreWrittenInOrderInAFewBatchesOneSendAtATime() {
		NotifierEngine engine = engineWithRoomFor(MESSAGES);
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "first");
		flush(engine);
		numbered("m", MESSAGES).forEach((message) -> engine.broadcast("a", message));

		peer.transport().mode(Mode.INLINE);
		peer.transport().completeNext();

		assertThat(peer.texts()).hasSize(MESSAGES + 1).endsWith(numbered("m", MESSAGES).toArray(String[]::new));
		assertThat(peer.transport().batches()).hasSize(2).containsExactly(1, MESSAGES);
		assertThat(peer.session().sentMessages()).isEqualTo(MESSAGES + 1);
		assertThat(peer.transport().overlappingSends()).isZero();
	}

	@Test
	void manySessionsCompletedInlineEachReceiveEverything() {
		NotifierEngine engine = engineWithRoomFor(MESSAGES);
		List<Peer> peers = IntStream.range(0, 20).mapToObj((i) -> open(engine, "a")).toList();

		numbered("m", 1_000).forEach((message) -> engine.broadcast("a", message));

		assertThat(peers).allSatisfy((peer) -> assertThat(peer.texts()).containsExactlyElementsOf(numbered("m", 1_000)));
	}

	@Test
	void completionsOnAnotherThreadDeliverEverythingInOrder() {
		NotifierEngine engine = engineWithRoomFor(MESSAGES);
		Peer peer = open(engine, "a", new RecordingTransport(Mode.ASYNC, this.threads));

		numbered("m", MESSAGES).forEach((message) -> engine.broadcast("a", message));

		eventually().untilAsserted(() -> assertThat(peer.transport().messages()).isEqualTo(MESSAGES));
		assertThat(peer.texts()).containsExactlyElementsOf(numbered("m", MESSAGES));
		assertThat(peer.transport().overlappingSends()).isZero();
	}

	@Test
	void broadcastsNeverWriteOnTheCallersThreadTheWriterThreadsDo() {
		NotifierEngine engine = engineWithWriterThreads(options());
		Peer peer = open(engine, "a", new RecordingTransport(Mode.INLINE));

		engine.broadcast("a", "alone");

		eventually().untilAsserted(() -> assertThat(peer.texts()).containsExactly("alone"));
		assertThat(peer.transport().senderThreads()).singleElement().asString().matches("notifier-writer-\\d+");
	}

	@Test
	void everySessionOfAGroupSeesConcurrentBroadcastsInTheSameOrder() throws Exception {
		List<Peer> peers = broadcastConcurrently(10, 3, 500);
		List<String> order = peers.get(0).texts();
		assertThat(peers).allSatisfy((peer) -> assertThat(peer.texts()).isEqualTo(order));
		for (int p = 0; p < 3; p++) {
			String prefix = "p" + p + "-";
			assertThat(order.stream().filter((text) -> text.startsWith(prefix)).toList())
				.as("each publisher's own order").containsExactlyElementsOf(numbered(prefix, 500));
		}
	}

	/**
	 * Opens sessions of group {@code a} on an engine with writer threads, half written inline and half
	 * asynchronously, has publishers broadcast numbered messages at once, and waits until every session has all.
	 */
	private List<Peer> broadcastConcurrently(int sessions, int publisherCount, int messagesEach) throws Exception {
		NotifierEngine engine = engineWithWriterThreads(
				options().maxQueuedMessages(MESSAGES).maxQueuedBytes(Long.MAX_VALUE));
		List<Peer> peers = new ArrayList<>();
		for (int i = 0; i < sessions; i++) {
			peers.add(open(engine, "a", new RecordingTransport((i % 2 == 0) ? Mode.INLINE : Mode.ASYNC, this.threads)));
		}
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> publishers = new ArrayList<>();
		for (int p = 0; p < publisherCount; p++) {
			String prefix = "p" + p + "-";
			publishers.add(this.threads.submit(() -> {
				start.await();
				numbered(prefix, messagesEach).forEach((message) -> engine.broadcast("a", message));
				return null;
			}));
		}
		start.countDown();
		for (Future<?> publisher : publishers) {
			publisher.get(10, TimeUnit.SECONDS);
		}
		int all = publisherCount * messagesEach;
		eventually().untilAsserted(() -> assertThat(peers).allSatisfy((peer) -> assertThat(peer.texts()).hasSize(all)));
		return peers;
	}

	private List<Peer> openLarge(NotifierEngine engine, String group) {
		return IntStream.range(0, GroupIndex.LARGE_FAN_OUT).mapToObj((i) -> open(engine, group)).toList();
	}

	@Test
	void theWritersAppendALargeGroupsBroadcastsAMemberAtATimeAndWriteEachMemberOnce() {
		NotifierEngine engine = engine();
		ManualWrites writes = manualWrites(engine);
		List<Peer> large = openLarge(engine, "large");
		List<Peer> small = IntStream.range(0, GroupIndex.LARGE_FAN_OUT - 1)
			.mapToObj((i) -> open(engine, "small"))
			.toList();

		assertThat(engine.broadcast("small", "to the small group")).isEqualTo(GroupIndex.LARGE_FAN_OUT - 1);
		assertThat(small).allSatisfy((peer) -> assertThat(peer.session().queuedMessages()).isOne());
		for (String message : numbered("m", 3)) {
			assertThat(engine.broadcast("large", message)).as("addressed").isEqualTo(GroupIndex.LARGE_FAN_OUT);
		}
		assertThat(large).as("appended by the writers, not by the broadcasts")
			.allSatisfy((peer) -> assertThat(peer.session().queuedMessages()).isZero());

		assertThat(writes.run()).isEqualTo(2 * GroupIndex.LARGE_FAN_OUT - 1);
		assertThat(writes.passes()).as("one pass took all three").isOne();
		assertThat(large).allSatisfy((peer) -> {
			assertThat(peer.texts()).containsExactlyElementsOf(numbered("m", 3));
			assertThat(peer.transport().batches()).containsExactly(3);
		});
		assertThat(small).allSatisfy((peer) -> assertThat(peer.texts()).containsExactly("to the small group"));
	}

	@Test
	void aLargeGroupSplitsItsMembersByWriterAndEachShareGetsEverything() {
		NotifierEngine engine = engineWithManualWriters(2);
		ManualWrites writes = manualWrites(engine);
		List<Peer> large = openLarge(engine, "large");

		numbered("m", 5).forEach((message) -> engine.broadcast("large", message));
		writes.run();

		assertThat(writes.passes()).isEqualTo(2);
		assertThat(large).allSatisfy((peer) -> assertThat(peer.texts()).containsExactlyElementsOf(numbered("m", 5)));
	}

	@Test
	void aSessionsOwnMessageAndItsCloseComeAfterTheBroadcastsMadeBeforeThem() {
		NotifierEngine engine = engine();
		List<Peer> large = openLarge(engine, "large");

		engine.broadcast("large", "broadcast");
		large.get(0).session().send("own");
		large.get(1).session().close(CloseStatus.NORMAL);
		engine.close("large", CloseStatus.GOING_AWAY);
		flush(engine);

		assertThat(large.get(0).texts()).containsExactly("broadcast", "own");
		large.get(1).awaitClosedWith(1000);
		assertThat(large.get(1).texts()).containsExactly("broadcast");
		large.subList(2, large.size()).forEach((peer) -> peer.awaitClosedWith(1001));
		assertThat(large.subList(2, large.size())).allSatisfy((peer) -> assertThat(peer.texts()).containsExactly("broadcast"));
	}

	@Test
	void aSessionJoiningALargeGroupGetsNoneOfTheBroadcastsPendingBeforeIt() {
		NotifierEngine engine = engine();
		List<Peer> large = openLarge(engine, "large");
		engine.broadcast("large", "before");

		Peer late = open(engine, "large");
		engine.broadcast("large", "after");
		flush(engine);

		assertThat(late.texts()).containsExactly("after");
		assertThat(large).allSatisfy((peer) -> assertThat(peer.texts()).containsExactly("before", "after"));
	}

	@Test
	void aLargeGroupsPendingBroadcastsAreBoundedByTheQueueLimitTheBroadcastingThreadAppendsBeyondIt() {
		NotifierEngine engine = engine(options().maxQueuedMessages(4).maxQueuedBytes(Long.MAX_VALUE));
		List<Peer> large = openLarge(engine, "large");

		numbered("m", 3).forEach((message) -> engine.broadcast("large", message));
		assertThat(large).allSatisfy((peer) -> assertThat(peer.session().queuedMessages()).isZero());
		engine.broadcast("large", "m3");

		assertThat(large).allSatisfy((peer) -> assertThat(peer.session().queuedMessages()).isEqualTo(4));
		flush(engine);
		assertThat(large).allSatisfy((peer) -> assertThat(peer.texts()).containsExactlyElementsOf(numbered("m", 4)));
	}

	@Test
	void aMemberThatOverflowsInAPassIsClosedAndTheOthersGetEverything() {
		NotifierEngine engine = engine(options().maxQueuedMessages(3).maxQueuedBytes(Long.MAX_VALUE));
		List<Peer> large = new ArrayList<>(openLarge(engine, "large"));
		Peer stuck = openHeld(engine, "large");
		engine.broadcast("large", "in flight");
		flush(engine);

		numbered("m", 2).forEach((message) -> engine.broadcast("large", message));
		flush(engine);
		numbered("n", 2).forEach((message) -> engine.broadcast("large", message));
		flush(engine);

		stuck.awaitClosedWith(1013);
		assertThat(large).allSatisfy((peer) -> assertThat(peer.texts()).containsExactly("in flight", "m0", "m1", "n0",
				"n1"));
	}

	@Test
	void aFilteredBroadcastAndOneToTheOthersReachALargeGroupsRightMembersInTheGroupsOrder() {
		NotifierEngine engine = engine();
		List<Peer> large = openLarge(engine, "large");
		NotifierSession sender = large.get(0).session();
		NotifierSession chosen = large.get(1).session();

		assertThat(engine.broadcast("large", "all")).isEqualTo(GroupIndex.LARGE_FAN_OUT);
		assertThat(engine.broadcastOthers(sender, "others")).isEqualTo(GroupIndex.LARGE_FAN_OUT - 1);
		assertThat(engine.broadcastFilter("large", "chosen", (session) -> session == chosen)).isOne();
		flush(engine);

		assertThat(large.get(0).texts()).containsExactly("all");
		assertThat(large.get(1).texts()).containsExactly("all", "others", "chosen");
		assertThat(large.subList(2, large.size()))
			.allSatisfy((peer) -> assertThat(peer.texts()).containsExactly("all", "others"));
	}

	@Test
	void aGroupShrinkingBelowTheLargeSizeAppendsWhatIsPendingBeforeItsNextBroadcast() {
		NotifierEngine engine = engine();
		List<Peer> large = openLarge(engine, "large");
		engine.broadcast("large", "pending");

		large.get(0).session().close(CloseStatus.NORMAL);
		engine.broadcast("large", "appended at once");

		List<Peer> rest = large.subList(1, large.size());
		assertThat(rest).as("both appended by the broadcasting thread")
			.allSatisfy((peer) -> assertThat(peer.session().queuedMessages()).isEqualTo(2));
		flush(engine);
		assertThat(rest).allSatisfy((peer) -> assertThat(peer.texts()).containsExactly("pending", "appended at once"));
		assertThat(large.get(0).texts()).containsExactly("pending");
	}

	@Test
	void aLargeGroupsRecordedBroadcastsAreAppendedByTheBroadcastingThread() {
		NotifierEngine engine = engine(options().build(), MessageEncoder.NONE,
				new HistoryOptions(List.of("large"), 10, 1024 * 1024, Duration.ofMinutes(5), 0));
		List<Peer> large = openLarge(engine, "large");

		assertThat(engine.broadcast("large", "recorded")).isEqualTo(GroupIndex.LARGE_FAN_OUT);

		assertThat(large).allSatisfy((peer) -> assertThat(peer.session().queuedMessages()).isOne());
		flush(engine);
		assertThat(large).allSatisfy((peer) -> assertThat(peer.texts()).containsExactly("recorded"));
	}

	@Test
	void aLargeGroupSeesConcurrentBroadcastsInOneOrderOnTheWriterThreads() throws Exception {
		List<Peer> peers = broadcastConcurrently(GroupIndex.LARGE_FAN_OUT, 2, 200);
		List<String> order = peers.get(0).texts();
		assertThat(peers).allSatisfy((peer) -> assertThat(peer.texts()).isEqualTo(order));
		assertThat(peers).allSatisfy((peer) -> assertThat(peer.transport().overlappingSends()).isZero());
	}

	@Test
	void aWriteThatFailsBecauseTheEngineClosedTheSessionIsNotAnError() {
		RecordingListener listener = new RecordingListener();
		NotifierEngine engine = engine(listener);
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "in flight");
		flush(engine);

		((DefaultNotifierSession) peer.session()).closeNow(CloseStatus.SLOW_CONSUMER);
		peer.transport().failNext(new IOException("the connection was closed"));

		peer.awaitClosedWith(1013);
		assertThat(listener.errors).isEmpty();
		assertThat(peer.transport().closes()).containsExactly(CloseStatus.SLOW_CONSUMER);
	}

	@Test
	void aWriteThatFailsWhileTheSessionDrainsIsStillAnError() {
		RecordingListener listener = new RecordingListener();
		NotifierEngine engine = engine(listener);
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "in flight");
		flush(engine);
		peer.session().close(CloseStatus.NORMAL);
		IOException failure = new IOException("broken pipe");

		peer.transport().failNext(failure);

		peer.awaitClosedWith(1011);
		assertThat(listener.errors).containsExactly(failure);
	}

	@Test
	void aSessionStillDrainingAfterShutdownIsWrittenOutAndClosed() {
		NotifierEngine engine = engineWithWriterThreads(
				options().maxQueuedMessages(MESSAGES).maxQueuedBytes(Long.MAX_VALUE));
		Peer peer = open(engine, "a", new RecordingTransport(Mode.HOLD));
		numbered("m", MESSAGES).forEach((message) -> engine.broadcast("a", message));
		eventually().until(() -> peer.transport().heldSends() == 1);
		engine.shutdown(CloseStatus.GOING_AWAY, Duration.ZERO);

		peer.transport().mode(Mode.INLINE);
		peer.transport().completeNext();

		peer.awaitClosedWith(1001);
		assertThat(peer.texts()).containsExactlyElementsOf(numbered("m", MESSAGES));
	}

}
