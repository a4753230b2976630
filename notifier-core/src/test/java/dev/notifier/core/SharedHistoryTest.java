package dev.notifier.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's copy of a cluster's {@link SharedHistory}: sessions waiting while it loads, broadcasts recorded
 * meanwhile, loads that fail or answer for a copy dropped meanwhile, and broadcasts that do not follow it. The
 * cluster here is one instance whose history lives in memory and loads only when the test says; the Redis cluster's
 * tests run the same paths against a real Redis server.
 */
class SharedHistoryTest extends EngineTestSupport {

	private static final HistoryOptions TASKS = new HistoryOptions(List.of("tasks/*"), 1000, 1024 * 1024,
			Duration.ofMinutes(5), Integer.MAX_VALUE);

	/** The status a session gets from a copy that could not load: empty, of an epoch of its own, not {@code e1}. */
	private static final String EMPTY_COPY_OF_ITS_OWN = "s\n\\{\"epoch\":\"[0-9a-z]{10}\","
			+ "\"offset\":0,\"recovered\":false}";

	private final InMemoryCluster cluster = new InMemoryCluster();

	private final NotifierEngine engine = engine((builder) -> builder.history(TASKS).cluster(this.cluster));

	@Test
	void sessionsJoiningWhileTheHistoryLoadsWaitForItAndOneLoadServesThemAll() {
		this.cluster.record("tasks/1", 1, 3);

		Peer fresh = openFramed(this.engine, "tasks/1", null);
		Peer resuming = openFramed(this.engine, "tasks/1", "e1:1");

		assertThat(fresh.texts()).as("parked until the history has loaded").isEmpty();
		assertThat(resuming.texts()).isEmpty();
		assertThat(this.cluster.loads).extracting(Load::group).containsExactly("tasks/1");
		this.cluster.answerLoad("tasks/1");
		assertThat(awaitTexts(fresh, 4)).containsExactly(status("e1", 0, false), message(1), message(2), message(3));
		assertThat(awaitTexts(resuming, 3)).containsExactly(status("e1", 1, true), message(2), message(3));
	}

	@Test
	void broadcastsRecordedWhileTheHistoryLoadsFollowWhatItLoadedOnceEach() {
		this.cluster.record("tasks/1", 1, 3);
		Peer peer = openFramed(this.engine, "tasks/1", null);
		SharedHistory.Loaded loaded = this.cluster.kept("tasks/1");

		// Recorded after the load read the history, received before its answer: once again, and two new ones.
		this.cluster.deliverAgain("tasks/1", 3);
		this.cluster.record("tasks/1", 4, 5);
		this.cluster.lastLoad("tasks/1").complete(loaded);
		this.engine.broadcast("tasks/1", "line 6");

		assertThat(awaitTexts(peer, 7)).containsExactly(status("e1", 0, false), message(1), message(2), message(3),
				message(4), message(5), message(6));
	}

	@Test
	void theAnswerOfALoadWhoseCopyWasDroppedDoesNotFillTheCopyOfASessionThatJoinedLater() {
		this.cluster.record("tasks/1", 1, 2);
		Peer left = openFramed(this.engine, "tasks/1", null);
		CompletableFuture<SharedHistory.Loaded> loadOfTheDroppedCopy = this.cluster.lastLoad("tasks/1");
		SharedHistory.Loaded readForTheDroppedCopy = this.cluster.kept("tasks/1");
		left.connection().onClosed(CloseStatus.GOING_AWAY);
		assertThat(this.engine.history("tasks/1")).as("the copy is dropped with the group's last session").isEmpty();
		// Recorded while this instance, with no session in the group, does not listen to it.
		this.cluster.recordUnseen("tasks/1", 3);
		this.cluster.recordUnseen("tasks/1", 4);
		Peer late = openFramed(this.engine, "tasks/1", null);

		loadOfTheDroppedCopy.complete(readForTheDroppedCopy);

		assertThat(this.cluster.loads).extracting(Load::group).containsExactly("tasks/1", "tasks/1");
		assertThat(this.engine.history("tasks/1")).as("the late session's copy still waits for a load of its own")
			.hasValueSatisfying((copy) -> assertThat(copy.epoch()).isNotEqualTo("e1"));
		this.cluster.answerLoad("tasks/1");
		this.engine.broadcast("tasks/1", "line 5");
		assertThat(awaitTexts(late, 6)).containsExactly(status("e1", 0, false), message(1), message(2), message(3),
				message(4), message(5));
		assertThat(late.session().isOpen()).isTrue();
	}

