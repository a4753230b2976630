package dev.notifier.redis;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.Presence;
import io.lettuce.core.KillArgs;
import io.lettuce.core.SetArgs;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two (or three) instances of one application, each a Spring Boot application on a random port, joined into one
 * cluster through a real Redis server, with real WebSocket clients. Each test has its own key and channel prefix.
 */
class RedisClusterTests extends RedisClusterTestSupport {

	private static final String[] HISTORY = { "notifier.history.groups=tasks/*", "notifier.history.replay-last=100" };

	private static final String PRESENCE = "notifier.presence.groups=chat/*";

	@Test
	void aBroadcastOnOneInstanceReachesTheGroupOnEveryInstanceOnceAndInOrder() throws Exception {
		Instance a = start("a");
		Instance b = start("b");
		Viewer onA = join(a, "tasks/1");
		Viewer onB = join(b, "tasks/1");
		awaitSubscribed("tasks/1", 2);

		List<String> sent = IntStream.rangeClosed(1, 200).mapToObj((n) -> "line " + n).toList();
		sent.forEach((line) -> b.engine().broadcast("tasks/1", line));

		waiting("both viewers receive all 200 lines").until(() -> onA.texts().size() >= 200 && onB.texts().size() >= 200);
		assertThat(onA.texts()).as("on the other instance, in order, once").isEqualTo(sent);
		assertThat(onB.texts()).as("on the publishing instance, without its own echo").isEqualTo(sent);
		assertThat(b.cluster().unpublished()).isZero();
		assertThat(a.cluster().droppedInbound()).isZero();
	}

	@Test
	void binaryMessagesAndObjectsEncodedOnceOnThePublisherArriveAsTheyWereSent() throws Exception {
		Instance a = start("a");
		Instance b = start("b");
		Viewer onA = join(a, "tasks/1");
		awaitSubscribed("tasks/1", 1);

		b.engine().broadcast("tasks/1", new byte[] { 0, 1, 2, (byte) 255 });
		b.engine().broadcast("tasks/1", Map.of("line", "compiling", "n", 2));
		b.engine().broadcast("tasks/1", "héllo \u2603");

		waiting("a's viewer receives the text messages").until(() -> onA.texts().size() == 2);
		assertThat(onA.binaries()).singleElement().isEqualTo(new byte[] { 0, 1, 2, (byte) 255 });
		assertThat(JsonMapper.builder().build().readTree(onA.texts().get(0)).get("line").asString())
			.isEqualTo("compiling");
		assertThat(onA.texts().get(1)).isEqualTo("héllo \u2603");
	}

	@Test
	void groupsStayIsolatedAcrossInstancesAndAnInstanceListensOnlyToGroupsItHasSessionsIn() throws Exception {
		Instance a = start("a");
		Instance b = start("b");
		Viewer first = join(a, "tasks/1");
		Viewer second = join(b, "tasks/2");
		awaitSubscribed("tasks/1", 1);
		awaitSubscribed("tasks/2", 1);
		assertThat(numsub("tasks/3")).as("nobody listens to a group without sessions").isZero();

		b.engine().broadcast("tasks/2", "for two");
		a.engine().broadcast("tasks/1", "for one");
		b.engine().broadcast("tasks/3", "for nobody");
		b.engine().broadcastAll("for all");

		waiting("both receive the broadcast to all")
			.until(() -> first.texts().contains("for all") && second.texts().contains("for all"));
		assertThat(first.texts()).containsExactly("for one", "for all");
		assertThat(second.texts()).containsExactly("for two", "for all");

		second.close();
		waiting("b unsubscribes once its last session of tasks/2 leaves").until(() -> numsub("tasks/2") == 0);
		assertThat(numsub("tasks/1")).isEqualTo(1);
	}

	@Test
	void closingAGroupOnOneInstanceClosesItOnEveryInstance() throws Exception {
		Instance a = start("a");
		Instance b = start("b");
		Viewer onA = join(a, "tasks/1");
		Viewer onB = join(b, "tasks/1");
		Viewer other = join(b, "tasks/2");
		awaitSubscribed("tasks/1", 2);

		a.engine().broadcast("tasks/1", "last line");
		a.engine().close("tasks/1", CloseStatus.NORMAL.withReason("done"));

		waiting("both viewers of tasks/1 are closed").until(() -> onA.isClosed() && onB.isClosed());
		assertThat(onB.closeCode()).isEqualTo(1000);
		assertThat(onB.texts()).as("what was broadcast before the close").containsExactly("last line");
		assertThat(other.isClosed()).isFalse();
	}

