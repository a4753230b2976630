package dev.notifier.benchmarks.load;

import org.jspecify.annotations.Nullable;

/**
 * What {@code GET /stats} reports. Only {@code sessions} is required of a server; a figure it does not report is -1
 * (an outside server in Go has no heap to report, say), and the report shows it as n/a.
 * @param sessions WebSocket sessions open
 * @param workers group workers running, or -1 for a server without workers
 * @param threads live threads but the container's request pool, which grows and shrinks on its own, or -1
 * @param heapUsed heap used, after a full collection unless asked otherwise, or -1
 * @param processCpuNanos CPU time of the whole process, user and system, or -1
 * @param compileMillis time the JIT compilers have spent so far, or -1
 * @param writes socket writes completed so far, each carrying one or more messages, or -1
 * @param software what the server runs on, such as "Apache Tomcat/11.0.27", or {@code null}
 */
public record ServerStats(int sessions, int workers, int threads, long heapUsed, long processCpuNanos,
		long compileMillis, long writes, @Nullable String software) {

	/** A figure the server did not report. */
	public static final int UNKNOWN = -1;

}
