package dev.notifier.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.notifier.benchmarks.load.Control;
import dev.notifier.benchmarks.load.Deliveries;
import dev.notifier.benchmarks.load.LoadGenerator;
import dev.notifier.benchmarks.load.LoadGenerator.Subscribers;
import dev.notifier.benchmarks.load.Round;
import dev.notifier.benchmarks.load.Round.Publish;
import dev.notifier.benchmarks.load.ServerStats;
import dev.notifier.benchmarks.load.Target;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * The seven scenarios of the benchmark issue, each run against one freshly started server, and the cluster scenario,
 * which runs notifier stand-alone, then in cluster mode on one and on two instances sharing a Redis server, then
 * many groups across two instances on one Redis server and on two shards. Every
 * measured publish round runs {@link #REPETITIONS} times over, after one probe and one warm-up.
 */
final class Scenarios {

	static final List<Integer> ALL = List.of(1, 2, 3, 4, 5, 6, 7, 8, 9);

	/** The scenarios any server of the protocol runs: all but the cluster's. */
	static final List<Integer> ANY_SERVER = List.of(1, 2, 3, 4, 5, 6, 7);

	/** The scenarios that publish to one server's subscribers and measure the deliveries. */
	static final List<Integer> FAN_OUT = List.of(1, 2, 3, 5, 7);

	/** Idle connections. */
	static final int IDLE = 4;

	/** Runs on notifier only: the baselines have no cluster mode. */
	static final int CLUSTER = 8;

	/** Runs on notifier only: the baselines serve no event streams. */
	static final int EVENT_STREAMS = 9;

	/** How many times every measured round runs: the report shows the median and how far the others strayed. */
	static final int REPETITIONS = 3;

	/** The rounds of the cluster scenario. */
	static final String STAND_ALONE = "stand-alone";

	static final String ONE_INSTANCE = "cluster mode, one instance";

	static final String ACROSS_INSTANCES = "across instances";

	static final String WITH_HISTORY = "across instances, group with history";

	static final String ONE_SERVER = "scenario 3's groups across instances, one Redis server";

	static final String TWO_SHARDS = "scenario 3's groups across instances, two shards";

	/** The rounds of the event-stream scenario. */
	static final String WEBSOCKET = "WebSocket subscribers";

	static final String SERVER_SENT_EVENTS = "Server-Sent Events subscribers";

	private static final String GROUP = "bench";

	private static final int PAYLOAD_BYTES = 100;

	/** Deliveries a warm-up round aims at, so the JIT has compiled the paths the measured round takes. */
	private static final int WARM_UP_DELIVERIES = 100_000;

	/**
	 * How long warm-up rounds may go on before the measured rounds, however busy the JIT still is. A budget of time
	 * rather than of rounds: a server started shortly before (a cluster's instance) may still have seconds of
	 * compiling queued from its start-up, which short warm-up rounds do not outlast.
	 */
	private static final Duration MAX_WARM_UP_TIME = Duration.ofSeconds(10);

	/** The share of a warm-up round's server CPU below which the JIT's compiling counts as settled. */
	private static final double SETTLED_COMPILE_SHARE = 0.1;

	/**
	 * Warm-up rounds in a row below that share that count as settled: the JIT's time is counted as compilations end,
	 * so one quiet round may only be the middle of a long compilation.
	 */
	private static final int SETTLED_ROUNDS = 2;

	/**
	 * Messages a server handles for one subscriber of a group before the subscribers of a round to that group
	 * connect: more than the JIT needs to compile a method called once per message (some 10,000 calls).
	 */
	private static final int WARM_UP_MESSAGES = 20_000;

	/**
	 * The most messages per publish request of that warm-up (fewer if the round's own chunks are smaller): a backlog
	 * every server's per-session limits allow.
	 */
	private static final int WARM_UP_CHUNK = 1_000;

	/**
	 * Messages to every group per second in the shard rounds, so 5,000 publishes per second over the 1,000 groups:
	 * what two instances sharing two cores deliver across Redis without reaching the cluster's bounds (pending
	 * publishes, the inbound queue), so that both rounds carry every message.
	 */
	private static final double SHARD_ROUND_RATE = 5;

	/** Connections opened and closed at once in the churn scenario. */
	private static final int CHURN_CONCURRENCY = 50;

	private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);

	private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(20);

	/** How long no delivery may arrive before the round after a stalled one starts. */
	private static final Duration QUIET = Duration.ofSeconds(1);

	private final Sizes sizes;

	private final LoadGenerator generator;

	private final Control control;

	private final Round round;

	private final Results results;

	private final ServerProcess.Launcher launcher;

	private final String redisUrl;

	private final String clusterPrefix;

	Scenarios(Sizes sizes, LoadGenerator generator, Control control, Round round, Results results,
			ServerProcess.Launcher launcher, String redisUrl) {
		this.launcher = launcher;
		this.redisUrl = redisUrl;
		this.clusterPrefix = "notifier-benchmarks-" + UUID.randomUUID() + ":";
		this.sizes = sizes;
		this.generator = generator;
		this.control = control;
		this.round = round;
		this.results = results;
	}

	void run(int scenario, String server, ServerProcess process) throws IOException, InterruptedException {
		Target target = process.target();
		switch (scenario) {
			case 1 -> oneGroup(server, target);
			case 2 -> largeGroups(server, target);
			case 3 -> manyGroups(server, target);
			case IDLE -> idleConnections(server, process);
			case 5 -> slowConsumers(server, target);
			case 6 -> churn(server, process);
			case 7 -> costGrowth(server, target);
			case CLUSTER -> cluster(server);
			case EVENT_STREAMS -> eventStreams(server, process.target());
			default -> throw new IllegalArgumentException("no scenario " + scenario + ": 1 to 9");
		}
	}

	/** 1: one group, a burst, then the same subscribers paced well below what any server can deliver. */
	private void oneGroup(String server, Target target) throws IOException, InterruptedException {
		Publish burst = new Publish(GROUP, 0, this.sizes.burstMessages(), PAYLOAD_BYTES, 0,
				this.sizes.burstMessages());
		Publish paced = new Publish(GROUP, 0, this.sizes.pacedMessages(), PAYLOAD_BYTES, this.sizes.pacedRate(),
				this.sizes.pacedMessages());
		Deliveries deliveries = new Deliveries();
		Subscribers subscribers = subscribe(target, target, Collections.nCopies(this.sizes.burstSubscribers(), GROUP),
				burst, deliveries);
		try {
			prepare(target, deliveries, burst, subscribers.connected());
			measure(1, "burst", server, subscribers, burst, deliveries, target, target);
			measure(1, "paced", server, subscribers, paced, deliveries, target, target);
		}
		finally {
			subscribers.close();
		}
	}

	/** 2: one group of 5,000, then of 10,000. */
	private void largeGroups(String server, Target target) throws IOException, InterruptedException {
		for (int i = 0; i < this.sizes.largeGroups().length; i++) {
			int messages = this.sizes.largeGroupMessages()[i];
			fanOut(2, String.format("x%,d", this.sizes.largeGroups()[i]), server, target,
					Collections.nCopies(this.sizes.largeGroups()[i], GROUP),
					new Publish(GROUP, 0, messages, PAYLOAD_BYTES, 0, messages));
		}
	}

	/** 3: many small groups, every message published to every group. */
	private void manyGroups(String server, Target target) throws IOException, InterruptedException {
		fanOut(3, String.format("%,d groups", this.sizes.manyGroups()), server, target, manyGroupsSubscribers(),
				manyGroupsPublish());
	}

	/** The group of each subscriber of scenario 3. */
	private List<String> manyGroupsSubscribers() {
		List<String> groups = new ArrayList<>();
		for (int g = 0; g < this.sizes.manyGroups(); g++) {
			groups.addAll(Collections.nCopies(this.sizes.manyGroupsSubscribers(), GROUP + g));
		}
		return groups;
	}

	private Publish manyGroupsPublish() {
		int messages = this.sizes.manyGroupsMessages();
		return new Publish(GROUP, this.sizes.manyGroups(), messages, PAYLOAD_BYTES, 0, messages);
	}

	/**
	 * 4: the memory an idle connection costs: live heap and RSS with the connections open, less the same figures
	 * before, once a first batch of connections has come and gone (classes loaded, pools grown).
	 */
	private void idleConnections(String server, ServerProcess process) throws IOException, InterruptedException {
		Target target = process.target();
		Deliveries deliveries = new Deliveries();
		this.generator.connect(target, Collections.nCopies(this.sizes.idleConnections() / 10, "idle"), true,
				deliveries).close();
		awaitSessions(target, 0);
		ServerStats before = this.control.stats(target, true);
		long rssBefore = process.rssBytes();
		Subscribers idle = this.generator.connect(target, Collections.nCopies(this.sizes.idleConnections(), "idle"),
				true, deliveries);
		try {
			awaitSessions(target, idle.connected());
			ServerStats after = this.control.stats(target, true);
			long rssAfter = process.rssBytes();
			this.results.idles.add(new Results.Idle(server, idle.connected(), idle.failures(), before, after,
					rssBefore, rssAfter));
		}
		finally {
			idle.close();
		}
	}

	/**
	 * 5: the readers' latency without and then with subscribers that never read. The publish is chunked so that a
	 * reader's backlog stays within every server's per-session limits: only the non-readers exceed them.
	 */
	private void slowConsumers(String server, Target target) throws IOException, InterruptedException {
		Publish publish = new Publish(GROUP, 0, this.sizes.slowMessages(), this.sizes.slowSize(), 0,
				this.sizes.slowChunk());
		Deliveries deliveries = new Deliveries();
		Subscribers readers = subscribe(target, target, Collections.nCopies(this.sizes.slowReaders(), GROUP), publish,
				deliveries);
		try {
			prepare(target, deliveries, publish, readers.connected());
			measure(5, "readers only", server, readers, publish, deliveries, target, target);
			measure(5, String.format("+%d non-readers", this.sizes.slowNonReaders()), server, readers, publish,
					deliveries, () -> withNonReaders(target, deliveries, publish, readers.connected()));
		}
		finally {
			readers.close();
		}
	}

	/**
	 * One round with subscribers that never read beside the readers. Each round gets non-readers of its own: a server
	 * may close the previous ones as slow consumers, and the next round would then measure the readers alone.
	 */
	private Round.Result withNonReaders(Target target, Deliveries deliveries, Publish publish, int readers)
			throws IOException, InterruptedException {
		Subscribers nonReaders = this.generator.connect(target,
				Collections.nCopies(this.sizes.slowNonReaders(), GROUP), false, new Deliveries());
		try {
			if (nonReaders.failures() > 0) {
				throw new IOException(nonReaders.failures() + " of " + this.sizes.slowNonReaders()
						+ " non-readers could not subscribe");
			}
			// A non-reader cannot confirm its subscription by receiving; give a STOMP SUBSCRIBE time to land.
			TimeUnit.SECONDS.sleep(1);
			return this.round.run(target, deliveries, publish, readers);
		}
		finally {
			nonReaders.close();
		}
	}

	/**
	 * 6: connect/disconnect cycles, each in a group of its own, then the server once it has settled against the
	 * same figures after a warm-up churn.
	 */
	private void churn(String server, ServerProcess process) throws IOException, InterruptedException {
		Target target = process.target();
		Recorder subscribeMicros = new Recorder(TimeUnit.MINUTES.toMicros(10), 3);
		this.generator.churn(target, "churn/warm-up-", this.sizes.churnWarmUp(), CHURN_CONCURRENCY, subscribeMicros);
		ServerStats before = settled(target);
		long rssBefore = process.rssBytes();
		subscribeMicros.reset();
		long start = System.nanoTime();
		int failed = this.generator.churn(target, "churn/", this.sizes.churnCycles(), CHURN_CONCURRENCY,
				subscribeMicros);
		long elapsed = System.nanoTime() - start;
		ServerStats after = settled(target);
		this.results.churns.add(new Results.Churn(server, this.sizes.churnCycles(), failed, elapsed,
				subscribeMicros.getIntervalHistogram(), before, after, rssBefore, process.rssBytes()));
	}

	/** 7: about the same number of deliveries to ever more subscribers: the cost per delivery should not grow. */
	private void costGrowth(String server, Target target) throws IOException, InterruptedException {
		for (int i = 0; i < this.sizes.growthSubscribers().length; i++) {
			int subscribers = this.sizes.growthSubscribers()[i];
			fanOut(7, String.format("x%,d", subscribers), server, target, Collections.nCopies(subscribers, GROUP),
					new Publish(GROUP, 0, this.sizes.growthMessages()[i], PAYLOAD_BYTES, 0,
							this.sizes.growthChunks()[i]));
		}
	}

	/**
	 * The arguments that make a notifier server one instance of a cluster on Redis, with keys and channels under a
	 * prefix of this run's own.
	 */
	private String[] clusterArguments() {
		return clusterArguments("--spring.data.redis.url=" + this.redisUrl);
	}

	private String[] clusterArguments(String... redis) {
		List<String> arguments = new ArrayList<>(
				List.of("--notifier.cluster.mode=redis", "--notifier.cluster.prefix=" + this.clusterPrefix));
		arguments.addAll(List.of(redis));
		return arguments.toArray(String[]::new);
	}

	/**
	 * 8: scenario 1's burst on notifier stand-alone and in cluster mode on one instance, both started for it, their
	 * warm-ups and rounds taking turns: two servers of the same age, whose JIT and heap have been through the same,
	 * so that their ratio is what cluster mode costs (the suite's server has run the scenarios before and would
	 * compare a server tuned by minutes of load with a fresh one). Then on two clustered instances, published on the
	 * first to subscribers of the second, through Redis. The second instance starts once the rounds before it are
	 * over, so that no start-up takes CPU from a round; the first stays up, idle. Then the same across two instances whose group
	 * keeps a history, so that each broadcast is recorded and published by one script in Redis and delivered on both
	 * instances when Redis hands it back; then {@link #shards}.
	 */
	private void cluster(String server) throws IOException, InterruptedException {
		Publish burst = new Publish(GROUP, 0, this.sizes.burstMessages(), PAYLOAD_BYTES, 0,
				this.sizes.burstMessages());
		List<String> groups = Collections.nCopies(this.sizes.burstSubscribers(), GROUP);
		try (ServerProcess standAlone = this.launcher.start(ServerKind.NOTIFIER, "scenario-8-stand-alone");
				ServerProcess first = this.launcher.start(ServerKind.NOTIFIER, "scenario-8-cluster-first",
						clusterArguments())) {
			Map<String, Target> targets = new LinkedHashMap<>();
			targets.put(STAND_ALONE, standAlone.target());
			targets.put(ONE_INSTANCE, first.target());
			takingTurns(CLUSTER, server, groups, burst, targets);
			try (ServerProcess second = this.launcher.start(ServerKind.NOTIFIER, "scenario-8-cluster-second",
					clusterArguments())) {
				fanOut(CLUSTER, ACROSS_INSTANCES, server, first.target(), second.target(), groups, burst);
			}
		}
		acrossInstances("history", WITH_HISTORY, server, groups, burst, null,
				"--spring.data.redis.url=" + this.redisUrl, "--notifier.history.groups=" + GROUP);
		shards(server);
	}

	/**
	 * Scenario 3's 1,000 groups of 10, published on one clustered instance to subscribers of another, so that every
	 * message crosses Redis (one PUBLISH each, where scenario 1's burst needs one per 1,000 deliveries), paced at
	 * {@link #SHARD_ROUND_RATE}: first on one Redis server, then with the groups spread over two
	 * ({@code notifier.cluster.shards}), both servers started here and idle between the rounds. Each server's CPU time
	 * and commands over a round (its probes, warm-up and repetitions, the same in both) show how the load divides.
	 */
	private void shards(String server) throws IOException, InterruptedException {
		Publish paced = manyGroupsPublish().withRate(SHARD_ROUND_RATE);
		try (RedisServers redis = RedisServers.start(2)) {
			String one = "--spring.data.redis.url=" + redis.url(0);
			acrossInstances("one-redis-server", ONE_SERVER, server, manyGroupsSubscribers(), paced, redis, one);
			acrossInstances("two-shards", TWO_SHARDS, server, manyGroupsSubscribers(), paced, redis, one,
					"--notifier.cluster.shards=" + redis.url(0) + "," + redis.url(1));
		}
	}

	/**
	 * Publishes on one of two clustered instances, started for the round, to subscribers of the other; with
	 * {@code measured}, records what each of those Redis servers did during the round.
	 */
	private void acrossInstances(String name, String label, String server, List<String> groups, Publish publish,
			@Nullable RedisServers measured, String... redisArguments) throws IOException, InterruptedException {
		String[] arguments = clusterArguments(redisArguments);
		try (ServerProcess first = this.launcher.start(ServerKind.NOTIFIER, "scenario-8-" + name + "-first",
				arguments);
				ServerProcess second = this.launcher.start(ServerKind.NOTIFIER, "scenario-8-" + name + "-second",
						arguments)) {
			List<RedisServers.Load> before = (measured != null) ? measured.load() : List.of();
			fanOut(CLUSTER, label, server, first.target(), second.target(), groups, publish);
			if (measured != null) {
				List<RedisServers.Load> after = measured.load();
				List<RedisServers.Load> used = new ArrayList<>();
				for (int i = 0; i < after.size(); i++) {
					used.add(after.get(i).minus(before.get(i)));
				}
				this.results.redisLoads.add(new Results.RedisLoad(label, used));
				BenchmarkSuite.log("  Redis servers during %s: %s", label, used);
			}
		}
	}

	/**
	 * 9: scenario 1's burst on one notifier server, to WebSocket subscribers, then to as many subscribers of the same
	 * group's event stream ({@code /sse}).
	 */
	private void eventStreams(String server, Target target) throws IOException, InterruptedException {
		Publish burst = new Publish(GROUP, 0, this.sizes.burstMessages(), PAYLOAD_BYTES, 0,
				this.sizes.burstMessages());
		List<String> groups = Collections.nCopies(this.sizes.burstSubscribers(), GROUP);
		fanOut(EVENT_STREAMS, WEBSOCKET, server, target, groups, burst);
		fanOut(EVENT_STREAMS, SERVER_SENT_EVENTS, server, target, target.eventStreams(), groups, burst);
	}

	private void fanOut(int scenario, String label, String server, Target target, List<String> groups,
			Publish publish) throws IOException, InterruptedException {
		fanOut(scenario, label, server, target, target, groups, publish);
	}

	private void fanOut(int scenario, String label, String server, Target publisher, Target target,
			List<String> groups, Publish publish) throws IOException, InterruptedException {
		Deliveries deliveries = new Deliveries();
		Subscribers subscribers = subscribe(publisher, target, groups, publish, deliveries);
		try {
			prepare(publisher, deliveries, publish, subscribers.connected());
			measure(scenario, label, server, subscribers, publish, deliveries, publisher, target);
		}
		finally {
			subscribers.close();
		}
	}

	/**
	 * Waits until every subscriber has received a probe, then runs unrecorded warm-up rounds (see {@link #warmUp}).
	 * (Code that runs once per message is warmed up before the subscribers connect, see {@link #subscribe}.)
	 */
	private void prepare(Target target, Deliveries deliveries, Publish publish, int readers)
			throws IOException, InterruptedException {
		awaitProbes(target, deliveries, publish, readers);
		warmUp(List.of(new WarmUp("", target, deliveries, publish, readers)));
	}

	/**
	 * Runs unrecorded warm-up rounds on each server in turn until the JIT of every one has settled: until it compiles
	 * for less than {@value #SETTLED_COMPILE_SHARE} of a warm-up round's CPU in {@value #SETTLED_ROUNDS} rounds in a
	 * row, or {@link #MAX_WARM_UP_TIME} per server has passed. One round is enough where the server does not report
	 * its CPU or its compilation time. A round that pays for compiling measures the compiler as much as the server.
	 * Servers whose rounds are to be compared warm up taking turns, as their rounds do, so that none has had the
	 * machine to itself to compile meanwhile.
	 */
	private void warmUp(List<WarmUp> servers) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + MAX_WARM_UP_TIME.toNanos() * servers.size();
		boolean compiling;
		do {
			compiling = false;
			for (WarmUp server : servers) {
				if (server.stillCompiling()) {
					ServerStats before = this.control.stats(server.target, false);
					Round.Result result = this.round.run(server.target, server.deliveries, server.publish,
							server.readers);
					server.ran(compileShare(before, this.control.stats(server.target, false), result));
					compiling |= server.stillCompiling();
				}
			}
		}
		while (compiling && System.nanoTime() < deadline);
		for (WarmUp server : servers) {
			BenchmarkSuite.log("    %s%d warm-up round%s%s", server.label.isEmpty() ? "" : server.label + ": ",
					server.rounds, (server.rounds == 1) ? "" : "s",
					server.stillCompiling() ? ", the JIT still compiling" : "");
		}
	}

	/** Publishes probes until every subscriber has received one, then lets the last probes land. */
	private void awaitProbes(Target target, Deliveries deliveries, Publish publish, int readers)
			throws IOException, InterruptedException {
		long deadline = System.nanoTime() + PROBE_TIMEOUT.toNanos();
		while (deliveries.subscribersHeard() < readers) {
			if (System.nanoTime() > deadline) {
				throw new IOException("only " + deliveries.subscribersHeard() + " of " + readers
						+ " subscribers received a probe within " + PROBE_TIMEOUT);
			}
			this.control.publish(target, publish.group(), publish.groups(), 1, PAYLOAD_BYTES, 0).join();
			TimeUnit.MILLISECONDS.sleep(250);
		}
		// Let the last probes land before the warm-up round starts counting.
		TimeUnit.MILLISECONDS.sleep(500);
	}

	/**
	 * Connects a round's subscribers, after {@value #WARM_UP_MESSAGES} messages published on {@code publisher} to one
	 * subscriber of the round's group on {@code target} (rounds to many groups publish tens of thousands of messages
	 * each and go without). A round to one group publishes a thousand messages or fewer, and its warm-up rounds fewer
	 * still, where the JIT compiles a method for good only after some 10,000 calls: without this, what runs once per
	 * message rather than once per delivery (the publish request; in cluster mode, publishing to Redis and receiving
	 * from it) would still be compiled during the measured rounds, and a server would pay for how much such code it
	 * has rather than for what that code costs. The group is the round's own, so that what is configured for it
	 * (a history) applies.
	 */
	private Subscribers subscribe(Target publisher, Target target, List<String> groups, Publish publish,
			Deliveries deliveries) throws IOException, InterruptedException {
		if (publish.groups() == 0) {
			Deliveries heard = new Deliveries();
			Subscribers one = this.generator.connect(target, List.of(publish.group()), true, heard);
			try {
				if (one.connected() != 1) {
					throw new IOException("the warm-up's subscriber of " + publish.group() + " could not connect");
				}
				awaitProbes(publisher, heard, publish, one.connected());
				this.round.run(publisher, target, heard,
						new Publish(publish.group(), 0, WARM_UP_MESSAGES, publish.size(), 0,
								Math.min(WARM_UP_CHUNK, publish.chunk())),
						one.connected());
			}
			finally {
				one.close();
			}
		}
		return this.generator.connect(target, groups, true, deliveries);
	}

	/** The share of a warm-up round's server CPU the JIT spent compiling, NaN if the server does not tell. */
	private static double compileShare(ServerStats before, ServerStats after, Round.Result warmUp) {
		if (before.compileMillis() < 0 || after.compileMillis() < 0 || warmUp.serverCpuNanos() <= 0) {
			return Double.NaN;
		}
		return (after.compileMillis() - before.compileMillis()) * 1e6 / warmUp.serverCpuNanos();
	}

	/**
	 * The same publish on several servers, each with subscribers of its own, their rounds taking turns (A B A B A B,
	 * not A A A B B B), recorded as a row per server: so that the ratio of two rows is not also how the machine
	 * drifted between two blocks of rounds.
	 * @param targets the servers by label, in the order their rounds take turns
	 */
	private void takingTurns(int scenario, String server, List<String> groups, Publish publish,
			Map<String, Target> targets) throws IOException, InterruptedException {
		Map<String, Subscribers> subscribers = new LinkedHashMap<>();
		Map<String, Deliveries> deliveries = new LinkedHashMap<>();
		Map<String, List<Round.Result>> rounds = new LinkedHashMap<>();
		try {
			List<WarmUp> warmUps = new ArrayList<>();
			for (Map.Entry<String, Target> target : targets.entrySet()) {
				Deliveries heard = new Deliveries();
				deliveries.put(target.getKey(), heard);
				subscribers.put(target.getKey(),
						subscribe(target.getValue(), target.getValue(), groups, publish, heard));
				rounds.put(target.getKey(), new ArrayList<>());
				int readers = subscribers.get(target.getKey()).connected();
				awaitProbes(target.getValue(), heard, publish, readers);
				warmUps.add(new WarmUp(target.getKey(), target.getValue(), heard, publish, readers));
			}
			warmUp(warmUps);
			for (int i = 1; i <= REPETITIONS; i++) {
				for (String label : rounds.keySet()) {
					Deliveries heard = deliveries.get(label);
					Round.Result result = this.round.run(targets.get(label), heard, publish,
							subscribers.get(label).connected());
					rounds.get(label).add(result);
					logRound(label + " " + i, result);
					if (result.stalled()) {
						awaitQuiet(heard);
					}
				}
			}
			for (String label : rounds.keySet()) {
				record(scenario, label, server, subscribers.get(label), publish, rounds.get(label));
			}
		}
		finally {
			for (Subscribers opened : subscribers.values()) {
				opened.close();
			}
		}
	}

	/** Publishes on {@code publisher} to the subscribers of {@code target}, {@link #REPETITIONS} times. */
	private void measure(int scenario, String label, String server, Subscribers subscribers, Publish publish,
			Deliveries deliveries, Target publisher, Target target) throws IOException, InterruptedException {
		measure(scenario, label, server, subscribers, publish, deliveries,
				() -> this.round.run(publisher, target, deliveries, publish, subscribers.connected()));
	}

	/**
	 * Runs a round {@link #REPETITIONS} times and records them as one row. After a round that stalled, deliveries it
	 * left in flight may still arrive: the next round waits until they stop, so as not to count them.
	 */
	private void measure(int scenario, String label, String server, Subscribers subscribers, Publish publish,
			Deliveries deliveries, Repetition repetition) throws IOException, InterruptedException {
		List<Round.Result> rounds = new ArrayList<>();
		for (int i = 1; i <= REPETITIONS; i++) {
			Round.Result result = repetition.run();
			rounds.add(result);
			logRound(i + "/" + REPETITIONS, result);
			if (result.stalled() && i < REPETITIONS) {
				awaitQuiet(deliveries);
			}
		}
		record(scenario, label, server, subscribers, publish, rounds);
	}

	private static void logRound(String round, Round.Result result) {
		BenchmarkSuite.log("    %s %,10.0f msgs/s  p99 %8.1f ms%s", round, result.messagesPerSecond(),
				result.latencyMillis(99), result.stalled() ? "  STALLED" : "");
	}

	/** Records the rounds of one server as a row of the report. */
	private void record(int scenario, String label, String server, Subscribers subscribers, Publish publish,
			List<Round.Result> rounds) {
		Results.FanOut row = new Results.FanOut(scenario, label, server, subscribers.connected(),
				subscribers.failures(), publish, rounds);
		this.results.fanOuts.add(row);
		Figure rate = row.figure(Round.Result::messagesPerSecond);
		Figure p99 = row.figure((result) -> result.latencyMillis(99));
		BenchmarkSuite.log("  %-26s %-14s %,10.0f msgs/s ±%.0f%%  p50 %8.1f ms  p99 %8.1f ms ±%.0f%%  drops %,d"
				+ "  errors %d%s", row.name(), server, rate.median(), rate.spread() * 100,
				row.figure((result) -> result.latencyMillis(50)).median(), p99.median(), p99.spread() * 100,
				row.drops(), row.errors(), row.stalled() ? "  STALLED" : "");
	}

	/** Waits until no delivery has arrived for {@link #QUIET}, or {@link #SETTLE_TIMEOUT} has passed. */
	private static void awaitQuiet(Deliveries deliveries) throws InterruptedException {
		long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
		long seen = -1;
		while (deliveries.received() != seen && System.nanoTime() < deadline) {
			seen = deliveries.received();
			TimeUnit.MILLISECONDS.sleep(QUIET.toMillis());
		}
	}

	/** The server's figures once its session count is back to zero and a moment has passed. */
	private ServerStats settled(Target target) throws IOException, InterruptedException {
		awaitSessions(target, 0);
		// Workers stop once their group has been empty for notifier.workers.idle-timeout (1 s by default).
		TimeUnit.SECONDS.sleep(3);
		return this.control.stats(target, true);
	}

	private void awaitSessions(Target target, int sessions) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
		while (this.control.stats(target, false).sessions() != sessions && System.nanoTime() < deadline) {
			TimeUnit.MILLISECONDS.sleep(100);
		}
	}

	/** One measured round, run again for every repetition. */
	@FunctionalInterface
	private interface Repetition {

		Round.Result run() throws IOException, InterruptedException;

	}


	/** A server's warm-up: its round, and how its JIT went over the rounds so far. */
	private static final class WarmUp {

		private final String label;

		private final Target target;

		private final Deliveries deliveries;

		private final Publish publish;

		private final int readers;

		private int rounds;

		private int settledInARow;

		private double lastCompileShare;

		/**
		 * @param label the server's name in the log, empty where it warms up alone
		 * @param publish the measured round's publish, of which a warm-up round sends fewer messages: about
		 * {@value #WARM_UP_DELIVERIES} deliveries
		 */
		WarmUp(String label, Target target, Deliveries deliveries, Publish publish, int readers) {
			this.label = label;
			this.target = target;
			this.deliveries = deliveries;
			this.publish = publish
				.withMessages(Math.max(5, Math.min(publish.n(), WARM_UP_DELIVERIES / Math.max(1, readers))));
			this.readers = readers;
		}

		void ran(double compileShare) {
			this.rounds++;
			this.lastCompileShare = compileShare;
			this.settledInARow = (compileShare > SETTLED_COMPILE_SHARE) ? 0 : this.settledInARow + 1;
		}

		/** Whether the JIT has not yet been quiet for long enough, as far as the server tells. */
		boolean stillCompiling() {
			return this.rounds == 0 || (!Double.isNaN(this.lastCompileShare) && this.settledInARow < SETTLED_ROUNDS);
		}

	}

}