	@Test
	void aMessageToAUserReachesItsSessionsOnEveryInstanceInEveryGroupAndNobodyElse() throws Exception {
		Instance a = start("a");
		Instance b = start("b");
		Viewer aliceOnA = join(a, "chat/lobby", "alice");
		Viewer aliceOnB = join(b, "tasks/1", "alice");
		Viewer bobOnB = join(b, "chat/lobby", "bob");
		Viewer anonymousOnB = join(b, "chat/lobby");
		awaitUsersSubscribed(2);

		List<String> sent = IntStream.rangeClosed(1, 50).mapToObj((n) -> "for alice " + n).toList();
		sent.forEach((text) -> assertThat(a.engine().sendToUser("alice", text)).as("queued on a").isEqualTo(1));

		waiting("both of alice's viewers receive all 50")
			.until(() -> aliceOnA.texts().size() >= 50 && aliceOnB.texts().size() >= 50);
		assertThat(aliceOnB.texts()).as("on the other instance, in order, once").isEqualTo(sent);
		assertThat(aliceOnA.texts()).as("on the sending instance, without its own echo").isEqualTo(sent);
		assertThat(bobOnB.texts()).isEmpty();
		assertThat(anonymousOnB.texts()).isEmpty();
	}

	@Test
	void closingAUserClosesItsSessionsOnEveryInstanceAndLeavesOthersServed() throws Exception {
		Instance a = start("a");
		Instance b = start("b");
		Viewer aliceOnA = join(a, "chat/lobby", "alice");
		Viewer aliceOnB = join(b, "tasks/1", "alice");
		Viewer bobOnB = join(b, "chat/lobby", "bob");
		awaitUsersSubscribed(2);

		assertThat(a.engine().closeUser("alice", CloseStatus.POLICY_VIOLATION.withReason("account locked")))
			.as("closed on a")
			.isEqualTo(1);

		waiting("alice's viewers on both instances are closed").until(() -> aliceOnA.isClosed() && aliceOnB.isClosed());
		assertThat(aliceOnA.closeCode()).as("on the sending instance").isEqualTo(1008);
		assertThat(aliceOnA.closeReason()).as("on the sending instance").isEqualTo("account locked");
		assertThat(aliceOnB.closeCode()).as("on the other instance").isEqualTo(1008);
		assertThat(aliceOnB.closeReason()).as("on the other instance").isEqualTo("account locked");
		assertThat(bobOnB.isClosed()).isFalse();
		assertThat(a.engine().sendToUser("bob", "still here")).as("bob is not on a").isZero();
		waiting("bob still receives what is sent to him").until(() -> bobOnB.texts().contains("still here"));
	}

	@Test
	void presenceCoversEveryInstanceAndAUserJoinsAndLeavesOnceInTheCluster() throws Exception {
		Instance a = start("a", PRESENCE);
		Instance b = start("b", PRESENCE);
		Viewer aliceOnA = join(a, "chat/lobby", "alice");
		waiting("a announces alice").until(() -> a.presenceEvents().size() == 1);
		Viewer aliceOnB = join(b, "chat/lobby", "alice");
		join(b, "chat/lobby", "bob");
		join(b, "chat/lobby");

		Presence everyone = new Presence("chat/lobby", 4, Map.of("alice", 2, "bob", 1), true);
		waiting("both instances see everyone")
			.until(() -> a.engine().presence("chat/lobby").equals(everyone)
					&& b.engine().presence("chat/lobby").equals(everyone));
		JsonNode presence = get(a, "/actuator/notifier/chat/lobby").get("presence");
		assertThat(presence.get("users").get("bob").asInt()).as("b's user in a's endpoint").isEqualTo(1);
		assertThat(presence.get("sessions").asInt()).isEqualTo(4);
		assertThat(redis().hkeys(this.prefix + "presence:chat/lobby"))
			.as("a field per instance incarnation and user, anonymous sessions under the empty user")
			.containsExactlyInAnyOrder(a.id() + "/1\nalice", b.id() + "/1\nalice", b.id() + "/1\nbob", b.id() + "/1\n");

		aliceOnA.close();
		waiting("alice has one session left").until(() -> b.engine().presence("chat/lobby").users().get("alice") == 1);
		aliceOnB.close();
		waiting("b announces that alice left").until(() -> b.presenceEvents().contains("leave chat/lobby alice"));
		assertThat(a.presenceEvents()).containsExactly("join chat/lobby alice");
		assertThat(b.presenceEvents()).containsExactly("join chat/lobby bob", "leave chat/lobby alice");
		assertThat(a.engine().presence("chat/lobby").users()).containsOnlyKeys("bob");
	}

