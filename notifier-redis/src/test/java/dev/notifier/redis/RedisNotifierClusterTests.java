package dev.notifier.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;

import dev.notifier.core.Broadcast;
import dev.notifier.core.Delivery;
import dev.notifier.core.HistoryOptions;
import dev.notifier.core.OutboundMessage;
import dev.notifier.redis.RecordingNode.Event;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two clusters in one JVM on the real Redis server, each with a {@link RecordingNode} in place of an engine, which
 * asks its cluster for a worker's lease as the engine does: where and how what one publishes is delivered on the
 * other, how leases move, and what a cluster that is not running answers. Each test has its own prefix.
 */
class RedisNotifierClusterTests {

	private final String prefix = "notifier-test-" + UUID.randomUUID() + ":";

	private final RedisClient client = RedisClient.create(RedisURI.create(TestRedis.uri().toString()));

	private final List<RedisNotifierCluster> clusters = new ArrayList<>();

	@AfterEach
	void stop() {
		stopClusters();
		this.client.shutdown();
	}

	/** Stops every cluster the test started, before their clients are shut down. */
	private void stopClusters() {
		this.clusters.forEach(RedisNotifierCluster::stop);
		this.clusters.clear();
	}

	@Test
	void whatAnotherInstancePublishedIsDeliveredOnTheInboundThreadNotOnLettucesEventLoop() {
		RecordingNode receiving = new RecordingNode("g");
		start("a", 100, receiving);
		Delivery publisher = start("b", 100, new RecordingNode()).delivery((broadcast) -> 0);

		publisher.deliver(toGroup("g", "hello"));

		waiting("a receives the message").until(() -> receiving.texts().contains("hello"));
		assertThat(receiving.events()).extracting(Event::thread).containsExactly("notifier-cluster-inbound-1");
	}

	@Test
	void whileADeliveryHoldsTheInboundThreadMessagesKeepArrivingAndThoseThatDoNotFitAreDroppedAndCounted() {
		RecordingNode receiving = new RecordingNode("g").holdFirstDelivery();
		RedisNotifierCluster a = start("a", 2, receiving);
		RedisNotifierCluster b = start("b", 100, new RecordingNode());
		Delivery publisher = b.delivery((broadcast) -> 0);
		publisher.deliver(toGroup("g", "1"));
		waiting("the first delivery has started").until(receiving::firstDeliveryStarted);

		IntStream.rangeClosed(2, 10).forEach((n) -> publisher.deliver(toGroup("g", Integer.toString(n))));

		waiting("Lettuce's event loop receives the rest meanwhile, dropping what does not fit")
			.until(() -> a.droppedInbound() == 8);
		receiving.release();
		waiting("the one that fitted is delivered after the first").until(() -> receiving.texts().size() == 2);
		assertThat(receiving.texts()).containsExactly("1", "2");
		assertThat(b.unpublished()).isZero();
	}

	@Test
	void stoppingReleasesEveryLeaseStillHeld() {
		RedisNotifierCluster a = start("a", 100, new RecordingNode());
		List<String> groups = IntStream.range(0, 50).mapToObj((n) -> "ticker/" + n).toList();
		groups.forEach((group) -> assertThat(a.acquireWorker(group)).as(group).isTrue());
		assertThat(leaseKeys()).hasSize(50);

		a.stop();

		assertThat(leaseKeys()).as("released at once, not left to expire").isEmpty();
	}

