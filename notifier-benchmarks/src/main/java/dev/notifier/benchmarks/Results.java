package dev.notifier.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import dev.notifier.benchmarks.load.Round;
import dev.notifier.benchmarks.load.ServerStats;
import org.HdrHistogram.Histogram;

/**
 * Everything one run measured, in the order it was measured.
 */
final class Results {

	final List<FanOut> fanOuts = new ArrayList<>();

	final List<Idle> idles = new ArrayList<>();

	final List<Churn> churns = new ArrayList<>();

	final List<Failure> failures = new ArrayList<>();

	final List<RedisLoad> redisLoads = new ArrayList<>();

	/** What each server said it runs on ({@code serverInfo} of {@code /stats}), by server, where it said so. */
	final Map<String, String> software = new LinkedHashMap<>();

	/**
	 * A publish round of scenarios 1, 2, 3, 5, 7 or 8, measured {@link Scenarios#REPETITIONS} times over.
	 * @param scenario the scenario number
	 * @param label what distinguishes this round within its scenario, such as "x5,000" or "paced"
	 * @param server the server's name
	 * @param subscribers readers connected
	 * @param failedConnections subscribers that could not connect
	 * @param rounds the outcome of every repetition, in order
	 */
	record FanOut(int scenario, String label, String server, int subscribers, int failedConnections,
			Round.Publish publish, List<Round.Result> rounds) {

		/** The row's name in the table and chart. */
		String name() {
			return this.scenario + (this.label.isEmpty() ? "" : " " + this.label);
		}

		/** A figure's median over the repetitions, and its spread. */
		Figure figure(ToDoubleFunction<Round.Result> metric) {
			return Figure.of(this.rounds, metric);
		}

		/** Deliveries each repetition should have made. */
		long expected() {
			return this.rounds.get(0).expected();
		}

		/** Deliveries missing, over all repetitions: a loss in one of them is not a median's to hide. */
		long drops() {
			return this.rounds.stream().mapToLong(Round.Result::drops).sum();
		}

		/** Protocol errors and failed publish requests, over all repetitions. */
		long errors() {
			return this.rounds.stream().mapToLong(Round.Result::errors).sum();
		}

		/** Reader connections the server closed, over all repetitions. */
		long closedByServer() {
			return this.rounds.stream().mapToLong(Round.Result::closedByServer).sum();
		}

		/** Whether any repetition gave up waiting for deliveries. */
		boolean stalled() {
			return this.rounds.stream().anyMatch(Round.Result::stalled);
		}

	}

	/**
	 * Scenario 4: idle connections.
	 * @param connections idle connections opened
	 * @param failedConnections connections that could not open
	 */
	record Idle(String server, int connections, int failedConnections, ServerStats before, ServerStats after,
			long rssBefore, long rssAfter) {

		/** NaN for a server that does not report its heap. */
		double heapPerSessionBytes() {
			if (this.before.heapUsed() < 0 || this.after.heapUsed() < 0) {
				return Double.NaN;
			}
			return (double) (this.after.heapUsed() - this.before.heapUsed()) / this.connections;
		}

		double rssPerSessionBytes() {
			return (double) (this.rssAfter - this.rssBefore) / this.connections;
		}

	}

	/**
	 * Scenario 6: connect/disconnect cycles.
	 * @param cycles cycles run
	 * @param failedCycles cycles whose connection or subscription failed
	 * @param elapsedNanos how long the cycles took
	 * @param subscribeMicros time from connect to subscribed, per cycle
	 * @param before the server once a warm-up churn had settled
	 * @param after the server once the measured churn had settled
	 */
	record Churn(String server, int cycles, int failedCycles, long elapsedNanos, Histogram subscribeMicros,
			ServerStats before, ServerStats after, long rssBefore, long rssAfter) {

		double cyclesPerSecond() {
			return this.cycles * 1e9 / this.elapsedNanos;
		}

		/**
		 * Whether the churn left nothing behind: no session, no worker, no more threads than before, and live heap
		 * within 1 MB of what it was. A figure the server does not report is -1 before and after, and passes.
		 */
		boolean leftNothing() {
			return this.after.sessions() == 0 && this.after.workers() <= Math.max(0, this.before.workers())
					&& this.after.threads() <= this.before.threads()
					&& this.after.heapUsed() - this.before.heapUsed() < HEAP_TOLERANCE_BYTES;
		}

		static final long HEAP_TOLERANCE_BYTES = 1024 * 1024;

	}

	/**
	 * What each Redis server of a shard round did over the round.
	 * @param label the round, as in its {@link FanOut}
	 * @param servers each server's, in the order of the servers (the first carries the one-server round)
	 */
	record RedisLoad(String label, List<RedisServers.Load> servers) {
	}

	/** A scenario that could not run on a server. */
	record Failure(int scenario, String server, String message) {
	}

}
