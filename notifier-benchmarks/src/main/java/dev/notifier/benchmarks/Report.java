package dev.notifier.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import java.util.function.LongFunction;

import dev.notifier.benchmarks.load.Round;
import dev.notifier.benchmarks.server.BenchmarkServers;

import org.springframework.boot.SpringBootVersion;

/**
 * Writes the measured part of {@code benchmarks.md}: the part between {@link #BEGIN} and {@link #END}. What surrounds
 * it (how to run, the protocol, the findings) is written by people and kept as it is; a file without the markers is
 * replaced by the measured part alone.
 */
final class Report {

	static final String BEGIN = "<!-- BEGIN GENERATED RESULTS: written by the benchmark suite, do not edit -->";

	static final String END = "<!-- END GENERATED RESULTS -->";

	private static final String NOTIFIER = ServerKind.NOTIFIER.id();

	private static final String NAIVE = ServerKind.NAIVE.id();

	private static final String STOMP = ServerKind.STOMP.id();

	/** Cluster mode on one instance may cost at most this share of the stand-alone throughput. */
	private static final double CLUSTER_COST = 0.15;

	/** The p99 across two clustered instances must stay under this. */
	private static final double CLUSTER_P99_MILLIS = 1000;

	private final Results results;

	private final StringBuilder out = new StringBuilder();

	private Report(Results results) {
		this.results = results;
	}

	static void write(Results results, Options options, ZonedDateTime started, Duration took, Path file)
			throws IOException {
		String generated = new Report(results).render(options, started, took);
		String existing = Files.exists(file) ? Files.readString(file) : "";
		int begin = existing.indexOf(BEGIN);
		int end = existing.indexOf(END);
		String text = (begin >= 0 && end > begin)
				? existing.substring(0, begin) + generated + existing.substring(end + END.length())
				: generated + "\n";
		Files.writeString(file, text);
	}

	private String render(Options options, ZonedDateTime started, Duration took) throws IOException {
		line(BEGIN);
		line("");
		line("Measured on " + started.toLocalDate() + " (" + started + ", " + took.toMinutes() + " min "
				+ took.toSecondsPart() + " s) with:");
		line("");
		line("```sh");
		line("./mvnw -B -q install -DskipTests && java -jar notifier-benchmarks/target/notifier-benchmarks.jar"
				+ (options.arguments().isEmpty() ? "" : " " + String.join(" ", options.arguments())));
		line("```");
		line("");
		machine(options);
		line("");
		line("![Delivered messages per second and p99 latency, by scenario and server](benchmarks.png)");
		line("");
		targets();
		throughput();
		idle();
		slowConsumers();
		churn();
		growth();
		cluster();
		eventStreams();
		failures();
		this.out.append(END);
		return this.out.toString();
	}

	private void machine(Options options) throws IOException {
		line("| Machine | |");
		line("|---|---|");
		line("| Cores (`nproc`) | " + Runtime.getRuntime().availableProcessors() + ", shared by the server and the"
				+ " load generator |");
		line("| CPU | " + Machine.cpuModel() + " |");
		line("| Memory | " + Machine.memory() + " |");
		line("| OS | " + Machine.os() + " |");
		line("| JDK | " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
				+ " |");
		line("| Servers | Spring Boot " + SpringBootVersion.getVersion() + ", each a fresh JVM per scenario with `"
				+ String.join(" ", BenchmarkSuite.SERVER_JVM_FLAGS) + "`; Tomcat with"
				+ " `server.tomcat.max-connections=20000`, `server.tomcat.accept-count=" + BenchmarkServers.ACCEPT_QUEUE
				+ "`, Jetty with an accept queue of " + count(BenchmarkServers.ACCEPT_QUEUE) + " |");
		if (!this.results.software.isEmpty()) {
			line("| Containers | " + String.join(", ", this.results.software.entrySet()
				.stream()
				.map((entry) -> entry.getKey() + ": " + entry.getValue())
				.toList()) + " |");
		}
		List<ExternalServer> externals = options.externals();
		if (!externals.isEmpty()) {
			line("| Outside servers | " + String.join(", ", externals.stream()
				.map((external) -> external.id() + ": `" + external.command() + " --server.port=<port>`")
				.toList()) + " |");
		}
		line("| Load generator | Netty " + io.netty.util.Version.identify().get("netty-common").artifactVersion()
				+ ", " + BenchmarkSuite.GENERATOR_THREADS + " event-loop threads, in the suite's JVM; HdrHistogram |");
		line("| Rounds | Every publish round " + Scenarios.REPETITIONS + " times, after a probe and warm-ups until the JIT settled: figures"
				+ " are the median, ± the farthest round from it in percent of it |");
	}