	@Test
	void aBroadcastSeenAlreadyIsIgnored() {
		Peer peer = loadedPeer();
		this.cluster.record("tasks/1", 1, 3);

		this.cluster.deliverAgain("tasks/1", 2);
		this.cluster.record("tasks/1", 4, 4);

		assertThat(peer.texts()).containsExactly(status("e1", 0, false), message(1), message(2), message(3),
				message(4));
		assertThat(peer.session().isOpen()).isTrue();
	}

	@Test
	void aBroadcastThatDoesNotFollowTheCopyClosesTheGroupsSessionsAndTheirResumeGetsWhatTheyMissed() {
		Peer peer = loadedPeer();
		Peer otherGroup = loadedPeer("tasks/2");
		this.cluster.record("tasks/1", 1, 2);

		this.cluster.recordUnseen("tasks/1", 3);
		this.cluster.record("tasks/1", 4, 4);

		peer.awaitClosedWith(1013);
		assertThat(peer.transport().closeStatus().reason()).isEqualTo("missed broadcasts: resume");
		assertThat(peer.texts()).containsExactly(status("e1", 0, false), message(1), message(2));
		assertThat(otherGroup.session().isOpen()).isTrue();
		assertThat(this.engine.history("tasks/1")).as("the copy is dropped").isEmpty();
		Peer resumed = openFramed(this.engine, "tasks/1", "e1:2");
		this.cluster.answerLoad("tasks/1");
		assertThat(awaitTexts(resumed, 3)).containsExactly(status("e1", 2, true), message(3), message(4));
	}

	@Test
	void whenTheHistoryCannotBeLoadedSessionsGoOnWithoutItUntilTheNextRecordedBroadcastClosesThemToResume() {
		this.cluster.record("tasks/1", 1, 2);
		Peer peer = openFramed(this.engine, "tasks/1", "e1:1");

		this.cluster.lastLoad("tasks/1").completeExceptionally(new IllegalStateException("Redis cannot be reached"));

		assertThat(awaitTexts(peer, 1)).singleElement()
			.asString()
			.as("an empty copy of an epoch of its own")
			.matches(EMPTY_COPY_OF_ITS_OWN);
		assertThat(peer.session().isOpen()).isTrue();
		this.cluster.record("tasks/1", 3, 3);
		peer.awaitClosedWith(1013);
		assertThat(peer.texts()).as("nothing of the epoch its copy does not have").hasSize(1);
	}

	@Test
	void aLoadThatHasFailedWhenItReturnsLetsTheJoiningSessionGoOnWithoutHistory() {
		this.cluster.record("tasks/1", 1, 2);
		this.cluster.failLoads = true;

		Peer peer = openFramed(this.engine, "tasks/1", "e1:1");

		assertThat(awaitTexts(peer, 1)).singleElement().asString().matches(EMPTY_COPY_OF_ITS_OWN);
		assertThat(peer.session().isOpen()).isTrue();
	}

	@Test
	void aLoadThatThrowsInsteadOfFailingLetsTheJoiningSessionAndTheNextOneGoOnWithoutHistory() {
		this.cluster.record("tasks/1", 1, 2);
		this.cluster.throwOnLoad = true;

		Peer first = openFramed(this.engine, "tasks/1", "e1:1");
		Peer second = openFramed(this.engine, "tasks/1", null);

		assertThat(awaitTexts(first, 1)).singleElement().asString().matches(EMPTY_COPY_OF_ITS_OWN);
		assertThat(awaitTexts(second, 1)).singleElement().asString().matches(EMPTY_COPY_OF_ITS_OWN);
	}

	/** A framed session of a group whose history has loaded, with nothing kept yet. */
	private Peer loadedPeer() {
		return loadedPeer("tasks/1");
	}