	@Test
	void theUsersOfAnInstanceCutOffFromRedisStopCountingWithinTheLeaseAndCountAgainWhenItIsBack() throws Exception {
		try (TcpProxy proxy = new TcpProxy(TestRedis.uri())) {
			Instance a = start("a", PRESENCE, "spring.data.redis.url=" + proxy.url());
			Instance b = start("b", PRESENCE);
			join(a, "chat/lobby", "alice");
			join(b, "chat/lobby", "bob");
			waiting("b sees alice").until(() -> b.engine().presence("chat/lobby").contains("alice"));

			proxy.cut();
			long cut = System.nanoTime();
			waiting("alice stops counting").until(() -> !b.engine().presence("chat/lobby").contains("alice"));
			assertThat(Duration.ofNanos(System.nanoTime() - cut)).as("within the lease")
				.isLessThan(LEASE.plusMillis(500));
			assertThat(a.engine().presence("chat/lobby"))
				.as("a, cut off, answers with what it knows, marked incomplete")
				.isEqualTo(new Presence("chat/lobby", 1, Map.of("alice", 1), false));

			proxy.resume();
			waiting("alice counts again once a is back")
				.until(() -> b.engine().presence("chat/lobby").equals(
						new Presence("chat/lobby", 2, Map.of("alice", 1, "bob", 1), true)));
		}
	}

	@Test
	void withSessionsOnBothInstancesExactlyOneWorkerTicksAndTheEndpointSaysWhichInstanceHoldsIt() throws Exception {
		Instance a = start("a");
		Instance b = start("b");
		Viewer onA = join(a, "ticker/x");
		Viewer onB = join(b, "ticker/x");

		waiting("both viewers receive 20 ticks").until(() -> onA.texts().size() >= 20 && onB.texts().size() >= 20);
		assertThat(a.engine().worker("ticker/x").isPresent() ^ b.engine().worker("ticker/x").isPresent())
			.as("exactly one instance runs the worker")
			.isTrue();
		Instance holder = a.engine().worker("ticker/x").isPresent() ? a : b;
		Instance other = (holder == a) ? b : a;
		assertOneWorker(onA.texts(), holder.id());
		assertOneWorker(onB.texts(), holder.id());
		assertThat(redis().get(this.prefix + "worker:ticker/x")).isEqualTo(holder.id());

		JsonNode overview = get(other, "/actuator/notifier");
		assertThat(overview.get("groups").get("ticker/x").get("workerInstance").asString()).isEqualTo(holder.id());
		JsonNode held = get(holder, "/actuator/notifier");
		assertThat(held.get("workers").get(0).get("instance").asString()).isEqualTo(holder.id());
	}

	@Test
	void whenTheInstanceHoldingTheLeaseStopsAnotherWithSessionsInTheGroupTakesTheWorkerOver() throws Exception {
		Instance a = start("a");
		Viewer onA = join(a, "ticker/x");
		waiting("a runs the worker").until(() -> a.engine().worker("ticker/x").isPresent());
		Instance b = start("b");
		Viewer onB = join(b, "ticker/x");
		waiting("b's viewer receives a's ticks").until(() -> onB.texts().size() >= 3);

		a.context().close();
		long stopped = System.nanoTime();

		waiting("b takes the worker over").until(() -> b.engine().worker("ticker/x").isPresent());
		assertThat(Duration.ofNanos(System.nanoTime() - stopped)).as("within the lease").isLessThan(LEASE);
		int before = onB.texts().size();
		waiting("b's viewer receives b's ticks").until(() -> onB.texts().size() >= before + 3);
		assertThat(onB.texts()).last().asString().startsWith(b.id() + " ");
		assertThat(onA.isClosed()).isTrue();
	}

	@Test
	void aWorkerWhoseLeaseAnotherHolderTookStopsAndAnInstanceWithSessionsTakesItOverWhenThatLeaseExpires()
			throws Exception {
		Instance a = start("a");
		Instance b = start("b");
		Viewer onA = join(a, "ticker/x");
		join(b, "ticker/x");
		waiting("one instance runs the worker").until(() -> workers(a, b) == 1);

		// A holder that then dies: its lease is never renewed nor released.
		redis().set(this.prefix + "worker:ticker/x", "dead", SetArgs.Builder.px(LEASE.toMillis()));
		long taken = System.nanoTime();

		waiting("the worker stops once its renewal finds another holder").until(() -> workers(a, b) == 0);
		waiting("a worker runs again once the dead holder's lease expired").until(() -> workers(a, b) == 1);
		assertThat(Duration.ofNanos(System.nanoTime() - taken)).as("taken over within half a lease of its expiry")
			.isLessThan(LEASE.multipliedBy(3).dividedBy(2).plusMillis(500));
		int before = onA.texts().size();
		waiting("ticks again").until(() -> onA.texts().size() >= before + 3);
	}

