package dev.notifier.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's side of the {@link NotifierCluster} contract, with two engines joined by an in-process cluster: what
 * the engine hands the cluster and what it does with what the cluster hands back. The Redis cluster's own tests run
 * the same contract against a real Redis server.
 */
class NotifierClusterTest extends EngineTestSupport {

	private final Map<String, String> leases = new ConcurrentHashMap<>();

	/** Presence of every member: sessions by "group instance user". */
	private final Map<String, Integer> presence = new ConcurrentHashMap<>();

	private final List<InProcessCluster> members = new CopyOnWriteArrayList<>();

	private final List<NotifierEngine> engines = new ArrayList<>();

	@AfterEach
	void shutDown() {
		this.engines.forEach((engine) -> engine.shutdown(CloseStatus.GOING_AWAY, Duration.ZERO));
	}

	/** Workers for {@code ticker/*} that broadcast "tick" every 20 ms. */
	private static GroupWorkerFactory ticker() {
		return new GroupWorkerFactory() {

			@Override
			public String groupPattern() {
				return "ticker/*";
			}

			@Override
			public GroupWorker create(String group) {
				return GroupWorker.periodic(Duration.ofMillis(20), (context) -> context.broadcast("tick"));
			}

		};
	}

	private InProcessCluster member(String id, GroupWorkerFactory... factories) {
		return member(id, List.of(), factories);
	}

	private InProcessCluster member(String id, List<NotifierListener> listeners, GroupWorkerFactory... factories) {
		InProcessCluster cluster = new InProcessCluster(id);
		NotifierEngine engine = NotifierEngine.builder(NotifierOptions.builder().build())
			.presence(List.of("chat/*"))
			.listeners(() -> listeners)
			.workers(() -> List.of(factories),
					new WorkerOptions(Duration.ofMillis(100), Duration.ofHours(1), Duration.ofMillis(200), 4,
							NotifierThreads.named("test-worker")))
			.cluster(cluster)
			.build();
		cluster.engine = engine;
		engine.start();
		this.engines.add(engine);
		return cluster;
	}

	@Test
	void aBroadcastReachesTheGroupOnEveryInstanceOnce() {
		InProcessCluster a = member("a");
		InProcessCluster b = member("b");
		Peer onA = open(a.engine, "tasks/1");
		Peer onB = open(b.engine, "tasks/1");
		Peer elsewhere = open(b.engine, "tasks/2");

		assertThat(a.engine.broadcast("tasks/1", "line")).as("queued on this instance").isEqualTo(1);

		// Written by each engine's own writer threads.
		eventually().until(() -> onA.texts().size() == 1 && onB.texts().size() == 1);
		assertThat(onA.texts()).containsExactly("line");
		assertThat(onB.texts()).containsExactly("line");
		assertThat(elsewhere.texts()).isEmpty();
	}

	@Test
	void theClusterLearnsWhichGroupsHaveLocalSessions() {
		InProcessCluster a = member("a");
		Peer first = open(a.engine, "tasks/1");
		Peer second = open(a.engine, "tasks/1");
		eventually().until(() -> a.occupied.equals(List.of("tasks/1")));

		first.session().close(CloseStatus.NORMAL);
		eventually().until(() -> a.engine.sessionCount("tasks/1") == 1);
		assertThat(a.emptied).isEmpty();
		second.session().close(CloseStatus.NORMAL);

		eventually().until(() -> a.emptied.equals(List.of("tasks/1")));
	}

	@Test
	void closingAGroupClosesItOnEveryInstanceButShuttingDownClosesOnlyThisOne() {
		InProcessCluster a = member("a");
		InProcessCluster b = member("b");
		Peer onA = open(a.engine, "tasks/1");
		Peer onB = open(b.engine, "tasks/1");
		Peer otherOnB = open(b.engine, "tasks/2");

		a.engine.close("tasks/1", CloseStatus.NORMAL.withReason("done"));
		onA.awaitClosedWith(1000);
		onB.awaitClosedWith(1000);

		a.engine.shutdown(CloseStatus.GOING_AWAY, Duration.ZERO);
		assertThat(otherOnB.session().isOpen()).isTrue();
	}