	@Test
	void stoppingWhileRedisDoesNotAnswerWaitsOnceForAllLeasesNotOnceForEach() throws Exception {
		try (TcpProxy proxy = new TcpProxy(TestRedis.uri())) {
			RedisClient throughProxy = RedisClient.create(RedisURI.create(proxy.url()));
			try {
				// A lease of 3s: each wait for Redis is at most 1s, so 20 releases one after the other would take 20s.
				RedisNotifierCluster a = start("a", 100, new RecordingNode(), throughProxy);
				IntStream.range(0, 20).forEach((n) -> assertThat(a.acquireWorker("ticker/" + n)).isTrue());
				proxy.freeze();

				long started = System.nanoTime();
				a.stop();

				assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2500));
			}
			finally {
				throughProxy.shutdown(Duration.ZERO, Duration.ofSeconds(1));
			}
		}
	}

	@Test
	void anInstanceWithSessionsInGroupsWhoseWorkersRunElsewhereChecksThemOncePerLeaseAndAsksOnlyWhenOneIsReleased()
			throws Exception {
		Duration lease = Duration.ofMillis(600);
		List<String> groups = IntStream.range(0, 10).mapToObj((n) -> "ticker/" + n).toList();
		try (RedisServerProcess server = RedisServerProcess.start()) {
			RedisClient client = RedisClient.create(RedisURI.create(server.url()));
			try {
				RedisNotifierCluster holder = start("a", new RecordingNode(), client, lease);
				groups.forEach((group) -> assertThat(holder.acquireWorker(group)).isTrue());
				RecordingNode watching = new RecordingNode(groups.toArray(String[]::new));
				start("b", watching, client, lease);
				waiting("b asks for each worker once, when it connects")
					.until(() -> watching.startWorkerRequests() == groups.size());
				Map<String, Long> before = commandCalls(server);
				long watchStarted = System.nanoTime();

				// Four leases, while a renews every third of one: b neither asks again nor polls per group.
				Awaitility.await("b asks for no worker while a renews its leases")
					.during(lease.multipliedBy(4))
					.atMost(lease.multipliedBy(6))
					.until(() -> watching.startWorkerRequests() == groups.size());

				Map<String, Long> after = commandCalls(server);
				long leases = Duration.ofNanos(System.nanoTime() - watchStarted).toMillis() / lease.toMillis() + 1;
				assertThat(after.get("set") - before.get("set")).as("SET NX sent meanwhile").isZero();
				assertThat(after.get("pttl") - before.get("pttl")).as("PTTL sent meanwhile: one per group and lease")
					.isPositive()
					.isLessThanOrEqualTo(groups.size() * (leases + 1));

				holder.releaseWorker("ticker/3");

				waiting("b asks as soon as a released it")
					.until(() -> watching.startWorkerRequests() == groups.size() + 1);
				assertThat(watching.hasWorker("ticker/3")).isTrue();
			}
			finally {
				stopClusters();
				client.shutdown();
			}
		}
	}

	@Test
	void theWorkersOfAHolderThatStopsAnsweringMoveToAnInstanceWithSessionsOnceTheirLeasesExpire() throws Exception {
		Duration lease = Duration.ofSeconds(1);
		List<String> groups = IntStream.range(0, 10).mapToObj((n) -> "ticker/" + n).toList();
		try (TcpProxy proxy = new TcpProxy(TestRedis.uri())) {
			RedisClient throughProxy = RedisClient.create(RedisURI.create(proxy.url()));
			try {
				RedisNotifierCluster holder = start("a", new RecordingNode(), throughProxy, lease);
				groups.forEach((group) -> assertThat(holder.acquireWorker(group)).isTrue());
				RecordingNode watching = new RecordingNode(groups.toArray(String[]::new));
				RedisNotifierCluster other = start("b", watching, this.client, lease);
				waiting("b asks for each worker once, when it connects")
					.until(() -> watching.startWorkerRequests() == groups.size());

				// As a crash looks to Redis: no renewal and no release from a any more.
				proxy.freeze();
				long frozen = System.nanoTime();

				waiting("b takes every worker over").until(() -> other.heldWorkers().size() == groups.size());
				assertThat(Duration.ofNanos(System.nanoTime() - frozen))
					.as("within half a lease of the leases' expiry, and a margin for the machine")
					.isLessThan(lease.multipliedBy(3).dividedBy(2).plusMillis(500));
				assertThat(groups).allMatch(watching::hasWorker);
			}
			finally {
				stopClusters();
				throughProxy.shutdown(Duration.ZERO, Duration.ofSeconds(1));
			}
		}
	}

	/** How many times the server ran each command since it started, from {@code INFO commandstats}. */
	private static Map<String, Long> commandCalls(RedisServerProcess server) {
		Map<String, Long> calls = new HashMap<>();
		for (String line : server.commands().info("commandstats").split("\r?\n")) {
			if (line.startsWith("cmdstat_")) {
				String command = line.substring("cmdstat_".length(), line.indexOf(':'));
				String count = line.substring(line.indexOf("calls=") + "calls=".length(), line.indexOf(','));
				calls.put(command, Long.parseLong(count));
			}
		}
		calls.putIfAbsent("set", 0L);
		calls.putIfAbsent("pttl", 0L);
		return calls;
	}

	@Test
	void aHistoryLoadFailsAtOnceWhileTheClusterIsNotRunningSoThatNoSessionWaitsForIt() {
		HistoryOptions limits = new HistoryOptions(List.of("tasks/*"), 1000, 1024 * 1024, Duration.ofMinutes(5), 0);
		RedisNotifierCluster notStarted = new RedisNotifierCluster(() -> this.client, options("a", 100));
		RedisNotifierCluster stopped = start("b", 100, new RecordingNode("tasks/1"));
		stopped.stop();

		assertThat(notStarted.sharedHistory().load("tasks/1", limits)).failsWithin(Duration.ZERO)
			.withThrowableOfType(ExecutionException.class)
			.withMessageContaining("the cluster is not running: not connected to Redis yet");
		assertThat(stopped.sharedHistory().load("tasks/1", limits)).failsWithin(Duration.ZERO)
			.withThrowableOfType(ExecutionException.class)
			.withMessageContaining("the cluster is not running: the cluster is stopped");
	}

	private List<String> leaseKeys() {
		try (StatefulRedisConnection<String, String> admin = this.client.connect()) {
			return admin.sync().keys(this.prefix + "worker:*");
		}
	}

	private RedisNotifierCluster start(String name, int inboundQueueSize, RecordingNode node) {
		return start(name, inboundQueueSize, node, this.client);
	}

	private RedisNotifierCluster start(String name, int inboundQueueSize, RecordingNode node, RedisClient client) {
		return start(name, inboundQueueSize, node, client, Duration.ofSeconds(3));
	}

	private RedisNotifierCluster start(String name, RecordingNode node, RedisClient client, Duration lease) {
		return start(name, 100, node, client, lease);
	}

	private RedisNotifierCluster start(String name, int inboundQueueSize, RecordingNode node, RedisClient client,
			Duration lease) {
		RedisNotifierCluster cluster = new RedisNotifierCluster(() -> client, options(name, inboundQueueSize, lease));
		this.clusters.add(cluster);
		node.leasingWorkersFrom(cluster);
		cluster.start(node);
		waiting(name + " connects and subscribes").until(() -> cluster.unavailable() == null);
		return cluster;
	}

	private RedisClusterOptions options(String name, int inboundQueueSize) {
		return options(name, inboundQueueSize, Duration.ofSeconds(3));
	}

	private RedisClusterOptions options(String name, int inboundQueueSize, Duration lease) {
		return new RedisClusterOptions(this.prefix, name, lease, Duration.ofSeconds(1), 1000, inboundQueueSize);
	}

	private static Broadcast toGroup(String group, String text) {
		return new Broadcast(Broadcast.Target.GROUP, group, OutboundMessage.text(text), null, List.of());
	}

	private static ConditionFactory waiting(String alias) {
		return Awaitility.await(alias)
			.atMost(Duration.ofSeconds(10))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(10));
	}

}
