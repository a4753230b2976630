package dev.notifier.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

import dev.notifier.benchmarks.load.Control;
import dev.notifier.benchmarks.load.LoadGenerator;
import dev.notifier.benchmarks.load.Round;

/**
 * The benchmark suite: runs each selected scenario on each selected server, every server a fresh child JVM, then
 * writes {@code benchmarks.md} and {@code benchmarks.png}. See docs/benchmarks.md.
 */
public final class BenchmarkSuite {

	/**
	 * The same for every server, and quoted in the report. 10,000 sessions hold 0.5 to 0.9 GB of live heap on these
	 * servers, so a 1 GB heap would measure the collector, or an out-of-memory exit, rather than the server.
	 */
	static final List<String> SERVER_JVM_FLAGS = List.of("-Xmx4g", "-XX:+UseG1GC",
			"-XX:+ExitOnOutOfMemoryError");

	/** One event-loop thread per core: the generator shares the machine's cores with the server. */
	static final int GENERATOR_THREADS = 2;

	/** How long deliveries may make no progress before a round gives up and counts the rest as dropped. */
	static final Duration STALL_TIMEOUT = Duration.ofSeconds(10);

	private BenchmarkSuite() {
	}

	public static void main(String[] args) throws Exception {
		Options options;
		try {
			options = Options.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.exit(2);
			return;
		}
		ZonedDateTime started = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS);
		Path work = Files.createTempDirectory("notifier-benchmarks-");
		log("Server logs in %s", work);
		Results results = new Results();
		Control control = new Control();
		ServerProcess.Launcher launcher = new ServerProcess.Launcher(SERVER_JVM_FLAGS, options.profile(), work,
				control);
		for (ExternalServer external : options.externals()) {
			try (ServerProcess check = launcher.start(external, "check")) {
				log("%s answers (%s)", external.option(),
						Objects.requireNonNullElse(check.software(), "no serverInfo"));
			}
			catch (IOException ex) {
				System.err.println(ex.getMessage());
				System.exit(2);
				return;
			}
		}
		try (LoadGenerator generator = new LoadGenerator(GENERATOR_THREADS)) {
			Scenarios scenarios = new Scenarios(options.sizes(), generator, control,
					new Round(control, STALL_TIMEOUT), results, launcher, redisUrl());
			for (int scenario : options.scenarios()) {
				for (Server server : options.servers()) {
					if (!server.runs(scenario)) {
						continue;
					}
					log("Scenario %d on %s", scenario, server.id());
					try (ServerProcess process = launcher.start(server, "scenario-" + scenario)) {
						if (process.software() != null
								&& results.software.putIfAbsent(server.id(), process.software()) == null) {
							log("  %s runs on %s", server.id(), process.software());
						}
						try {
							scenarios.run(scenario, server.id(), process);
						}
						catch (Exception ex) {
							String failure = process.describe(ex);
							log("  FAILED: %s", failure);
							results.failures.add(new Results.Failure(scenario, server.id(), failure));
						}
					}
					catch (Exception ex) {
						log("  FAILED: %s", ex);
						results.failures.add(new Results.Failure(scenario, server.id(), String.valueOf(ex)));
					}
				}
			}
		}
		Duration took = Duration.between(started, ZonedDateTime.now()).truncatedTo(ChronoUnit.SECONDS);
		Path chart = options.output().resolve("benchmarks.png");
		Path report = options.output().resolve("benchmarks.md");
		Files.createDirectories(options.output());
		Chart.write(results, chart);
		Report.write(results, options, started, took, report);
		log("Wrote %s and %s in %s", report, chart, took);
	}

	/** The Redis server of the cluster scenario: {@code NOTIFIER_BENCH_REDIS}, by default the local one. */
	static String redisUrl() {
		String url = System.getenv("NOTIFIER_BENCH_REDIS");
		return (url != null && !url.isBlank()) ? url : "redis://127.0.0.1:6379";
	}

	static void log(String format, Object... args) {
		System.out.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + String.format(format, args));
	}

}