	@Test
	void deliveryAndLeasesResumeAfterTheInstancesRedisConnectionsAreKilled() throws Exception {
		Instance a = start("a");
		Instance b = start("b");
		Viewer onA = join(a, "tasks/1");
		Viewer tickerOnA = join(a, "ticker/x");
		join(b, "tasks/1");
		awaitSubscribed("tasks/1", 2);
		waiting("a runs the worker").until(() -> a.engine().worker("ticker/x").isPresent());

		int killed = killConnectionsOf(a);
		assertThat(killed).as("a's connections killed").isGreaterThanOrEqualTo(2);

		int[] n = { 0 };
		waiting("a broadcast from b reaches a again").until(() -> {
			b.engine().broadcast("tasks/1", "after " + ++n[0]);
			return onA.texts().stream().anyMatch((text) -> text.startsWith("after "));
		});
		waiting("a's health is UP again").until(() -> "UP".equals(health(a).get("status").asString()));
		List<String> sent = IntStream.rangeClosed(1, 50).mapToObj((i) -> "again " + i).toList();
		sent.forEach((line) -> b.engine().broadcast("tasks/1", line));
		waiting("all 50 arrive").until(() -> onA.texts().containsAll(sent));
		assertThat(onA.texts().stream().filter((text) -> text.startsWith("again ")).toList()).isEqualTo(sent);
		assertThat(redis().get(this.prefix + "worker:ticker/x")).as("the lease is still a's").isEqualTo(a.id());
		assertThat(tickerOnA.isClosed()).isFalse();
	}

	@Test
	void withoutRedisTheHealthIsDegradedWithTheReasonAndLocalDeliveryStillWorks() throws Exception {
		Instance lonely = start("lonely", "spring.data.redis.url=redis://127.0.0.1:1");
		Viewer viewer = join(lonely, "tasks/1");

		assertThat(lonely.engine().broadcast("tasks/1", "local")).isEqualTo(1);

		waiting("the viewer receives the local broadcast").until(() -> viewer.texts().contains("local"));
		JsonNode health = health(lonely);
		assertThat(health.get("status").asString()).isEqualTo("DEGRADED");
		assertThat(health.get("details").get("reason").asString()).startsWith("cannot connect to Redis");
		assertThat(lonely.cluster().unpublished()).isEqualTo(1);
	}

	@Test
	void whileRedisIsAwayTheHealthIsDegradedLocalDeliveryGoesOnAndWhenItComesBackSoDoSubscriptions() throws Exception {
		try (TcpProxy proxy = new TcpProxy(TestRedis.uri())) {
			Instance a = start("a", "spring.data.redis.url=" + proxy.url());
			Instance b = start("b");
			Viewer onA = join(a, "tasks/1");
			join(b, "tasks/1");
			awaitSubscribed("tasks/1", 2);

			proxy.cut();
			waiting("a's health turns DEGRADED").until(() -> "DEGRADED".equals(health(a).get("status").asString()));
			assertThat(health(a).get("details").get("reason").asString()).startsWith("lost the connection to Redis");
			a.engine().broadcast("tasks/1", "local while away");
			b.engine().broadcast("tasks/1", "from b while a is away");
			waiting("a's own broadcast reaches a's viewer").until(() -> onA.texts().contains("local while away"));

			proxy.resume();
			waiting("a's health is UP again").until(() -> "UP".equals(health(a).get("status").asString()));
			int[] n = { 0 };
			waiting("b's broadcasts reach a again").until(() -> {
				b.engine().broadcast("tasks/1", "after " + ++n[0]);
				return onA.texts().stream().anyMatch((text) -> text.startsWith("after "));
			});
			assertThat(onA.texts()).as("pub/sub has no history").doesNotContain("from b while a is away");
			assertThat(a.cluster().unpublished()).isGreaterThanOrEqualTo(1);
		}
	}

	@Test
	void aRedisOutageLeavesTheInstanceInItsReadinessGroupUntilTheEngineItselfIsDown() throws Exception {
		// Redis is shared: were a Redis outage DOWN, every instance would leave the load balancer at once.
		try (TcpProxy proxy = new TcpProxy(TestRedis.uri())) {
			Instance a = start("a", "spring.data.redis.url=" + proxy.url(),
					"management.endpoint.health.probes.enabled=true",
					"management.endpoint.health.group.readiness.include=readinessState,notifier",
					"management.health.redis.enabled=false");
			join(a, "tasks/1");

			proxy.cut();

			waiting("a's notifier health turns DEGRADED")
				.until(() -> "DEGRADED".equals(health(a).get("status").asString()));
			assertThat(send(a, "/actuator/health/notifier").statusCode()).as("the component itself").isEqualTo(200);
			HttpResponse<String> readiness = send(a, "/actuator/health/readiness");
			assertThat(readiness.statusCode()).as("readiness, notifier included").isEqualTo(200);
			assertThat(json(readiness).get("status").asString()).isEqualTo("UP");
			HttpResponse<String> overall = send(a, "/actuator/health");
			assertThat(overall.statusCode()).as("the application's health").isEqualTo(200);
			assertThat(json(overall).get("status").asString()).isEqualTo("UP");

			a.engine().shutdown(CloseStatus.GOING_AWAY, Duration.ZERO);
			assertThat(send(a, "/actuator/health/readiness").statusCode()).as("an engine that is down")
				.isEqualTo(503);
		}
	}