	@Test
	void sendingToAndClosingAUserReachesItsSessionsOnEveryInstance() {
		InProcessCluster a = member("a");
		InProcessCluster b = member("b");
		Peer aliceOnA = openAs(a.engine, "chat/lobby", "alice");
		Peer aliceOnB = openAs(b.engine, "tasks/1", "alice");
		Peer bobOnB = openAs(b.engine, "chat/lobby", "bob");

		assertThat(a.engine.sendToUser("alice", "hello")).as("queued on this instance").isEqualTo(1);
		eventually().until(() -> aliceOnA.texts().size() == 1 && aliceOnB.texts().size() == 1);
		assertThat(aliceOnA.texts()).containsExactly("hello");
		assertThat(bobOnB.texts()).isEmpty();

		assertThat(b.engine.closeUser("alice", CloseStatus.POLICY_VIOLATION)).as("closed on this instance").isEqualTo(1);
		aliceOnA.awaitClosedWith(1008);
		aliceOnB.awaitClosedWith(1008);
		assertThat(bobOnB.session().isOpen()).isTrue();
	}

	@Test
	void presenceCoversEveryInstanceAndAUserJoinsAndLeavesOnceInTheCluster() {
		PresenceTest.PresenceRecorder heardOnA = new PresenceTest.PresenceRecorder("**");
		PresenceTest.PresenceRecorder heardOnB = new PresenceTest.PresenceRecorder("**");
		InProcessCluster a = member("a", List.of(heardOnA));
		InProcessCluster b = member("b", List.of(heardOnB));
		Peer aliceOnA = openAs(a.engine, "chat/lobby", "alice");
		eventually().until(() -> heardOnA.events.size() == 1);
		Peer aliceOnB = openAs(b.engine, "chat/lobby", "alice");
		openAs(b.engine, "chat/lobby", "bob");
		open(b.engine, "chat/lobby");

		eventually().until(() -> a.engine.presence("chat/lobby")
			.equals(new Presence("chat/lobby", 4, Map.of("alice", 2, "bob", 1), true)));
		aliceOnA.session().close(CloseStatus.NORMAL);
		eventually().until(() -> b.engine.presence("chat/lobby").users().get("alice") == 1);
		aliceOnB.session().close(CloseStatus.NORMAL);

		eventually().until(() -> heardOnB.events.contains("leave chat/lobby alice"));
		assertThat(heardOnA.events).containsExactly("join chat/lobby alice");
		assertThat(heardOnB.events).containsExactly("join chat/lobby bob", "leave chat/lobby alice");
		assertThat(b.engine.presence("chat/lobby").users()).containsOnlyKeys("bob");
	}

	@Test
	void onlyTheInstanceHoldingTheLeaseRunsTheWorkerAndItReleasesItWhenTheWorkerEnds() {
		GroupWorkerFactory ticker = ticker();
		InProcessCluster a = member("a", ticker);
		InProcessCluster b = member("b", ticker);
		Peer onA = open(a.engine, "ticker/x");
		eventually().until(() -> a.engine.worker("ticker/x").isPresent());
		Peer onB = open(b.engine, "ticker/x");
		eventually().until(() -> b.leaseRequests.contains("ticker/x"));

		assertThat(b.engine.worker("ticker/x")).as("a holds the lease").isEmpty();
		assertThat(this.leases).containsEntry("ticker/x", "a");
		eventually().until(() -> onB.texts().size() >= 3);

		onA.session().close(CloseStatus.NORMAL);
		eventually().until(() -> a.engine.worker("ticker/x").isEmpty());
		assertThat(this.leases).doesNotContainKey("ticker/x");
		assertThat(b.engine.startWorker("ticker/x")).as("b takes over").isTrue();
		assertThat(this.leases).containsEntry("ticker/x", "b");
	}

	@Test
	void aWorkerWaitingForItsLeaseIsNotListedYet() throws Exception {
		CountDownLatch asked = new CountDownLatch(1);
		CountDownLatch granted = new CountDownLatch(1);
		GroupWorkerFactory ticker = ticker();
		InProcessCluster a = new InProcessCluster("a") {

			@Override
			public boolean acquireWorker(String group) {
				asked.countDown();
				try {
					return granted.await(5, TimeUnit.SECONDS) && super.acquireWorker(group);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return false;
				}
			}

		};
		NotifierEngine engine = NotifierEngine.builder(NotifierOptions.builder().build())
			.workers(() -> List.of(ticker), WorkerOptions.defaults())
			.cluster(a)
			.build();
		engine.start();
		this.engines.add(engine);
		Thread starter = new Thread(() -> engine.startWorker("ticker/x"));
		starter.start();
		assertThat(asked.await(5, TimeUnit.SECONDS)).isTrue();

		assertThat(engine.worker("ticker/x")).as("asking for the lease").isEmpty();
		assertThat(engine.workers()).isEmpty();
		granted.countDown();
		starter.join(5000);

		assertThat(engine.worker("ticker/x")).as("granted and launched").isPresent();
	}

