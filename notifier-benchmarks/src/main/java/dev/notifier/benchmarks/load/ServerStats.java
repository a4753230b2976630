package dev.notifier.benchmarks.load;

/**
 * What {@code GET /stats} reports.
 * @param sessions WebSocket sessions open
 * @param workers group workers running, or -1 for a server without workers
 * @param threads live threads but the container's request pool, which grows and shrinks on its own
 * @param heapUsed heap used, after a full collection unless asked otherwise
 * @param processCpuNanos CPU time of the whole process, user and system
 */
public record ServerStats(int sessions, int workers, int threads, long heapUsed, long processCpuNanos) {
}
