package dev.notifier.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import dev.notifier.core.RecordingTransport.Mode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class HistoryTest extends EngineTestSupport {

	private static final HistoryOptions TASKS = new HistoryOptions(List.of("tasks/*"), 1000, 1024 * 1024,
			Duration.ofMinutes(5), 0);

	private static final Pattern STATUS = Pattern
		.compile("s\n\\{\"epoch\":\"([0-9a-z]+)\",\"offset\":(\\d+),\"recovered\":(true|false)}");

	private NotifierEngine engine(HistoryOptions history, NotifierListener... listeners) {
		return engine(options().build(), MessageEncoder.NONE, history, listeners);
	}

	private NotifierEngine engine(NotifierOptions.Builder options, HistoryOptions history) {
		return engine(options.build(), MessageEncoder.NONE, history);
	}

	private static void broadcastLines(NotifierEngine engine, String group, int from, int to) {
		for (int i = from; i <= to; i++) {
			engine.broadcast(group, "line " + i);
		}
	}

	private static List<String> lines(int from, int to) {
		return IntStream.rangeClosed(from, to).mapToObj((i) -> "line " + i).toList();
	}

	@Test
	void aLateJoinerIsReplayedEveryMessageKeptBeforeLiveOnes() {
		NotifierEngine engine = engine(TASKS.replayingLast(Integer.MAX_VALUE));
		broadcastLines(engine, "tasks/1", 1, 3);

		Peer late = open(engine, "tasks/1");
		engine.broadcast("tasks/1", "line 4");

		assertThat(late.texts()).containsExactlyElementsOf(lines(1, 4));
	}

	@Test
	void aLateJoinerIsReplayedOnlyTheLatestMessagesItIsOwed() {
		NotifierEngine engine = engine(TASKS.replayingLast(2));
		broadcastLines(engine, "tasks/1", 1, 5);

		assertThat(open(engine, "tasks/1").texts()).containsExactly("line 4", "line 5");
	}

	@Test
	void withoutReplayALateJoinerGetsLiveMessagesOnly() {
		NotifierEngine engine = engine(TASKS);
		broadcastLines(engine, "tasks/1", 1, 3);
		Peer late = open(engine, "tasks/1");
		engine.broadcast("tasks/1", "line 4");

		assertThat(late.texts()).containsExactly("line 4");
	}

	@Test
	void broadcastsToAGroupWithNoSessionAreKept() {
		NotifierEngine engine = engine(TASKS.replayingLast(10));

		assertThat(engine.broadcast("tasks/1", "nobody watching")).isZero();
		assertThat(engine.history("tasks/1")).hasValueSatisfying((history) -> {
			assertThat(history.messages()).isEqualTo(1);
			assertThat(history.firstOffset()).isEqualTo(1);
			assertThat(history.lastOffset()).isEqualTo(1);
		});
		assertThat(open(engine, "tasks/1").texts()).containsExactly("nobody watching");
	}

	@Test
	void aGroupOutsideTheHistoryPatternsKeepsNothing() {
		NotifierEngine engine = engine(TASKS.replayingLast(10));
		engine.broadcast("chat/1", "hello");

		assertThat(engine.history("chat/1")).isEmpty();
		assertThat(open(engine, "chat/1").texts()).isEmpty();
	}

	@Test
	void aFramedSessionIsToldWhereItStandsAndGetsEveryMessageWithItsPosition() {
		NotifierEngine engine = engine(TASKS.replayingLast(1));
		broadcastLines(engine, "tasks/1", 1, 2);

		Peer peer = openFramed(engine, "tasks/1", null);
		engine.broadcast("tasks/1", "line 3");
		String epoch = engine.history("tasks/1").orElseThrow().epoch();

		assertThat(peer.texts()).containsExactly(status(epoch, 1, false), "m " + epoch + ":2\nline 2",
				"m " + epoch + ":3\nline 3");
	}

	@Test
	void aFramedSessionGetsMessagesWithoutPositionFramedToo() {
		NotifierEngine engine = engine(TASKS);
		Peer task = openFramed(engine, "tasks/1", null);
		Peer chat = openFramed(engine, "chat/1", null);

		engine.broadcastFilter("tasks/1", "filtered", (session) -> true);
		task.session().send("direct");
		engine.broadcast("chat/1", "hello");

		assertThat(task.texts()).hasSize(3).endsWith("m\nfiltered", "m\ndirect");
		assertThat(chat.texts()).containsExactly("s\n{\"recovered\":false}", "m\nhello");
	}

	@Test
	void aFramedBinaryMessageStartsWithTheHeaderLine() {
		NotifierEngine engine = engine(TASKS);
		Peer peer = openFramed(engine, "tasks/1", null);
		engine.broadcast("tasks/1", new byte[] { 1, 2, 3 });
		String epoch = engine.history("tasks/1").orElseThrow().epoch();

		byte[] header = ("m " + epoch + ":1\n").getBytes(StandardCharsets.US_ASCII);
		ByteBuffer expected = ByteBuffer.allocate(header.length + 3).put(header).put(new byte[] { 1, 2, 3 }).flip();
		assertThat(peer.transport().binaries()).singleElement()
			.satisfies((bytes) -> assertThat(ByteBuffer.wrap(bytes)).isEqualTo(expected));
	}

	@Test
	void aResumingSessionGetsExactlyTheMessagesItMissedOnceAndInOrder() {
		NotifierEngine engine = engine(TASKS.replayingLast(Integer.MAX_VALUE));
		Peer first = openFramed(engine, "tasks/1", null);
		broadcastLines(engine, "tasks/1", 1, 3);
		String epoch = engine.history("tasks/1").orElseThrow().epoch();
		first.session().close(CloseStatus.GOING_AWAY);
		broadcastLines(engine, "tasks/1", 4, 6);

		Peer again = openFramed(engine, "tasks/1", epoch + ":3");
		assertThat(again.texts()).containsExactly(status(epoch, 3, true), "m " + epoch + ":4\nline 4",
				"m " + epoch + ":5\nline 5", "m " + epoch + ":6\nline 6");
		assertThat(engine.statistics().resumesRecovered()).isEqualTo(1);
		assertThat(engine.statistics().messagesRecovered()).isEqualTo(3);

		engine.broadcast("tasks/1", "line 7");
		assertThat(again.texts()).hasSize(5).last().isEqualTo("m " + epoch + ":7\nline 7");
	}

	@Test
	void resumingFromTheLatestPositionRecoversWithNothingToReplay() {
		NotifierEngine engine = engine(TASKS.replayingLast(Integer.MAX_VALUE));
		broadcastLines(engine, "tasks/1", 1, 3);
		String epoch = engine.history("tasks/1").orElseThrow().epoch();

		assertThat(openFramed(engine, "tasks/1", epoch + ":3").texts()).containsExactly(status(epoch, 3, true));
	}

	@Test
	void resumingFromAnotherEpochIsNotRecoveredAndStartsOverWithTheReplay() {
		NotifierEngine engine = engine(TASKS.replayingLast(2));
		broadcastLines(engine, "tasks/1", 1, 3);
		String epoch = engine.history("tasks/1").orElseThrow().epoch();

		Peer peer = openFramed(engine, "tasks/1", "earlier0:2");

		assertThat(peer.texts()).containsExactly(status(epoch, 1, false), "m " + epoch + ":2\nline 2",
				"m " + epoch + ":3\nline 3");
		assertThat(engine.statistics().resumesFailed()).isEqualTo(1);
		assertThat(engine.statistics().messagesReplayed()).isEqualTo(2);
	}

	@Test
	void resumingFromAPositionWhoseFollowingMessagesAreGoneIsNotRecovered() {
		NotifierEngine engine = engine(new HistoryOptions(List.of("tasks/*"), 3, 1024, Duration.ofMinutes(5), 0));
		broadcastLines(engine, "tasks/1", 1, 6);
		String epoch = engine.history("tasks/1").orElseThrow().epoch();

		assertThat(openFramed(engine, "tasks/1", epoch + ":2").texts()).containsExactly(status(epoch, 6, false));
		assertThat(openFramed(engine, "tasks/1", epoch + ":3").texts()).first().isEqualTo(status(epoch, 3, true));
	}

	@Test
	void resumingFromAnOffsetTheStreamHasNotReachedIsNotRecovered() {
		NotifierEngine engine = engine(TASKS);
		broadcastLines(engine, "tasks/1", 1, 2);
		String epoch = engine.history("tasks/1").orElseThrow().epoch();

		assertThat(openFramed(engine, "tasks/1", epoch + ":9").texts()).containsExactly(status(epoch, 2, false));
	}

	@Test
	void aReplayLongerThanTheQueueLimitIsPacedThroughTheQueueWithoutOverflowing() {
		NotifierEngine engine = engine(options().maxQueuedMessages(16),
				new HistoryOptions(List.of("tasks/*"), 10_000, 10 * 1024 * 1024, Duration.ofMinutes(5),
						Integer.MAX_VALUE));
		broadcastLines(engine, "tasks/1", 1, 5000);

		Peer late = open(engine, "tasks/1", new RecordingTransport(Mode.HOLD));
		// Live broadcasts while the replay is under way: they are recorded, and the replay reaches them.
		late.transport().completeNext();
		broadcastLines(engine, "tasks/1", 5001, 5100);
		late.transport().completeAll();
		engine.broadcast("tasks/1", "line 5101");
		late.transport().completeAll();

		assertThat(late.texts()).containsExactlyElementsOf(lines(1, 5101));
		assertThat(late.session().isOpen()).isTrue();
		assertThat(late.transport().batches()).allSatisfy((size) -> assertThat(size).isGreaterThan(0))
			.hasSizeLessThan(200);
	}

	@Test
	void aSessionTooSlowForLiveBroadcastsReadsThemFromTheHistoryInsteadOfOverflowing() {
		NotifierEngine engine = engine(options().maxQueuedMessages(4), TASKS);
		Peer slow = open(engine, "tasks/1", new RecordingTransport(Mode.HOLD));
		Peer chat = open(engine, "chat/1", new RecordingTransport(Mode.HOLD));

		broadcastLines(engine, "tasks/1", 1, 100);
		slow.transport().completeAll();
		broadcastLines(engine, "tasks/1", 101, 102);
		slow.transport().completeAll();

		assertThat(slow.texts()).containsExactlyElementsOf(lines(1, 102));
		assertThat(slow.session().isOpen()).isTrue();
		assertThat(engine.statistics().messagesDropped(OverflowPolicy.CLOSE)).isZero();

		broadcastLines(engine, "chat/1", 1, 6);
		chat.awaitClosedWith(1013);
	}

	@Test
	void whatListenersSendOnConnectComesBeforeTheReplay() {
		NotifierListener greeter = new NotifierListener() {

			@Override
			public void onConnect(NotifierSession session) {
				session.send("welcome");
			}

		};
		NotifierEngine engine = engine(TASKS.replayingLast(Integer.MAX_VALUE), greeter);
		broadcastLines(engine, "tasks/1", 1, 2);

		assertThat(open(engine, "tasks/1").texts()).containsExactly("welcome", "line 1", "line 2");
	}

	@Test
	void aReplayThatTheHistoryOvertakesClosesTheSessionAsTooSlow() {
		NotifierEngine engine = engine(new HistoryOptions(List.of("tasks/*"), 50, 1024 * 1024, Duration.ofMinutes(5),
				Integer.MAX_VALUE));
		broadcastLines(engine, "tasks/1", 1, 50);
		Peer late = open(engine, "tasks/1", new RecordingTransport(Mode.HOLD));
		late.transport().flush();

		broadcastLines(engine, "tasks/1", 51, 200);
		late.transport().completeAll();

		late.awaitClosedWith(1013);
		assertThat(late.transport().closeStatus()).isEqualTo(DefaultNotifierSession.REPLAY_OVERRUN);
	}

	@Test
	void aSessionBroadcastingToTheOthersWhileItIsReplayedDoesNotGetItsOwnMessageBack() {
		NotifierEngine engine = engine(TASKS.replayingLast(Integer.MAX_VALUE));
		broadcastLines(engine, "tasks/1", 1, 3);
		Peer late = open(engine, "tasks/1", new RecordingTransport(Mode.HOLD));
		Peer other = open(engine, "tasks/1");
		late.transport().flush();

		// The replay's first batch is on its way: the replay, not the live delivery, reaches what follows.
		engine.broadcastOthers(late.session(), "from late");
		engine.broadcast("tasks/1", "line 4");
		late.transport().completeAll();

		assertThat(late.texts()).containsExactly("line 1", "line 2", "line 3", "line 4");
		assertThat(other.texts()).containsExactly("line 1", "line 2", "line 3", "from late", "line 4");
	}

	@Test
	void aGracefulCloseWritesOutTheReplayFirst() {
		NotifierEngine engine = engine(TASKS.replayingLast(Integer.MAX_VALUE));
		broadcastLines(engine, "tasks/1", 1, 3);
		Peer late = open(engine, "tasks/1", new RecordingTransport(Mode.HOLD));

		engine.close("tasks/1", CloseStatus.NORMAL);
		late.transport().completeAll();

		assertThat(late.texts()).containsExactlyElementsOf(lines(1, 3));
		late.awaitClosedWith(1000);
	}

	@Test
	void historyIsKeptWithinItsMessageAndByteLimits() {
		NotifierEngine engine = engine(new HistoryOptions(List.of("tasks/*"), 5, 30, Duration.ofMinutes(5), 0));
		broadcastLines(engine, "tasks/1", 1, 4);
		assertThat(engine.history("tasks/1").orElseThrow()).extracting(HistoryInfo::messages, HistoryInfo::bytes)
			.containsExactly(4, 24L);

		broadcastLines(engine, "tasks/1", 5, 9);
		HistoryInfo history = engine.history("tasks/1").orElseThrow();
		assertThat(history.messages()).isEqualTo(5);
		assertThat(history.bytes()).isEqualTo(30);
		assertThat(history.firstOffset()).isEqualTo(5);
		assertThat(history.lastOffset()).isEqualTo(9);

		engine.broadcast("tasks/1", "a message longer than thirty bytes of history");
		assertThat(engine.history("tasks/1").orElseThrow()).extracting(HistoryInfo::messages, HistoryInfo::firstOffset)
			.containsExactly(0, 11L);
	}

	@Test
	void messagesExpireAfterTheirTimeToLiveAndAStreamWithNothingLeftStartsOverWithANewEpoch() {
		NotifierEngine engine = engine(new HistoryOptions(List.of("tasks/*"), 100, 1024, Duration.ofSeconds(10),
				Integer.MAX_VALUE));
		engine.broadcast("tasks/1", "old");
		String firstEpoch = engine.history("tasks/1").orElseThrow().epoch();
		advance(Duration.ofSeconds(6));
		engine.broadcast("tasks/1", "newer");
		advance(Duration.ofSeconds(5));

		assertThat(open(engine, "tasks/1").texts()).containsExactly("newer");

		advance(Duration.ofSeconds(10));
		engine.sweepHistory();
		assertThat(engine.history("tasks/1")).as("kept while a session is in the group")
			.hasValueSatisfying((history) -> assertThat(history.messages()).isZero());

		engine.close("tasks/1", CloseStatus.NORMAL);
		engine.sweepHistory();
		assertThat(engine.history("tasks/1")).isEmpty();

		engine.broadcast("tasks/1", "new stream");
		assertThat(engine.history("tasks/1").orElseThrow()).satisfies((history) -> {
			assertThat(history.epoch()).isNotEqualTo(firstEpoch);
			assertThat(history.firstOffset()).isEqualTo(1);
		});
	}

	@Test
	void aHistoryThatOutlivesItsSessionsLetsAReturningSessionResume() {
		NotifierEngine engine = engine(TASKS);
		Peer first = openFramed(engine, "tasks/1", null);
		engine.broadcast("tasks/1", "line 1");
		String epoch = engine.history("tasks/1").orElseThrow().epoch();
		first.session().close(CloseStatus.GOING_AWAY);
		engine.broadcast("tasks/1", "line 2");
		engine.sweepHistory();

		assertThat(openFramed(engine, "tasks/1", epoch + ":1").texts()).containsExactly(status(epoch, 1, true),
				"m " + epoch + ":2\nline 2");
	}

	@Test
	void filteredBroadcastsAreNotRecorded() {
		NotifierEngine engine = engine(TASKS.replayingLast(10));
		engine.broadcast("tasks/1", "kept");
		open(engine, "tasks/1");
		engine.broadcastFilter("tasks/1", "filtered", (session) -> true);

		assertThat(open(engine, "tasks/1").texts()).containsExactly("kept");
	}

	@Test
	void broadcastsToAllAreRecordedInTheGroupsThatKeepHistory() {
		NotifierEngine engine = engine(TASKS.replayingLast(10));
		open(engine, "tasks/1");
		open(engine, "chat/1");
		assertThat(engine.broadcastAll("to all")).isEqualTo(2);

		assertThat(open(engine, "tasks/1").texts()).containsExactly("to all");
	}

	@Test
	void everyJoinerSeesTheStreamWithoutGapOrDuplicateWhilePublishersRaceIt() throws Exception {
		int messages = 3000;
		// Queues as large as the stream: this test is about order, not about slow consumers.
		NotifierEngine engine = engineWithWriterThreads(options().maxQueuedMessages(messages),
				new HistoryOptions(List.of("tasks/*"), messages, Long.MAX_VALUE, Duration.ofMinutes(5),
						Integer.MAX_VALUE));
		ExecutorService publishers = Executors.newFixedThreadPool(2);
		CountDownLatch start = new CountDownLatch(1);
		try {
			for (int publisher = 0; publisher < 2; publisher++) {
				int first = publisher * messages / 2;
				publishers.execute(() -> {
					awaitQuietly(start);
					for (int i = first; i < first + messages / 2; i++) {
						engine.broadcast("tasks/1", Integer.toString(i));
					}
				});
			}
			List<Peer> joiners = new ArrayList<>();
			start.countDown();
			for (int i = 0; i < 20; i++) {
				joiners.add(openFramed(engine, "tasks/1", null));
			}
			publishers.shutdown();
			assertThat(publishers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

			for (Peer joiner : joiners) {
				eventually().untilAsserted(() -> assertThat(offsets(joiner)).hasSize(messages));
				assertThat(offsets(joiner)).isSorted().doesNotHaveDuplicates().startsWith(1L).endsWith((long) messages);
			}
		}
		finally {
			publishers.shutdownNow();
		}
	}

	@Test
	void anEventStreamGetsEventsWithTheirPositionAsIdOneDataLinePerLineAndBinaryInBase64() {
		OutboundMessage text = NotifierProtocol.event(OutboundMessage.text("one\r\ntwo\nthree"),
				new StreamPosition("e1", 4));
		OutboundMessage binary = NotifierProtocol.event(OutboundMessage.binary(ByteBuffer.wrap(new byte[] { 0, 1, 2 })),
				null);

		assertThat(text.text()).isEqualTo("id: e1:4\ndata: one\ndata: two\ndata: three\n\n");
		assertThat(binary.text()).isEqualTo("event: binary\ndata: AAEC\n\n");
		assertThat(NotifierProtocol.status(Framing.EVENT_STREAM, new StreamPosition("e1", 4), true).text())
			.isEqualTo("event: status\ndata: {\"epoch\":\"e1\",\"offset\":4,\"recovered\":true}\n\n");
	}

	@Test
	void theLastEventIdHeaderOfAnEventSourceWinsOverTheQueryParameter() {
		HandshakeInfo handshake = new HandshakeInfo("tasks/1", null, null, Map.of("last-event-id", List.of("e2:9")),
				Map.of(NotifierProtocol.RESUME_PARAMETER, List.of("e1:1")));

		assertThat(NotifierProtocol.resumePosition(handshake)).isEqualTo(new StreamPosition("e2", 9));
	}

	@Test
	void aMalformedResumePositionIsRefusedWithASentence() {
		HandshakeInfo handshake = new HandshakeInfo("tasks/1", null, null, Map.of(),
				Map.of(NotifierProtocol.RESUME_PARAMETER, List.of("abc")));

		assertThatIllegalArgumentException().isThrownBy(() -> NotifierProtocol.resumePosition(handshake))
			.withMessage("invalid lastEventId: a stream position is written <epoch>:<offset>, but got 'abc'");
		assertThatIllegalArgumentException().isThrownBy(() -> StreamPosition.parse("e-1:5"))
			.withMessageContaining("letters and digits");
		assertThatIllegalArgumentException().isThrownBy(() -> StreamPosition.parse("e1:-5"))
			.withMessageContaining("a number of at most 18 digits");
	}

	@Test
	void historyOptionsOutOfRangeAreRefusedNamingTheSetting() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new HistoryOptions(List.of("tasks/*"), 0, 1, Duration.ofSeconds(1), 0))
			.withMessage("maxMessages must be positive");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new HistoryOptions(List.of("tasks/*"), 1, 1, Duration.ZERO, 0))
			.withMessage("timeToLive must be positive");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new HistoryOptions(List.of("tasks/*"), 1, 1, Duration.ofSeconds(1), -1))
			.withMessage("replayLast must not be negative");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new HistoryOptions(List.of("tasks/a*"), 1, 1, Duration.ofSeconds(1), 0))
			.withMessageContaining("invalid group pattern 'tasks/a*'");
	}

	/** The offsets of the recorded messages a framed session received, after checking its status frame. */
	private static List<Long> offsets(Peer peer) {
		List<String> texts = peer.texts();
		List<Long> offsets = new ArrayList<>();
		Matcher status = STATUS.matcher(texts.get(0));
		assertThat(status.matches()).as("status frame %s", texts.get(0)).isTrue();
		long expected = Long.parseLong(status.group(2));
		for (String text : texts.subList(1, texts.size())) {
			long offset = Long.parseLong(text.substring(text.indexOf(':') + 1, text.indexOf('\n')));
			offsets.add(offset);
		}
		if (!offsets.isEmpty()) {
			assertThat(offsets.get(0)).as("the first message follows the status").isEqualTo(expected + 1);
		}
		return offsets;
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