	@Test
	void theEngineExposesItsClusterAndAClusterThatSaysNothingElseIsAvailableAndAnonymous() {
		InProcessCluster a = member("a");
		NotifierEngine alone = NotifierEngine.builder(NotifierOptions.builder().build()).build();

		assertThat(a.engine.cluster()).isSameAs(a);
		assertThat(alone.cluster()).isNull();
		assertThat(a.unavailable()).isNull();
		assertThat(a.instanceId()).isNull();
		assertThat(a.workerInstance("ticker/x")).isNull();
	}

	/** Every member sees what the others publish at once, on the publisher's thread; leases live in one map. */
	private class InProcessCluster implements NotifierCluster {

		private final String id;

		/** The engine this member belongs to, for the tests; the member itself only talks to its node. */
		private NotifierEngine engine;

		private ClusterNode node;

		final List<String> occupied = new CopyOnWriteArrayList<>();

		final List<String> emptied = new CopyOnWriteArrayList<>();

		final List<String> leaseRequests = new CopyOnWriteArrayList<>();

		InProcessCluster(String id) {
			this.id = id;
		}

		@Override
		public void start(ClusterNode node) {
			this.node = node;
			NotifierClusterTest.this.members.add(this);
		}

		@Override
		public void stop() {
			NotifierClusterTest.this.members.remove(this);
			NotifierClusterTest.this.leases.values().removeIf(this.id::equals);
		}

		@Override
		public Delivery delivery(Delivery local) {
			return (broadcast) -> {
				if (broadcast.target() != Broadcast.Target.GROUP_FILTER
						&& broadcast.target() != Broadcast.Target.SESSIONS) {
					String group = (broadcast.target() != Broadcast.Target.ALL) ? broadcast.group() : null;
					others().forEach((other) -> other.node.deliver(group, broadcast.message()));
				}
				return local.deliver(broadcast);
			};
		}

		@Override
		public void closed(@Nullable String group, CloseStatus status) {
			others().forEach((other) -> other.node.close(group, status));
		}

		@Override
		public void sentToUser(String user, OutboundMessage message) {
			others().forEach((other) -> other.node.deliverToUser(user, message));
		}

		@Override
		public void closedUser(String user, CloseStatus status) {
			others().forEach((other) -> other.node.closeUser(user, status));
		}

		@Override
		public boolean presenceChanged(String group, String user, int sessions) {
			String key = group + " " + this.id + " " + user;
			if (sessions > 0) {
				NotifierClusterTest.this.presence.put(key, sessions);
			}
			else {
				NotifierClusterTest.this.presence.remove(key);
			}
			return NotifierClusterTest.this.presence.keySet()
				.stream()
				.noneMatch((other) -> !other.equals(key) && other.startsWith(group + " ")
						&& other.endsWith(" " + user));
		}

		@Override
		public Map<String, Integer> presence(String group) {
			Map<String, Integer> users = new java.util.HashMap<>();
			NotifierClusterTest.this.presence.forEach((key, sessions) -> {
				if (key.startsWith(group + " ")) {
					users.merge(key.substring(key.indexOf(' ', group.length() + 1) + 1), sessions, Integer::sum);
				}
			});
			return users;
		}

		@Override
		public void groupOccupied(String group) {
			this.occupied.add(group);
		}

		@Override
		public void groupEmptied(String group) {
			this.emptied.add(group);
		}

		@Override
		public boolean acquireWorker(String group) {
			this.leaseRequests.add(group);
			return NotifierClusterTest.this.leases.computeIfAbsent(group, (free) -> this.id).equals(this.id);
		}

		@Override
		public void releaseWorker(String group) {
			NotifierClusterTest.this.leases.remove(group, this.id);
		}

		private List<InProcessCluster> others() {
			return NotifierClusterTest.this.members.stream().filter((member) -> member != this).toList();
		}

	}

}
