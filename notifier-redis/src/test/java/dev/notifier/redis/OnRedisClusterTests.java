package dev.notifier.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import dev.notifier.core.NotifierEngine;
import dev.notifier.core.Presence;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of {@link ClusterTestApplication} on a real Redis Cluster of three nodes started by the test
 * ({@link RedisClusterProcesses}), through {@code spring.data.redis.cluster.nodes}: every group lives in the slot of
 * its name, on one node, with its lease, history and presence, and its broadcasts travel by sharded pub/sub.
 */
class OnRedisClusterTests {

	private static final Duration LEASE = Duration.ofMillis(900);

	private static RedisClusterProcesses redisCluster;

	private final String prefix = "notifier-test-" + UUID.randomUUID() + ":";

	private final List<ConfigurableApplicationContext> instances = new ArrayList<>();

	private final List<Viewer> viewers = new ArrayList<>();

	@BeforeAll
	static void startRedisCluster() throws Exception {
		redisCluster = RedisClusterProcesses.start(3);
	}

	@AfterAll
	static void stopRedisCluster() throws Exception {
		redisCluster.close();
	}

	@AfterEach
	void stopInstances() {
		this.viewers.forEach(Viewer::close);
		this.instances.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void eachGroupTravelsThroughTheNodeOfItsSlotOnlyAndReachesEveryInstanceInOrder() throws Exception {
		ConfigurableApplicationContext a = start("a");
		ConfigurableApplicationContext b = start("b");
		List<String> groups = oneGroupOnEachNode("tasks/");
		List<Viewer> onA = new ArrayList<>();
		for (String group : groups) {
			onA.add(join(a, group, null));
			join(b, group, null);
		}
		for (String group : groups) {
			String channel = channel(group);
			waiting("both instances subscribe to " + group + " on its node, sharded")
				.until(() -> shardNumsub(channel) == 2);
			for (RedisCommands<String, String> node : redisCluster.masters()) {
				assertThat(node.pubsubNumsub(channel).getOrDefault(channel, 0L)).as("no classic subscription")
					.isZero();
			}
		}

		List<String> lines = IntStream.rangeClosed(1, 100).mapToObj((n) -> "line " + n).toList();
		for (String line : lines) {
			groups.forEach((group) -> engine(b).broadcast(group, group + " " + line));
		}
		engine(b).broadcastAll("to every group");

		for (int index = 0; index < groups.size(); index++) {
			String group = groups.get(index);
			Viewer viewer = onA.get(index);
			waiting("a's viewer of " + group + " receives everything").until(() -> viewer.texts().size() == 101);
			// The broadcast to every group takes the classic channel, through another node: nothing orders it
			// against the group's own.
			assertThat(viewer.texts()).contains("to every group");
			assertThat(viewer.texts().stream().filter((text) -> !text.equals("to every group")))
				.as("once, in order")
				.isEqualTo(lines.stream().map((line) -> group + " " + line).toList());
		}
		assertThat(cluster(b).unpublished()).isZero();
	}

	@Test
	void historyLivesInTheSlotOfItsGroupAndAViewerResumesOnTheOtherInstance() throws Exception {
		String[] history = { "notifier.history.groups=tasks/*", "notifier.history.replay-last=100" };
		ConfigurableApplicationContext a = start("a", history);
		ConfigurableApplicationContext b = start("b", history);
		String group = oneGroupOnEachNode("tasks/").get(1);
		Viewer first = joinFramed(a, group);
		IntStream.rangeClosed(1, 3).forEach((n) -> engine(b).broadcast(group, "line " + n));
		waiting("a's viewer receives the three lines").until(() -> first.texts().size() >= 4);
		String second = first.texts().get(2);
		assertThat(second).matches("m [0-9a-z]+:2\nline 2");
		String position = second.substring(2, second.indexOf('\n'));
		assertThat(redisCluster.nodeOf(this.prefix + "history:{" + group + "}")
			.xlen(this.prefix + "history:{" + group + "}")).as("the group's stream, on the node of its slot")
			.isEqualTo(3);

		engine(a).broadcast(group, "line 4");
		Viewer resumed = joinFramed(b, group + "?lastEventId=" + position);
		waiting("the resumed viewer on b gets what followed line 2").until(() -> resumed.texts().size() >= 3);
		assertThat(resumed.texts().get(0)).contains("\"recovered\":true");
		assertThat(resumed.texts().subList(1, 3)).containsExactly(first.texts().get(3), "m " + epoch(position)
				+ ":4\nline 4");
	}

	@Test
	void aGroupHasOneWorkerWhoseLeaseIsOnTheNodeOfItsSlot() throws Exception {
		ConfigurableApplicationContext a = start("a");
		ConfigurableApplicationContext b = start("b");
		String ticker = oneGroupOnEachNode("ticker/").get(2);
		Viewer onA = join(a, ticker, null);
		Viewer onB = join(b, ticker, null);
		waiting("both viewers receive ticks").until(() -> onA.texts().size() >= 5 && onB.texts().size() >= 5);
		String lease = this.prefix + "worker:{" + ticker + "}";
		String holder = redisCluster.nodeOf(lease).get(lease);
		assertThat(holder).isIn(instanceId(a), instanceId(b));
		assertThat(onA.texts()).allMatch((tick) -> tick.startsWith(holder + " "));
		assertThat(onB.texts()).allMatch((tick) -> tick.startsWith(holder + " "));
	}

	@Test
	void presenceCountsTheUsersOfEveryInstanceAndAStoppedInstanceStopsCountingAtOnce() throws Exception {
		String presence = "notifier.presence.groups=chat/*";
		ConfigurableApplicationContext a = start("a", presence);
		ConfigurableApplicationContext b = start("b", presence);
		String group = oneGroupOnEachNode("chat/").get(0);
		join(a, group, "alice");
		join(b, group, "bob");

		Presence both = new Presence(group, 2, Map.of("alice", 1, "bob", 1), true);
		waiting("both instances see both users")
			.until(() -> engine(a).presence(group).equals(both) && engine(b).presence(group).equals(both));
		String aliveKey = this.prefix + "instance:{" + group + "}:" + instanceId(a) + "/1";
		assertThat(redisCluster.nodeOf(aliveKey).exists(aliveKey)).as("a's incarnation key of the group, in its slot")
			.isEqualTo(1);

		a.close();
		this.instances.remove(a);
		waiting("alice stops counting once a has stopped")
			.until(() -> engine(b).presence(group).equals(new Presence(group, 1, Map.of("bob", 1), true)));
	}

	@Test
	void aGroupWhoseSlotMovesToAnotherNodeIsSubscribedThereAndKeepsReceiving() throws Exception {
		ConfigurableApplicationContext a = start("a");
		ConfigurableApplicationContext b = start("b");
		String group = IntStream.range(0, 1000)
			.mapToObj((n) -> "moves/" + n)
			.filter((candidate) -> redisCluster.nodeOf(channel(candidate))
				.clusterCountKeysInSlot(SlotHash.getSlot(channel(candidate))) == 0)
			.findFirst()
			.orElseThrow();
		int slot = SlotHash.getSlot(channel(group));
		Viewer viewer = join(a, group, null);
		waiting("a subscribes to " + group).until(() -> shardNumsub(channel(group)) == 1);
		engine(b).broadcast(group, "before");
		waiting("the viewer receives the first broadcast").until(() -> viewer.texts().contains("before"));

		int from = redisCluster.indexOf(slot);
		redisCluster.moveSlot(slot, (from + 1) % 3);
		try {
			waiting("a subscribes again on the node that serves the slot now")
				.until(() -> shardNumsub(channel(group)) == 1);
			engine(b).broadcast(group, "after");
			waiting("the viewer receives what was broadcast after the move")
				.until(() -> viewer.texts().contains("after"));
		}
		finally {
			redisCluster.moveSlot(slot, from);
		}
	}

	@Test
	void aGroupWhoseMasterCrashesKeepsReceivingOnceItsReplicaHasTakenOver() throws Exception {
		try (RedisClusterProcesses withReplicas = RedisClusterProcesses.start(3, 1, Duration.ofSeconds(2))) {
			// What docs/cluster.md advises on a Redis Cluster: Lettuce then finds a failover soon, and no command
			// waits a minute for a node that is gone.
			String[] advised = { "spring.data.redis.lettuce.cluster.refresh.adaptive=true",
					"spring.data.redis.lettuce.cluster.refresh.period=2s", "spring.data.redis.timeout=2s" };
			ConfigurableApplicationContext a = start("a", withReplicas, advised);
			ConfigurableApplicationContext b = start("b", withReplicas, advised);
			String group = "crash/1";
			Viewer viewer = join(a, group, null);
			waiting("a subscribes to " + group)
				.until(() -> withReplicas.nodeOf(channel(group)).pubsubShardNumsub(channel(group)).get(channel(group)) == 1);
			engine(b).broadcast(group, "before");
			waiting("the viewer receives the first broadcast").until(() -> viewer.texts().contains("before"));

			withReplicas.crashMasterOf(channel(group));
			AtomicInteger sent = new AtomicInteger();
			Awaitility.await("the viewer receives a broadcast made after the replica took over")
				.atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> {
					engine(b).broadcast(group, "after " + sent.incrementAndGet());
					return viewer.texts().stream().anyMatch((text) -> text.startsWith("after "));
				});
			assertThat(viewer.isClosed()).isFalse();
		}
	}