	private void targets() {
		line("### Targets");
		line("");
		line("Ratios are notifier / baseline from this run, of the medians of " + Scenarios.REPETITIONS
				+ " rounds. Throughput and p99 are judged on scenario 1 (burst); the other scenarios' ratios are in the"
				+ " table after this one.");
		line("");
		line("| Target | Measured | Verdict |");
		line("|---|---|---|");
		Optional<Results.FanOut> notifier = fanOut(1, "burst", NOTIFIER);
		Optional<Results.FanOut> stomp = fanOut(1, "burst", STOMP);
		Optional<Results.FanOut> naive = fanOut(1, "burst", NAIVE);
		throughputTarget("Delivered msgs/s at least 3x the STOMP simple broker", notifier, stomp, 3);
		throughputTarget("Delivered msgs/s at least 2x the naive handler", notifier, naive, 2);
		for (String label : List.of("burst", "paced")) {
			Optional<Results.FanOut> n = fanOut(1, label, NOTIFIER);
			for (String baseline : List.of(STOMP, NAIVE)) {
				Optional<Results.FanOut> b = fanOut(1, label, baseline);
				if (n.isPresent() && b.isPresent()) {
					double mine = p99(n.get()).median();
					double theirs = p99(b.get()).median();
					line("| p99 no worse than " + baseline + " (scenario 1, " + label + ") | " + ms(mine) + " vs "
							+ ms(theirs) + " | " + verdict(mine <= theirs) + " |");
				}
			}
		}
		for (ServerKind kind : List.of(ServerKind.NOTIFIER, ServerKind.NOTIFIER_TUNED)) {
			this.results.idles.stream().filter((idle) -> idle.server().equals(kind.id())).findFirst().ifPresent((idle) -> {
				double kb = idle.heapPerSessionBytes() / 1024;
				line("| At most 30 KB heap per idle session" + ((kind == ServerKind.NOTIFIER) ? ""
						: " (Tomcat's buffers lowered, `" + kind.id() + "`)") + " | "
						+ String.format(Locale.ROOT, "%.1f KB", kb) + " | " + verdict(kb <= 30) + " |");
			});
		}
		Optional<Results.FanOut> alone = this.results.fanOuts.stream()
			.filter((row) -> row.scenario() == 5 && row.server().equals(NOTIFIER) && row.label().equals("readers only"))
			.findFirst();
		Optional<Results.FanOut> withSlow = this.results.fanOuts.stream()
			.filter((row) -> row.scenario() == 5 && row.server().equals(NOTIFIER) && row.label().contains("non-readers"))
			.findFirst();
		if (alone.isPresent() && withSlow.isPresent()) {
			double before = p99(alone.get()).median();
			double after = p99(withSlow.get()).median();
			double change = change(before, after);
			// A stall shows as a higher p99; a lower one is the rounds' spread, not a harm to the readers.
			line("| 10 non-readers raise the others' p99 by less than 10% | " + percent(change) + " (" + ms(before)
					+ " → " + ms(after) + ") | " + verdict(change < 0.10 && withSlow.get().drops() == 0) + " |");
		}
		this.results.churns.stream().filter((churn) -> churn.server().equals(NOTIFIER)).findFirst().ifPresent(
				(churn) -> line("| Churn leaves nothing behind | sessions " + churn.after().sessions() + ", workers "
						+ churn.before().workers() + " → " + churn.after().workers() + ", threads "
						+ churn.before().threads() + " → " + churn.after().threads() + ", heap "
						+ beforeAfter(churn.before().heapUsed(), churn.after().heapUsed(), Report::mb) + " | "
						+ verdict(churn.leftNothing()) + " |"));
		clusterTargets();
		line("");
	}