	@Test
	void aSubscriptionThatSilentlyStopsDeliveringIsFoundReplacedAndReported() throws Exception {
		try (TcpProxy proxy = new TcpProxy(TestRedis.uri())) {
			Instance a = start("a", "spring.data.redis.url=" + proxy.url(), "notifier.cluster.probe-interval=1s",
					"notifier.cluster.probe-timeout=300ms");
			Instance b = start("b");
			Viewer onA = join(a, "tasks/1");
			join(b, "tasks/1");
			awaitSubscribed("tasks/1", 2);

			// The connection stays open and Redis still counts a as a subscriber: only a probe can tell.
			assertThat(proxy.silencePubSub()).as("a's pub/sub connection").isEqualTo(1);
			b.engine().broadcast("tasks/1", "lost while silent");

			waiting("a reports its silent subscription").until(() -> "DEGRADED".equals(health(a).get("status").asString()));
			assertThat(health(a).get("details").get("reason").asString())
				.contains("pub/sub subscription stopped delivering");
			waiting("a is UP again once a probe comes back on the new connection")
				.until(() -> "UP".equals(health(a).get("status").asString()));
			assertThat(meter(a, "notifier.cluster.pubsub.restarts")).isGreaterThanOrEqualTo(1);
			b.engine().broadcast("tasks/1", "after the restart");
			waiting("b's broadcasts reach a again").until(() -> onA.texts().contains("after the restart"));
			assertThat(onA.texts()).doesNotContain("lost while silent");
		}
	}

	@Test
	void aHolderCutOffFromRedisStopsItsWorkerBeforeAnotherInstanceTakesItOver() throws Exception {
		// A lease long enough that a loaded machine's scheduling delays stay well within its last third.
		Duration lease = Duration.ofSeconds(3);
		try (TcpProxy proxy = new TcpProxy(TestRedis.uri())) {
			Instance a = start("a", "spring.data.redis.url=" + proxy.url(),
					"notifier.cluster.worker-lease=" + lease.toMillis() + "ms");
			Viewer onA = join(a, "ticker/x");
			waiting("a runs the worker").until(() -> a.engine().worker("ticker/x").isPresent());
			Instance b = start("b", "notifier.cluster.worker-lease=" + lease.toMillis() + "ms");
			Viewer onB = join(b, "ticker/x");
			waiting("b's viewer receives a's ticks").until(() -> onB.texts().size() >= 3);

			proxy.cut();
			long cut = System.nanoTime();

			waiting("b takes the worker over, never while a still runs it").until(() -> {
				assertThat(workers(a, b)).as("workers running").isLessThanOrEqualTo(1);
				return b.engine().worker("ticker/x").isPresent();
			});
			assertThat(Duration.ofNanos(System.nanoTime() - cut)).as("within half a lease of the lease's expiry")
				.isLessThan(lease.multipliedBy(3).dividedBy(2).plusMillis(500));
			int before = onA.texts().size();
			a.engine().broadcast("ticker/x", "a is still local");
			waiting("a's viewer still gets a's local broadcast").until(() -> onA.texts().size() > before);
		}
	}

	@Test
	void shuttingDownWithManyRunningWorkersWhileRedisDoesNotAnswerWaitsOnceForAllTheirLeases() throws Exception {
		try (TcpProxy proxy = new TcpProxy(TestRedis.uri())) {
			Instance a = start("a", "spring.data.redis.url=" + proxy.url(), "notifier.cluster.worker-lease=6s");
			startWorkers(a, 20);
			proxy.freeze();

			assertShutdownWaitsOnceForRedis(a);
		}
	}

	@Test
	void shuttingDownWithWorkersOnTwoShardsWhileNeitherAnswersWaitsOnceForBothShards() throws Exception {
		try (RedisServerProcess first = RedisServerProcess.start();
				RedisServerProcess second = RedisServerProcess.start();
				TcpProxy toFirst = new TcpProxy(URI.create(first.url()));
				TcpProxy toSecond = new TcpProxy(URI.create(second.url()))) {
			Instance a = start("a", "notifier.cluster.shards=" + toFirst.url() + "," + toSecond.url(),
					"notifier.cluster.worker-lease=6s");
			startWorkers(a, 20);
			ShardRing ring = new ShardRing(2);
			assertThat(a.cluster().heldWorkers()).as("leases on either shard")
				.anyMatch((group) -> ring.shard(group) == 0)
				.anyMatch((group) -> ring.shard(group) == 1);
			toFirst.freeze();
			toSecond.freeze();

			assertShutdownWaitsOnceForRedis(a);
		}
	}

	/** Starts the workers of {@code ticker/0} to {@code ticker/<count - 1>}, without sessions, each with its lease. */
	private static void startWorkers(Instance instance, int count) {
		IntStream.range(0, count)
			.forEach((n) -> assertThat(instance.engine().startWorker("ticker/" + n, Duration.ofMinutes(5))).isTrue());
		assertThat(instance.cluster().heldWorkers()).hasSize(count);
	}

