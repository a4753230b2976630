package dev.notifier.core;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.notifier.core.RecordingTransport.Mode;

/**
 * Transports that complete a send inside the send method: the completion starts the next send, which completes at
 * once, and so on. The engine must not let that recursion grow the stack with the length of the queue.
 */
class InlineCompletionTest extends EngineTestSupport {

	private static final int MESSAGES = 5_000;

	private final ExecutorService completions = Executors.newFixedThreadPool(2);

	@AfterEach
	void stopCompletions() {
		this.completions.shutdownNow();
	}

	private static List<String> numbered(int count) {
		return IntStream.range(0, count).mapToObj((i) -> "m" + i).toList();
	}

	private NotifierEngine engineWithRoomFor(int messages) {
		return engine(options().maxQueuedMessages(messages).maxQueuedBytes(Long.MAX_VALUE));
	}

	@Test
	void thousandsOfQueuedMessagesCompletedInlineAreAllDeliveredInOrder() {
		NotifierEngine engine = engineWithRoomFor(MESSAGES);
		Peer peer = openHeld(engine, "a");
		numbered(MESSAGES).forEach((message) -> engine.broadcast("a", message));
		assertThat(peer.session().queuedMessages()).isEqualTo(MESSAGES - 1);

		peer.transport().mode(Mode.INLINE);
		peer.transport().completeNext();

		eventually().untilAsserted(() -> assertThat(peer.transport().messages()).isEqualTo(MESSAGES));
		assertThat(peer.texts()).containsExactlyElementsOf(numbered(MESSAGES));
		assertThat(peer.session().queuedMessages()).isZero();
		assertThat(peer.session().sentMessages()).isEqualTo(MESSAGES);
		assertThat(peer.transport().overlappingSends()).isZero();
	}

	@Test
	void sessionKeepsAcceptingMessagesWhileAHandedOffDrainRuns() {
		NotifierEngine engine = engineWithRoomFor(2 * MESSAGES);
		Peer peer = openHeld(engine, "a");
		numbered(MESSAGES).forEach((message) -> engine.broadcast("a", message));
		peer.transport().mode(Mode.INLINE);
		peer.transport().completeNext();

		for (int i = MESSAGES; i < 2 * MESSAGES; i++) {
			engine.broadcast("a", "m" + i);
		}

		eventually().untilAsserted(() -> assertThat(peer.transport().messages()).isEqualTo(2 * MESSAGES));
		assertThat(peer.texts()).containsExactlyElementsOf(numbered(2 * MESSAGES));
		assertThat(peer.transport().overlappingSends()).isZero();
	}

	@Test
	void closeAfterAnInlineDrainStillFollowsTheLastMessage() {
		NotifierEngine engine = engineWithRoomFor(MESSAGES);
		Peer peer = openHeld(engine, "a");
		numbered(MESSAGES).forEach((message) -> engine.broadcast("a", message));
		peer.session().close(CloseStatus.NORMAL);

		peer.transport().mode(Mode.INLINE);
		peer.transport().completeNext();

		peer.awaitClosedWith(1000);
		assertThat(peer.texts()).containsExactlyElementsOf(numbered(MESSAGES));
		List<RecordingTransport.Event> events = peer.transport().events();
		assertThat(events.get(events.size() - 1)).isEqualTo(new RecordingTransport.Close(CloseStatus.NORMAL));
	}

	@Test
	void inlineCompletionsAfterShutdownStillDrainEverythingWithoutOverflowingTheStack() {
		NotifierEngine engine = engineWithRoomFor(MESSAGES);
		Peer peer = openHeld(engine, "a");
		numbered(MESSAGES).forEach((message) -> engine.broadcast("a", message));
		engine.shutdown(CloseStatus.GOING_AWAY, Duration.ZERO);

		peer.transport().mode(Mode.INLINE);
		peer.transport().completeNext();

		peer.awaitClosedWith(1001);
		assertThat(peer.texts()).containsExactlyElementsOf(numbered(MESSAGES));
	}

	@Test
	void handOffsAfterShutdownShareOneDrainThreadInsteadOfAThreadEach() {
		Set<Thread> senders = ConcurrentHashMap.newKeySet();
		NotifierEngine engine = engine(options().maxQueuedMessages(MESSAGES).maxQueuedBytes(Long.MAX_VALUE),
				new NotifierListener() {

					@Override
					public void onMessageSent(NotifierSession session, OutboundMessage message) {
						senders.add(Thread.currentThread());
					}

				});
		List<Peer> peers = IntStream.range(0, 3).mapToObj((i) -> openHeld(engine, "a")).toList();
		numbered(MESSAGES).forEach((message) -> engine.broadcast("a", message));
		engine.shutdown(CloseStatus.GOING_AWAY, Duration.ZERO);

		for (Peer peer : peers) {
			peer.transport().mode(Mode.INLINE);
			peer.transport().completeNext();
		}

		for (Peer peer : peers) {
			peer.awaitClosedWith(1001);
			assertThat(peer.texts()).containsExactlyElementsOf(numbered(MESSAGES));
		}
		assertThat(senders).filteredOn((thread) -> thread.getName().startsWith("notifier-drain")).singleElement()
			.extracting(Thread::getName, as(InstanceOfAssertFactories.STRING))
			.matches("notifier-drain-\\d+");
	}

	@Test
	void manySessionsCompletedInlineEachReceiveEverything() {
		NotifierEngine engine = engineWithRoomFor(MESSAGES);
		List<Peer> peers = IntStream.range(0, 20).mapToObj((i) -> open(engine, "a")).toList();

		numbered(1_000).forEach((message) -> engine.broadcast("a", message));

		assertThat(peers).allSatisfy((peer) -> assertThat(peer.texts()).containsExactlyElementsOf(numbered(1_000)));
	}

	@Test
	void completionsOnAnotherThreadDeliverEverythingInOrder() {
		NotifierEngine engine = engineWithRoomFor(MESSAGES);
		Peer peer = open(engine, "a", new RecordingTransport(Mode.ASYNC, this.completions));

		numbered(MESSAGES).forEach((message) -> engine.broadcast("a", message));

		eventually().untilAsserted(() -> assertThat(peer.transport().messages()).isEqualTo(MESSAGES));
		assertThat(peer.texts()).containsExactlyElementsOf(numbered(MESSAGES));
		assertThat(peer.transport().overlappingSends()).isZero();
	}

}
