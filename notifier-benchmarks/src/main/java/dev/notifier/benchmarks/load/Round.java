package dev.notifier.benchmarks.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.notifier.benchmarks.EpochMicros;
import org.HdrHistogram.Histogram;

/**
 * One measured publish: triggers it in chunks and waits for the deliveries, reading the server's CPU and heap
 * around it.
 *
 * <p>A chunk is published, then the next only once every reader has received it (or delivery stalled). A single
 * chunk is a burst; several keep every subscriber's backlog under the chunk size, which every server's per-session
 * limits allow. The time measured runs from the first publish request to the last delivery seen. A payload stamped
 * before the round began, left over from one that stalled, is not counted.
 */
public final class Round {

	/** How much earlier than the round's start a payload of the round may be stamped, by a millisecond clock. */
	private static final long STAMP_TOLERANCE_MICROS = 1_000;

	private final Control control;

	private final Duration stallTimeout;

	/**
	 * @param stallTimeout how long deliveries may make no progress before the round gives up and counts the rest as
	 * dropped
	 */
	public Round(Control control, Duration stallTimeout) {
		this.control = control;
		this.stallTimeout = stallTimeout;
	}

	/**
	 * Publishes and measures.
	 * @param readers the subscribers that read, across all groups: each receives every message once
	 */
	public Result run(Target target, Deliveries deliveries, Publish publish, int readers)
			throws IOException, InterruptedException {
		return run(target, target, deliveries, publish, readers);
	}

	/**
	 * Publishes on one server to subscribers of another (two instances of a cluster) and measures; the server CPU is
	 * both servers', the heap and sessions the subscribers' server's.
	 * @param readers the subscribers that read, across all groups: each receives every message once
	 */
	public Result run(Target publisher, Target target, Deliveries deliveries, Publish publish, int readers)
			throws IOException, InterruptedException {
		deliveries.reset(EpochMicros.now() - STAMP_TOLERANCE_MICROS);
		ServerStats publisherBefore = (publisher != target) ? this.control.stats(publisher, true) : null;
		ServerStats before = this.control.stats(target, true);
		long clientCpuBefore = clientCpuNanos();
		long startNanos = System.nanoTime();
		long lastProgressNanos = startNanos;
		long lastCount = 0;
		long expectedSoFar = 0;
		boolean stalled = false;
		int httpFailures = 0;
		for (int published = 0; published < publish.n() && !stalled;) {
			int chunk = Math.min(publish.chunk(), publish.n() - published);
			published += chunk;
			expectedSoFar += (long) chunk * readers;
			CompletableFuture<HttpResponse<String>> response = this.control.publish(publisher, publish.group(),
					publish.groups(), chunk, publish.size(), publish.rate());
			while (true) {
				long count = deliveries.received();
				long now = System.nanoTime();
				if (count != lastCount) {
					lastCount = count;
					lastProgressNanos = now;
				}
				if (count >= expectedSoFar && response.isDone()) {
					break;
				}
				if (now - lastProgressNanos > this.stallTimeout.toNanos()) {
					stalled = true;
					break;
				}
				Thread.sleep(1);
			}
			if (response.isDone() && (response.isCompletedExceptionally() || response.join().statusCode() != 200)) {
				httpFailures++;
			}
		}
		long elapsedNanos = lastProgressNanos - startNanos;
		long clientCpu = clientCpuNanos() - clientCpuBefore;
		ServerStats end = this.control.stats(target, false);
		long serverCpu = cpuBetween(before, end);
		long writes = (before.writes() < 0 || end.writes() < 0) ? ServerStats.UNKNOWN : end.writes() - before.writes();
		if (publisher != target) {
			long publisherCpu = cpuBetween(publisherBefore, this.control.stats(publisher, false));
			serverCpu = (serverCpu < 0 || publisherCpu < 0) ? ServerStats.UNKNOWN : serverCpu + publisherCpu;
		}
		Histogram latency = deliveries.takeLatencies();
		long received = deliveries.received();
		ServerStats afterGc = this.control.stats(target, true);
		return new Result((long) publish.n() * readers, received, stalled, deliveries.errors() + httpFailures,
				deliveries.closedByServer(), elapsedNanos, latency, serverCpu, writes, clientCpu, afterGc.heapUsed(),
				afterGc.sessions());
	}

	/** The CPU a server spent between two readings, unknown if it does not report its CPU. */
	private static long cpuBetween(ServerStats before, ServerStats after) {
		return (before.processCpuNanos() < 0 || after.processCpuNanos() < 0) ? ServerStats.UNKNOWN
				: after.processCpuNanos() - before.processCpuNanos();
	}

	private static long clientCpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}

	/**
	 * What to publish.
	 * @param group the group, or the prefix of the groups
	 * @param groups 0 for one group, else how many groups ({@code group0} ...)
	 * @param n messages (to every group)
	 * @param size bytes per payload
	 * @param rate messages per second, 0 for a burst
	 * @param chunk messages per publish request; the next waits for the deliveries of the previous
	 */
	public record Publish(String group, int groups, int n, int size, double rate, int chunk) {

		public Publish withMessages(int messages) {
			return new Publish(this.group, this.groups, messages, this.size, this.rate, Math.min(this.chunk, messages));
		}

		public Publish withRate(double rate) {
			return new Publish(this.group, this.groups, this.n, this.size, rate, this.chunk);
		}

	}

	/**
	 * The outcome of a round.
	 * @param expected deliveries the round should have made
	 * @param received deliveries that arrived
	 * @param stalled whether the round gave up waiting
	 * @param errors protocol errors and failed publish requests
	 * @param closedByServer reader connections the server closed during the round
	 * @param elapsedNanos from the first publish request to the last delivery
	 * @param latencyMicros the latency of every delivery
	 * @param serverCpuNanos CPU the server spent during the round, or -1 if it does not report its CPU
	 * @param writes socket writes the subscribers' server completed during the round, or -1 if it does not count them
	 * @param clientCpuNanos CPU the load generator spent during the round
	 * @param heapAfterGc the server's live heap after the round, or -1 if it does not report its heap
	 * @param sessionsAfter sessions the server had open after the round
	 */
	public record Result(long expected, long received, boolean stalled, long errors, long closedByServer,
			long elapsedNanos, Histogram latencyMicros, long serverCpuNanos, long writes, long clientCpuNanos,
			long heapAfterGc, int sessionsAfter) {

		public long drops() {
			return Math.max(0, this.expected - this.received);
		}

		public double messagesPerSecond() {
			return (this.elapsedNanos > 0) ? this.received * 1e9 / this.elapsedNanos : 0;
		}

		/** Server CPU per delivered message, in microseconds; NaN if the server does not report its CPU. */
		public double serverMicrosPerDelivery() {
			if (this.serverCpuNanos < 0) {
				return Double.NaN;
			}
			return (this.received > 0) ? this.serverCpuNanos / 1e3 / this.received : 0;
		}

		/** Delivered messages per socket write; NaN if the server does not count its writes. */
		public double messagesPerWrite() {
			return (this.writes > 0) ? (double) this.received / this.writes : Double.NaN;
		}

		public double latencyMillis(double percentile) {
			return this.latencyMicros.getValueAtPercentile(percentile) / 1e3;
		}

		public double maxLatencyMillis() {
			return this.latencyMicros.getMaxValue() / 1e3;
		}

	}

}