	/**
	 * With a lease of 6s, every wait for Redis is at most 2s (a third of the lease, at most 2s): released one after
	 * the other, on the engine's four launch threads or shard after shard, the leases would hold the shutdown up for
	 * several of those, one wait per lease until the watchdog drops them (two thirds of the lease).
	 */
	private static void assertShutdownWaitsOnceForRedis(Instance instance) {
		long started = System.nanoTime();
		instance.engine().shutdown(CloseStatus.GOING_AWAY, Duration.ZERO);

		assertThat(Duration.ofNanos(System.nanoTime() - started)).as("one wait of 2s, not several")
			.isLessThan(Duration.ofSeconds(4));
	}

	@Test
	void anInstanceStartedWhileRedisIsDownJoinsTheClusterWhenRedisComesUp() throws Exception {
		try (TcpProxy proxy = new TcpProxy(TestRedis.uri())) {
			proxy.cut();
			Instance a = start("a", "spring.data.redis.url=" + proxy.url(), "notifier.cluster.reconnect-max-delay=200ms");
			Viewer onA = join(a, "ticker/x");
			assertThat(health(a).get("details").get("reason").asString()).startsWith("cannot connect to Redis");
			assertThat(a.engine().worker("ticker/x")).as("no worker without a lease").isEmpty();
			Instance b = start("b");
			join(b, "tasks/1");

			proxy.resume();
			waiting("a connects").until(() -> "UP".equals(health(a).get("status").asString()));
			waiting("a takes the worker of its group").until(() -> a.engine().worker("ticker/x").isPresent());
			awaitSubscribed("ticker/x", 1);
			waiting("a's viewer ticks").until(() -> onA.texts().size() >= 3);
			b.engine().broadcastAll("hello everyone");
			waiting("a's viewer gets b's broadcast to all").until(() -> onA.texts().contains("hello everyone"));
		}
	}

	@Test
	void withTwoShardsEachGroupLivesOnItsOwnServerAndBroadcastsReachEveryInstance() throws Exception {
		try (RedisServerProcess first = RedisServerProcess.start();
				RedisServerProcess second = RedisServerProcess.start()) {
			String shards = "notifier.cluster.shards=" + first.url() + "," + second.url();
			Instance a = start("a", shards);
			Instance b = start("b", shards);
			ShardRing ring = new ShardRing(2);
			String onFirst = groupOnShard(ring, "tasks/", 0);
			String onSecond = groupOnShard(ring, "tasks/", 1);
			Viewer firstOnA = join(a, onFirst);
			Viewer secondOnA = join(a, onSecond);
			join(b, onFirst);
			join(b, onSecond);

			waiting("both instances subscribe to each group on its own server")
				.until(() -> numsub(first, onFirst) == 2 && numsub(second, onSecond) == 2);
			assertThat(numsub(first, onSecond)).as("a group is on one server only").isZero();
			assertThat(numsub(second, onFirst)).isZero();

			b.engine().broadcast(onFirst, "one");
			b.engine().broadcast(onSecond, "two");
			b.engine().broadcastAll("all");

			waiting("a's viewers receive what b broadcast, through either server")
				.until(() -> firstOnA.texts().containsAll(List.of("one", "all"))
						&& secondOnA.texts().containsAll(List.of("two", "all")));
			assertThat(firstOnA.texts()).containsExactly("one", "all");
			// "two" crossed the second server, "all" the first: nothing orders them against each other.
			assertThat(secondOnA.texts()).containsExactlyInAnyOrder("two", "all");

			String ticker = groupOnShard(ring, "ticker/", 1);
			Viewer ticks = join(a, ticker);
			waiting("the worker of a group on the second server ticks").until(() -> ticks.texts().size() >= 3);
			assertThat(second.commands().get(this.prefix + "worker:" + ticker)).as("its lease, on its server")
				.isEqualTo(a.id());
			assertThat(first.commands().exists(this.prefix + "worker:" + ticker)).isZero();
			// Before the servers go: the instances release their leases on them as they stop.
			a.context().close();
			b.context().close();
		}
	}

	@Test
	void whenOneOfTwoShardsGoesAwayTheHealthNamesItAndTheOtherShardsGroupsAreStillDelivered() throws Exception {
		try (RedisServerProcess first = RedisServerProcess.start();
				RedisServerProcess second = RedisServerProcess.start();
				TcpProxy toSecond = new TcpProxy(URI.create(second.url()))) {
			Instance a = start("a", "notifier.cluster.shards=" + first.url() + "," + toSecond.url());
			Instance b = start("b", "notifier.cluster.shards=" + first.url() + "," + second.url());
			ShardRing ring = new ShardRing(2);
			String onFirst = groupOnShard(ring, "tasks/", 0);
			Viewer onA = join(a, onFirst);
			waiting("a subscribes to its group on the first server").until(() -> numsub(first, onFirst) == 1);

			toSecond.cut();

			waiting("a's health turns DEGRADED").until(() -> "DEGRADED".equals(health(a).get("status").asString()));
			assertThat(health(a).get("details").get("reason").asString()).as("the shard that went away")
				.startsWith("shard 1: lost the connection to Redis");
			b.engine().broadcast(onFirst, "through the first server");
			waiting("b's broadcast to a group of the first server reaches a")
				.until(() -> onA.texts().contains("through the first server"));
			assertThat(health(b).get("status").asString()).as("b reaches both servers").isEqualTo("UP");
			// Before the servers go.
			a.context().close();
			b.context().close();
		}
	}