	/**
	 * Cluster mode's costs: on one instance, its throughput against stand-alone's (a cluster mode faster than
	 * stand-alone meets the target), and the p99 of a burst that crosses from one instance to the other.
	 */
	private void clusterTargets() {
		Optional<Results.FanOut> standAlone = fanOut(Scenarios.CLUSTER, Scenarios.STAND_ALONE, NOTIFIER);
		Optional<Results.FanOut> oneInstance = fanOut(Scenarios.CLUSTER, Scenarios.ONE_INSTANCE, NOTIFIER);
		if (standAlone.isPresent() && oneInstance.isPresent()) {
			double mine = rate(oneInstance.get()).median();
			double theirs = rate(standAlone.get()).median();
			line("| Cluster mode on one instance delivers within "
					+ String.format(Locale.ROOT, "%.0f%%", CLUSTER_COST * 100) + " of stand-alone (scenario 8) | "
					+ times(mine / theirs) + " (" + rate(mine) + " vs " + rate(theirs) + ") | "
					+ verdict(mine / theirs >= 1 - CLUSTER_COST) + " |");
		}
		fanOut(Scenarios.CLUSTER, Scenarios.ACROSS_INSTANCES, NOTIFIER).ifPresent((across) -> {
			double p99 = p99(across).median();
			line("| p99 across two clustered instances under " + ms(CLUSTER_P99_MILLIS) + " (scenario 8) | "
					+ ms(p99) + " | " + verdict(p99 < CLUSTER_P99_MILLIS && across.drops() == 0) + " |");
		});
	}

	private void throughputTarget(String target, Optional<Results.FanOut> notifier, Optional<Results.FanOut> baseline,
			double factor) {
		if (notifier.isPresent() && baseline.isPresent()) {
			double mine = rate(notifier.get()).median();
			double theirs = rate(baseline.get()).median();
			line("| " + target + " | " + times(mine / theirs) + " (" + rate(mine) + " vs " + rate(theirs) + ") | "
					+ verdict(mine / theirs >= factor) + " |");
		}
	}