	/** One group {@code <prefix><n>} whose channel is served by each node, in the order of the nodes. */
	private List<String> oneGroupOnEachNode(String prefix) {
		List<RedisCommands<String, String>> nodes = redisCluster.masters();
		return nodes.stream()
			.map((node) -> IntStream.range(0, 1000)
				.mapToObj((n) -> prefix + n)
				.filter((group) -> redisCluster.nodeOf(channel(group)) == node)
				.findFirst()
				.orElseThrow())
			.toList();
	}

	private String channel(String group) {
		return this.prefix + "group:{" + group + "}";
	}

	private long shardNumsub(String channel) {
		return redisCluster.nodeOf(channel).pubsubShardNumsub(channel).getOrDefault(channel, 0L);
	}

	private static String epoch(String position) {
		return position.substring(0, position.indexOf(':'));
	}

	private ConfigurableApplicationContext start(String name, String... properties) {
		return start(name, redisCluster, properties);
	}

	private ConfigurableApplicationContext start(String name, RedisClusterProcesses on, String... properties) {
		String id = name + "-" + UUID.randomUUID().toString().substring(0, 8);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(ClusterTestApplication.class)
			.properties("server.port=0", "notifier.cluster.mode=redis", "notifier.cluster.prefix=" + this.prefix,
					"notifier.cluster.instance-id=" + id, "notifier.cluster.worker-lease=" + LEASE.toMillis() + "ms",
					"notifier.workers.idle-timeout=200ms", "spring.data.redis.cluster.nodes=" + on.nodes(),
					"spring.main.banner-mode=off")
			.properties(properties)
			.run();
		this.instances.add(context);
		waiting(id + " connects to the Redis Cluster").until(() -> cluster(context).unavailable() == null);
		return context;
	}