	/** The first group {@code <prefix><n>} that the ring places on the shard. */
	private static String groupOnShard(ShardRing ring, String prefix, int shard) {
		return IntStream.range(0, 1000)
			.mapToObj((n) -> prefix + n)
			.filter((group) -> ring.shard(group) == shard)
			.findFirst()
			.orElseThrow();
	}

	private static void assertOneWorker(List<String> ticks, String holder) {
		assertThat(ticks).allMatch((tick) -> tick.startsWith(holder + " "));
		List<Long> numbers = ticks.stream().map((tick) -> Long.parseLong(tick.substring(holder.length() + 1))).toList();
		for (int i = 1; i < numbers.size(); i++) {
			assertThat(numbers.get(i)).as("tick after %s", numbers.get(i - 1)).isEqualTo(numbers.get(i - 1) + 1);
		}
	}

	private static int workers(Instance... instances) {
		int running = 0;
		for (Instance instance : instances) {
			running += instance.engine().worker("ticker/x").isPresent() ? 1 : 0;
		}
		return running;
	}

	@Test
	void aLateViewerOnAnotherInstanceIsReplayedWhatTheGroupKeptBeforeLiveOnes() throws Exception {
		Instance a = start("a", HISTORY);
		Instance b = start("b", HISTORY);
		IntStream.rangeClosed(1, 5).forEach((n) -> a.engine().broadcast("tasks/1", "line " + n));
		waiting("Redis keeps the five lines").until(() -> redis().xlen(this.prefix + "history:tasks/1") == 5);

		Viewer late = join(b, "tasks/1");
		a.engine().broadcast("tasks/1", "line 6");

		waiting("the late viewer receives six lines").until(() -> late.texts().size() >= 6);
		assertThat(late.texts()).containsExactly("line 1", "line 2", "line 3", "line 4", "line 5", "line 6");
	}

	@Test
	void aClientResumesAgainstAnotherInstanceWithExactlyWhatItMissed() throws Exception {
		Instance a = start("a", HISTORY);
		Instance b = start("b", HISTORY);
		Viewer first = joinFramed(a, "tasks/2");
		IntStream.rangeClosed(1, 3).forEach((n) -> b.engine().broadcast("tasks/2", "line " + n));
		waiting("the first viewer receives three lines").until(() -> first.texts().size() >= 4);
		String position = positionOf(first.texts().get(3));
		first.close();
		waiting("a lets go of the viewer").until(() -> a.engine().sessionCount("tasks/2") == 0);
		IntStream.rangeClosed(4, 6).forEach((n) -> a.engine().broadcast("tasks/2", "line " + n));

		Viewer again = joinFramed(b, "tasks/2?lastEventId=" + position);

		waiting("the resumed viewer receives the three it missed").until(() -> again.texts().size() >= 4);
		String epoch = position.substring(0, position.indexOf(':'));
		assertThat(again.texts()).containsExactly(
				"s\n{\"epoch\":\"" + epoch + "\",\"offset\":3,\"recovered\":true}", "m " + epoch + ":4\nline 4",
				"m " + epoch + ":5\nline 5", "m " + epoch + ":6\nline 6");
	}

	@Test
	void everyInstanceSeesConcurrentBroadcastsFromEveryInstanceInOneOrder() throws Exception {
		Instance a = start("a", HISTORY);
		Instance b = start("b", HISTORY);
		Viewer onA = joinFramed(a, "tasks/3");
		Viewer onB = joinFramed(b, "tasks/3");
		awaitSubscribed("tasks/3", 2);

		Thread fromB = new Thread(() -> IntStream.rangeClosed(1, 100).forEach((n) -> b.engine().broadcast("tasks/3", "b" + n)));
		fromB.start();
		IntStream.rangeClosed(1, 100).forEach((n) -> a.engine().broadcast("tasks/3", "a" + n));
		fromB.join();

		waiting("both viewers receive all 200").untilAsserted(() -> {
			assertThat(onA.closeCode()).as("the close of a's viewer").isNull();
			assertThat(onB.closeCode()).as("the close of b's viewer").isNull();
			assertThat(onA.texts()).as("a's viewer").hasSizeGreaterThanOrEqualTo(201);
			assertThat(onB.texts()).as("b's viewer").hasSizeGreaterThanOrEqualTo(201);
		});
		assertThat(onA.texts().subList(1, 201)).isEqualTo(onB.texts().subList(1, 201));
		assertThat(onA.texts().subList(1, 201)).extracting(RedisClusterTests::offsetOf)
			.isEqualTo(LongStream.rangeClosed(1, 200).boxed().toList());
	}