	private void throughput() {
		if (this.results.fanOuts.isEmpty()) {
			return;
		}
		line("### Throughput and latency (scenarios 1, 2, 3, 5, 7, 8)");
		line("");
		line("Delivered msgs/s counts deliveries (one message to one subscriber) from the first publish request to the"
				+ " last delivery. Latency is receive time minus the payload's stamp. Every round ran "
				+ Scenarios.REPETITIONS + " times: each figure is their median, ± how far the farthest of them lay from"
				+ " it, in percent of it. Drops (expected minus received deliveries), errors (protocol errors and"
				+ " failed publish requests) and closed (reader connections the server closed) are totals of the "
				+ Scenarios.REPETITIONS + " rounds. CPU is the server process's user and system time during a round;"
				+ " heap is its live heap after a round, after a full GC; n/a where a server does not report it.");
		line("");
		line("| Scenario | Server | Subscribers | Messages | Deliveries | Delivered msgs/s | p50 | p99 | p99.9 | max"
				+ " | Drops | Errors | Closed | Server CPU | CPU µs/delivery | Generator CPU | Heap after |");
		line("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
		for (Results.FanOut row : this.results.fanOuts) {
			Round.Publish p = row.publish();
			String messages = String.format(Locale.ROOT, "%,d x %,d B", p.n(), p.size())
					+ ((p.groups() > 0) ? String.format(Locale.ROOT, " to each of %,d groups", p.groups()) : "")
					+ ((p.rate() > 0) ? String.format(Locale.ROOT, " at %.0f/s", p.rate()) : "")
					+ ((p.chunk() < p.n()) ? String.format(Locale.ROOT, " in chunks of %,d", p.chunk()) : "");
			line("| " + row.name() + " | " + row.server() + " | " + count(row.subscribers())
					+ ((row.failedConnections() > 0) ? " (" + row.failedConnections() + " failed)" : "") + " | "
					+ messages + " | " + count(row.expected()) + " | " + withSpread(rate(row), Report::rate)
					+ (row.stalled() ? " (stalled)" : "") + " | "
					+ withSpread(row.figure((r) -> r.latencyMillis(50)), Report::ms) + " | "
					+ withSpread(p99(row), Report::ms) + " | "
					+ withSpread(row.figure((r) -> r.latencyMillis(99.9)), Report::ms) + " | "
					+ withSpread(row.figure(Round.Result::maxLatencyMillis), Report::ms) + " | " + count(row.drops())
					+ " | " + count(row.errors()) + " | " + count(row.closedByServer()) + " | "
					+ seconds(row.figure((r) -> reported(r.serverCpuNanos())).median()) + " | "
					+ withSpread(cpuPerDelivery(row), Report::micros) + " | "
					+ seconds(row.figure((r) -> r.clientCpuNanos()).median()) + " | "
					+ mb(row.figure((r) -> reported(r.heapAfterGc())).median()) + " |");
		}
		line("");
		ratios();
	}

	/** Notifier against every other server, round by round. */
	private void ratios() {
		List<String> others = servers(this.results.fanOuts).stream().filter((server) -> !server.equals(NOTIFIER))
			.toList();
		if (others.isEmpty() || this.results.fanOuts.stream().noneMatch((row) -> row.server().equals(NOTIFIER))) {
			return;
		}
		line("Notifier / other servers, per round, of the medians (throughput: higher is better; p99: lower is"
				+ " better):");
		line("");
		line("| Scenario | " + String.join(" | ", others.stream().map((server) -> "msgs/s vs " + server).toList())
				+ " | " + String.join(" | ", others.stream().map((server) -> "p99 vs " + server).toList()) + " |");
		line("|---|" + "--:|".repeat(2 * others.size()));
		Set<String> names = new LinkedHashSet<>();
		this.results.fanOuts.forEach((row) -> names.add(row.name()));
		for (String name : names) {
			Optional<Results.FanOut> mine = row(name, NOTIFIER);
			if (mine.isEmpty()) {
				continue;
			}
			List<String> cells = new ArrayList<>();
			for (Function<Results.FanOut, Figure> metric : List.<Function<Results.FanOut, Figure>>of(Report::rate,
					Report::p99)) {
				for (String other : others) {
					cells.add(row(name, other).map((theirs) -> times(
							metric.apply(mine.get()).median() / metric.apply(theirs).median())).orElse("-"));
				}
			}
			line("| " + name + " | " + String.join(" | ", cells) + " |");
		}
		line("");
	}

	private void idle() {
		if (this.results.idles.isEmpty()) {
			return;
		}
		line("### Idle connections (scenario 4)");
		line("");
		line("Live heap (after a full GC) and RSS (`VmRSS` of `/proc/<pid>/status`, with the processes the server's"
				+ " command started) with the connections open, less the same figures before they opened, divided by"
				+ " the connections. RSS includes the heap pages the JVM touched meanwhile. Measured once, not "
				+ Scenarios.REPETITIONS + " times: what a session holds does not depend on timing as a rate does.");
		line("");
		line("| Server | Idle connections | Heap per session | RSS per session | Heap before → after | RSS before → after |");
		line("|---|--:|--:|--:|--:|--:|");
		for (Results.Idle idle : this.results.idles) {
			line("| " + idle.server() + " | " + count(idle.connections())
					+ ((idle.failedConnections() > 0) ? " (" + idle.failedConnections() + " failed)" : "") + " | "
					+ kb(idle.heapPerSessionBytes()) + " | " + kb(idle.rssPerSessionBytes()) + " | "
					+ mb(reported(idle.before().heapUsed())) + " → " + mb(reported(idle.after().heapUsed())) + " | "
					+ mb(idle.rssBefore()) + " → " + mb(idle.rssAfter()) + " |");
		}
		line("");
	}

	private void slowConsumers() {
		List<Results.FanOut> rows = this.results.fanOuts.stream().filter((row) -> row.scenario() == 5).toList();
		if (rows.isEmpty()) {
			return;
		}
		line("### Slow consumers (scenario 5)");
		line("");
		line("The same readers measured alone, then with subscribers that never read (receive buffer of 4 KB, no"
				+ " read after subscribing; fresh ones for each of the " + Scenarios.REPETITIONS + " rounds). Drops and"
				+ " latency are the readers' only; drops and closed are totals of the rounds.");
		line("");
		line("| Server | p99 readers only | p99 with non-readers | Change | Readers' drops with non-readers | Readers closed |");
		line("|---|--:|--:|--:|--:|--:|");
		for (String server : servers(rows)) {
			Optional<Results.FanOut> alone = rows.stream()
				.filter((row) -> row.server().equals(server) && row.label().equals("readers only"))
				.findFirst();
			Optional<Results.FanOut> with = rows.stream()
				.filter((row) -> row.server().equals(server) && row.label().contains("non-readers"))
				.findFirst();
			if (alone.isPresent() && with.isPresent()) {
				Figure a = p99(alone.get());
				Figure w = p99(with.get());
				line("| " + server + " | " + withSpread(a, Report::ms) + " | " + withSpread(w, Report::ms)
						+ (with.get().stalled() ? " (stalled)" : "") + " | " + percent(change(a.median(), w.median()))
						+ " | " + count(with.get().drops()) + " | " + count(with.get().closedByServer()) + " |");
			}
		}
		line("");
	}

	private void churn() {
		if (this.results.churns.isEmpty()) {
			return;
		}
		line("### Churn (scenario 6)");
		line("");
		line("Connect, subscribe, close with a close handshake, " + BenchmarkSuite.GENERATOR_THREADS
				+ " event loops, 50 cycles in flight, each in a group of its own (the notifier server runs a"
				+ " worker per such group). Before: after a warm-up churn, once sessions were back to 0 and 3 s had"
				+ " passed; after: the same after the measured churn. Leaves nothing = no session, no worker, no more"
				+ " threads and live heap within 1 MB, judged on what the server reports. Threads are counted without"
				+ " Tomcat's request pool (`http-nio-*-exec-*`), which grows under load and ends idle threads after a"
				+ " minute on its own. Measured once: it compares the server with itself, before and after.");
		line("");
		line("| Server | Cycles | Failed | Cycles/s | Subscribe p50 | Subscribe p99 | Sessions after | Workers"
				+ " | Threads | Heap | RSS | Leaves nothing |");
		line("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|");
		for (Results.Churn churn : this.results.churns) {
			line("| " + churn.server() + " | " + count(churn.cycles()) + " | " + count(churn.failedCycles()) + " | "
					+ rate(churn.cyclesPerSecond()) + " | " + ms(churn.subscribeMicros().getValueAtPercentile(50) / 1e3)
					+ " | " + ms(churn.subscribeMicros().getValueAtPercentile(99) / 1e3) + " | "
					+ churn.after().sessions() + " | "
					+ beforeAfter(churn.before().workers(), churn.after().workers(), String::valueOf) + " | "
					+ beforeAfter(churn.before().threads(), churn.after().threads(), String::valueOf) + " | "
					+ beforeAfter(churn.before().heapUsed(), churn.after().heapUsed(), Report::mb) + " | "
					+ mb(churn.rssBefore()) + " → " + mb(churn.rssAfter()) + " | " + verdict(churn.leftNothing())
					+ " |");
		}
		line("");
	}

	private void growth() {
		List<Results.FanOut> rows = this.results.fanOuts.stream().filter((row) -> row.scenario() == 7).toList();
		if (rows.isEmpty()) {
			return;
		}
		line("### Cost growth (scenario 7)");
		line("");
		line("Server CPU per delivered message (median of the rounds) as the same deliveries go to ever more"
				+ " subscribers; flat is the target. Growth = highest / lowest. Messages per write: delivered messages"
				+ " per socket write (`notifier.writes`), for the servers that count their writes.");
		line("");
		List<String> labels = new ArrayList<>(new LinkedHashSet<>(rows.stream().map(Results.FanOut::label).toList()));
		line("| Server | " + String.join(" | ", labels.stream().map((label) -> "µs/delivery " + label).toList())
				+ " | Growth | " + String.join(" | ", labels.stream().map((label) -> "msgs/write " + label).toList())
				+ " |");
		line("|---|" + "--:|".repeat(2 * labels.size() + 1));
		for (String server : servers(rows)) {
			List<Double> costs = new ArrayList<>();
			StringBuilder cells = new StringBuilder();
			StringBuilder batching = new StringBuilder();
			for (String label : labels) {
				Optional<Results.FanOut> row = rows.stream()
					.filter((r) -> r.server().equals(server) && r.label().equals(label))
					.findFirst();
				double cost = row.map((r) -> cpuPerDelivery(r).median()).orElse(Double.NaN);
				if (!Double.isNaN(cost)) {
					costs.add(cost);
				}
				cells.append(" | ").append(micros(cost));
				batching.append(" | ")
					.append(micros(row.map((r) -> r.figure(Round.Result::messagesPerWrite).median()).orElse(Double.NaN)));
			}
			double growth = costs.isEmpty() ? Double.NaN
					: costs.stream().mapToDouble(Double::doubleValue).max().getAsDouble()
							/ costs.stream().mapToDouble(Double::doubleValue).min().getAsDouble();
			line("| " + server + cells + " | " + times(growth) + batching + " |");
		}
		line("");
	}

	private void cluster() {
		sideBySide(Scenarios.CLUSTER, "### Cluster on Redis (scenario 8)", "Scenario 1's burst on notifier stand-alone"
				+ " and on an instance with `notifier.cluster.mode=redis` on the local Redis server, published and"
				+ " subscribed on that instance: two servers started for this scenario, their warm-ups and rounds"
				+ " taking turns, so that both are as warm; then published on it to subscribers of a second"
				+ " clustered instance: each message crosses Redis once (in a PUBLISH shared by the broadcasts of a"
				+ " 2 ms round, one pub/sub delivery to the second instance), which fans it out to its sessions. CPU is both instances' from that round on. The next keeps the"
				+ " group's history (`notifier.history.groups`): each broadcast is one script in Redis (`XADD` and"
				+ " `PUBLISH`), delivered on both instances once Redis hands it back. The last two"
				+ " publish to scenario 3's groups of 10 on the second instance, so that every message crosses Redis,"
				+ " paced at 5 messages to every group per second (5,000 publishes/s): on one Redis server, then with"
				+ " the groups spread over two"
				+ " (`notifier.cluster.shards`).",
				Scenarios.STAND_ALONE);
		redisLoads();
	}

	private static String redisLoad(RedisServers.Load load) {
		return String.format(Locale.ROOT, "%,d commands, %.2f s", load.commands(), load.cpuSeconds());
	}

	/** How the Redis servers' CPU time divided in the shard rounds of scenario 8. */
	private void redisLoads() {
		if (this.results.redisLoads.isEmpty()) {
			return;
		}
		line("What each Redis server did over each shard round (its probes, warm-up and " + Scenarios.REPETITIONS
				+ " repetitions, the same messages in both rounds): commands processed and CPU time.");
		line("");
		line("| Round | First server | Second server | Busiest server's commands against one server | Busiest server's"
				+ " CPU against one server |");
		line("|---|--:|--:|--:|--:|");
		Optional<Results.RedisLoad> oneServer = this.results.redisLoads.stream()
			.filter((load) -> load.label().equals(Scenarios.ONE_SERVER))
			.findFirst();
		for (Results.RedisLoad load : this.results.redisLoads) {
			RedisServers.Load first = load.servers().get(0);
			RedisServers.Load second = load.servers().get(1);
			RedisServers.Load busiest = (first.commands() >= second.commands()) ? first : second;
			RedisServers.Load alone = oneServer.map((one) -> one.servers().get(0)).orElse(null);
			line("| " + load.label() + " | " + redisLoad(first) + " | " + redisLoad(second) + " | "
					+ ((alone != null) ? times((double) busiest.commands() / alone.commands()) : "n/a") + " | "
					+ ((alone != null) ? times(busiest.cpuSeconds() / alone.cpuSeconds()) : "n/a") + " |");
		}
		line("");
	}

	private void eventStreams() {
		sideBySide(Scenarios.EVENT_STREAMS, "### Server-Sent Events (scenario 9)", "Scenario 1's burst on one notifier"
				+ " server, to WebSocket subscribers of the group, then to as many subscribers of the group's event"
				+ " stream (`GET /sse/<group>`), which the same engine writes as events with Servlet non-blocking I/O.",
				Scenarios.WEBSOCKET);
	}

	/**
	 * The rounds of a scenario that runs on notifier only, side by side, and the throughput of each against the
	 * first.
	 */
	private void sideBySide(int scenario, String title, String description, String baseline) {
		List<Results.FanOut> rows = this.results.fanOuts.stream().filter((row) -> row.scenario() == scenario).toList();
		if (rows.isEmpty()) {
			return;
		}
		line(title);
		line("");
		line(description + " Medians of " + Scenarios.REPETITIONS + " rounds, ± the farthest.");
		line("");
		line("| Round | Subscribers | Delivered msgs/s | p50 | p99 | max | Drops | CPU µs/delivery | Msgs/write |");
		line("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
		for (Results.FanOut row : rows) {
			line("| " + row.label() + " | " + count(row.subscribers()) + " | " + withSpread(rate(row), Report::rate)
					+ " | " + withSpread(row.figure((r) -> r.latencyMillis(50)), Report::ms) + " | "
					+ withSpread(p99(row), Report::ms) + " | "
					+ withSpread(row.figure(Round.Result::maxLatencyMillis), Report::ms) + " | " + count(row.drops())
					+ " | " + withSpread(cpuPerDelivery(row), Report::micros) + " | "
					+ micros(row.figure(Round.Result::messagesPerWrite).median()) + " |");
		}
		Optional<Results.FanOut> first = fanOut(scenario, baseline, NOTIFIER);
		if (first.isPresent() && rows.size() > 1) {
			line("");
			line("Throughput against " + baseline + ": " + String.join(", ", rows.stream()
				.filter((row) -> row != first.get())
				.map((row) -> row.label() + " " + times(rate(row).median() / rate(first.get()).median()))
				.toList()) + ".");
		}
		line("");
	}

	private void failures() {
		if (this.results.failures.isEmpty()) {
			return;
		}
		line("### Runs that failed");
		line("");
		line("| Scenario | Server | Error |");
		line("|---|---|---|");
		for (Results.Failure failure : this.results.failures) {
			line("| " + failure.scenario() + " | " + failure.server() + " | "
					+ failure.message().replace('|', '/').replaceAll("\\s+", " ") + " |");
		}
		line("");
	}

	private Optional<Results.FanOut> fanOut(int scenario, String label, String server) {
		return this.results.fanOuts.stream()
			.filter((row) -> row.scenario() == scenario && row.label().equals(label) && row.server().equals(server))
			.findFirst();
	}

	private Optional<Results.FanOut> row(String name, String server) {
		return this.results.fanOuts.stream()
			.filter((row) -> row.name().equals(name) && row.server().equals(server))
			.findFirst();
	}

	private static List<String> servers(List<Results.FanOut> rows) {
		return new ArrayList<>(new LinkedHashSet<>(rows.stream().map(Results.FanOut::server).toList()));
	}

	private static Figure rate(Results.FanOut row) {
		return row.figure(Round.Result::messagesPerSecond);
	}

	private static Figure p99(Results.FanOut row) {
		return row.figure((result) -> result.latencyMillis(99));
	}

	private static Figure cpuPerDelivery(Results.FanOut row) {
		return row.figure(Round.Result::serverMicrosPerDelivery);
	}

	/** A figure of {@code /stats}, NaN where the server does not report it (-1). */
	private static double reported(long value) {
		return (value < 0) ? Double.NaN : value;
	}

	/** A median, then how far the farthest round lay from it. */
	private static String withSpread(Figure figure, DoubleFunction<String> format) {
		String median = format.apply(figure.median());
		double spread = figure.spread();
		return Double.isNaN(spread) ? median : median + String.format(Locale.ROOT, " ±%.0f%%", spread * 100);
	}

	private static String beforeAfter(long before, long after, LongFunction<String> format) {
		return (before < 0 || after < 0) ? "n/a" : format.apply(before) + " → " + format.apply(after);
	}

	private static double change(double before, double after) {
		return (before > 0) ? (after - before) / before : Double.NaN;
	}

	private static String verdict(boolean met) {
		return met ? "**met**" : "**missed**";
	}

	private static String times(double ratio) {
		return Double.isNaN(ratio) || Double.isInfinite(ratio) ? "-" : String.format(Locale.ROOT, "%.2fx", ratio);
	}

	private static String percent(double fraction) {
		return Double.isNaN(fraction) ? "-" : String.format(Locale.ROOT, "%+.0f%%", fraction * 100);
	}

	private static String rate(double perSecond) {
		return String.format(Locale.ROOT, "%,.0f", perSecond);
	}

	private static String count(long count) {
		return String.format(Locale.ROOT, "%,d", count);
	}

	private static String ms(double millis) {
		return (millis < 10) ? String.format(Locale.ROOT, "%.2f ms", millis)
				: String.format(Locale.ROOT, "%,.0f ms", millis);
	}

	private static String micros(double micros) {
		return Double.isNaN(micros) ? "n/a" : String.format(Locale.ROOT, "%.1f", micros);
	}

	private static String seconds(double nanos) {
		return Double.isNaN(nanos) ? "n/a" : String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
	}

	private static String mb(double bytes) {
		return Double.isNaN(bytes) ? "n/a" : String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
	}

	private static String kb(double bytes) {
		return Double.isNaN(bytes) ? "n/a" : String.format(Locale.ROOT, "%.1f KB", bytes / 1024);
	}

	private void line(String text) {
		this.out.append(text).append('\n');
	}

}