	private Viewer join(ConfigurableApplicationContext instance, String group, @Nullable String user)
			throws Exception {
		int before = engine(instance).sessionCount(group);
		Viewer viewer = Viewer.join(port(instance), group, user);
		this.viewers.add(viewer);
		waiting(group + " has the new viewer").until(() -> engine(instance).sessionCount(group) > before);
		return viewer;
	}

	private Viewer joinFramed(ConfigurableApplicationContext instance, String groupAndQuery) throws Exception {
		String group = groupAndQuery.split("\\?", 2)[0];
		int before = engine(instance).sessionCount(group);
		Viewer viewer = Viewer.joinFramed(port(instance), groupAndQuery);
		this.viewers.add(viewer);
		waiting(group + " has the new viewer").until(() -> engine(instance).sessionCount(group) > before);
		return viewer;
	}

	private static int port(ConfigurableApplicationContext instance) {
		return ((WebServerApplicationContext) instance).getWebServer().getPort();
	}

	private static NotifierEngine engine(ConfigurableApplicationContext instance) {
		return instance.getBean(NotifierEngine.class);
	}

	private static RedisNotifierCluster cluster(ConfigurableApplicationContext instance) {
		return instance.getBean(RedisNotifierCluster.class);
	}

	private static String instanceId(ConfigurableApplicationContext instance) {
		return cluster(instance).instanceId();
	}

	private static ConditionFactory waiting(String alias) {
		return Awaitility.await(alias)
			.atMost(Duration.ofSeconds(10))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(10));
	}

}