	@Test
	void aRedisRestartStartsANewEpochAndAResumingClientIsToldItWasNotRecovered() throws Exception {
		try (RedisServerProcess server = RedisServerProcess.start()) {
			Instance a = start("a", HISTORY[0], HISTORY[1], "spring.data.redis.url=" + server.url());
			Viewer first = joinFramed(a, "tasks/4");
			IntStream.rangeClosed(1, 2).forEach((n) -> a.engine().broadcast("tasks/4", "line " + n));
			waiting("the viewer receives both lines").until(() -> first.texts().size() >= 3);
			String position = positionOf(first.texts().get(2));

			// A server that keeps nothing on disk comes back empty: the history, its epoch and its offsets are gone.
			server.restart();
			waiting("the instance subscribes again").until(() -> numsub(server, "tasks/4") == 1);
			// Both connections come back on their own: a broadcast sent before the command connection is open again
			// would reach the viewer unrecorded, with no position, and rightly close nothing.
			waiting("a's health is UP again").until(() -> "UP".equals(health(a).get("status").asString()));
			a.engine().broadcast("tasks/4", "line 3");

			waiting("the copy that missed the new epoch's start closes the viewer, to resume").until(first::isClosed);
			assertThat(first.closeCode()).isEqualTo(1013);
			Viewer again = joinFramed(a, "tasks/4?lastEventId=" + position);
			waiting("the resumed viewer is told").until(() -> again.texts().size() >= 2);
			assertThat(again.texts().get(0))
				.matches("s\n\\{\"epoch\":\"[0-9a-z]+\",\"offset\":0,\"recovered\":false}")
				.doesNotContain(position.substring(0, position.indexOf(':')));
			assertThat(again.texts().get(1)).endsWith(":1\nline 3");
		}
	}

	@Test
	void aViewerWhoseInstanceMissedBroadcastsWhileCutOffFromRedisIsClosedToResumeAndGetsEveryLineOnceInOrder()
			throws Exception {
		try (TcpProxy proxy = new TcpProxy(TestRedis.uri())) {
			Instance a = start("a", HISTORY[0], HISTORY[1], "spring.data.redis.url=" + proxy.url());
			Instance b = start("b", HISTORY);
			Viewer onA = joinFramed(a, "tasks/5");
			IntStream.rangeClosed(1, 3).forEach((n) -> b.engine().broadcast("tasks/5", "line " + n));
			waiting("a's viewer receives three lines").until(() -> onA.texts().size() >= 4);
			String position = positionOf(onA.texts().get(3));
			String epoch = position.substring(0, position.indexOf(':'));

			proxy.cut();
			// b has no session in the group: only a subscribes to its channel.
			waiting("Redis lets go of a's subscription").until(() -> numsub("tasks/5") == 0);
			IntStream.rangeClosed(4, 6).forEach((n) -> b.engine().broadcast("tasks/5", "line " + n));
			waiting("Redis records what a misses").until(() -> redis().xlen(this.prefix + "history:tasks/5") == 6);
			proxy.resume();
			awaitSubscribed("tasks/5", 1);
			waiting("a's health is UP again").until(() -> "UP".equals(health(a).get("status").asString()));
			assertThat(onA.isClosed()).as("a learns of the gap only from the next broadcast").isFalse();
			b.engine().broadcast("tasks/5", "line 7");

			waiting("a's viewer is closed to resume").until(onA::isClosed);
			assertThat(onA.closeCode()).isEqualTo(1013);
			assertThat(onA.closeReason()).isEqualTo("missed broadcasts: resume");
			assertThat(onA.texts()).as("nothing after the gap").hasSize(4);
			Viewer resumed = joinFramed(a, "tasks/5?lastEventId=" + position);
			b.engine().broadcast("tasks/5", "line 8");

			waiting("the resumed viewer receives what it missed and what followed")
				.until(() -> resumed.texts().size() >= 6);
			assertThat(resumed.texts()).containsExactly(
					"s\n{\"epoch\":\"" + epoch + "\",\"offset\":3,\"recovered\":true}", "m " + epoch + ":4\nline 4",
					"m " + epoch + ":5\nline 5", "m " + epoch + ":6\nline 6", "m " + epoch + ":7\nline 7",
					"m " + epoch + ":8\nline 8");
		}
	}

	/** CLIENT KILL ID for every connection named after the instance: its cluster's two and Spring's own. */
	private int killConnectionsOf(Instance instance) {
		int killed = 0;
		for (String line : redis().clientList().split("\n")) {
			if (line.contains(" name=" + this.prefix + instance.id() + " ")) {
				String id = line.substring(line.indexOf("id=") + 3, line.indexOf(' ', line.indexOf("id=")));
				killed += (int) (long) redis().clientKill(KillArgs.Builder.id(Long.parseLong(id)));
			}
		}
		return killed;
	}

}