	private Peer loadedPeer(String group) {
		Peer peer = openFramed(this.engine, group, null);
		this.cluster.answerLoad(group);
		assertThat(awaitTexts(peer, 1)).containsExactly(status("e1", 0, false));
		return peer;
	}

	/**
	 * What a session received once it has this many messages: a session that waited for its group's history goes
	 * on on an I/O thread.
	 */
	private static List<String> awaitTexts(Peer peer, int count) {
		eventually().until(() -> peer.texts().size() >= count);
		return peer.texts();
	}

	/** A recorded message as a framed session receives it. */
	private static String message(int line) {
		return "m e1:" + line + "\nline " + line;
	}

	/**
	 * One instance of a cluster whose shared history lives in memory, in epoch {@code e1}: a broadcast is recorded at
	 * its group's next offset and handed back to the engine at once, on the caller's thread, as the cluster would on
	 * its own; a load is answered only when the test says.
	 */
	private static final class InMemoryCluster extends OneInstanceCluster implements SharedHistory {

		private final Map<String, List<OutboundMessage>> streams = new ConcurrentHashMap<>();

		/** The loads the engine asked for, in order; each is answered only when the test says. */
		final List<Load> loads = new CopyOnWriteArrayList<>();

		/** Whether a load fails at once, as a cluster's that is not running does. */
		volatile boolean failLoads;

		/** Whether a load throws instead of returning a stage, as a broken cluster's could. */
		volatile boolean throwOnLoad;

		ClusterNode node;

		@Override
		public boolean record(String group, OutboundMessage message, @Nullable String exceptSession,
				HistoryOptions limits) {
			this.node.deliverRecorded(group, append(group, message), message, exceptSession);
			return true;
		}

		/** Records "line n" for each n from the first to the last, as broadcasts on some instance. */
		void record(String group, int first, int last) {
			IntStream.rangeClosed(first, last)
				.forEach((line) -> record(group, OutboundMessage.text("line " + line), null, TASKS));
		}

		/** Records "line n" without handing it to this instance, as a broadcast it missed. */
		void recordUnseen(String group, int line) {
			append(group, OutboundMessage.text("line " + line));
		}

		/** Hands a recorded broadcast to this instance once more. */
		void deliverAgain(String group, long offset) {
			this.node.deliverRecorded(group, new StreamPosition("e1", offset),
					this.streams.get(group).get((int) offset - 1), null);
		}

		private synchronized StreamPosition append(String group, OutboundMessage message) {
			List<OutboundMessage> stream = this.streams.computeIfAbsent(group, (name) -> new ArrayList<>());
			stream.add(message);
			return new StreamPosition("e1", stream.size());
		}

		@Override
		public CompletionStage<Loaded> load(String group, HistoryOptions limits) {
			if (this.failLoads) {
				return CompletableFuture.failedFuture(new IllegalStateException("the cluster is not running"));
			}
			if (this.throwOnLoad) {
				throw new IllegalStateException("broken");
			}
			Load load = new Load(group, new CompletableFuture<>());
			this.loads.add(load);
			return load.answer();
		}

		/** The engine's latest load of a group. */
		CompletableFuture<Loaded> lastLoad(String group) {
			return this.loads.stream()
				.filter((load) -> load.group().equals(group))
				.reduce((earlier, later) -> later)
				.orElseThrow()
				.answer();
		}

		/** What the group's history keeps now. */
		synchronized Loaded kept(String group) {
			List<OutboundMessage> stream = this.streams.getOrDefault(group, List.of());
			List<Kept> kept = new ArrayList<>();
			for (int offset = 1; offset <= stream.size(); offset++) {
				kept.add(new Kept(offset, 0, stream.get(offset - 1)));
			}
			return new Loaded("e1", stream.size(), kept);
		}

		/** Answers the engine's latest load of a group with what its history keeps now. */
		void answerLoad(String group) {
			lastLoad(group).complete(kept(group));
		}

		@Override
		public void start(ClusterNode node) {
			this.node = node;
		}

		@Override
		public SharedHistory sharedHistory() {
			return this;
		}

	}

	/** A load the engine asked for, and its answer. */
	private record Load(String group, CompletableFuture<SharedHistory.Loaded> answer) {
	}

}
