package dev.notifier.core;

import java.util.concurrent.TimeUnit;

/**
 * The inbound rate limit of one session: a token bucket of {@code burst} messages refilled at
 * {@code messagesPerSecond}, kept as one number, the theoretical arrival time of the next message (the generic cell
 * rate algorithm), so that checking a message costs a subtraction and allocates nothing.
 *
 * <p>Not thread-safe: like {@link InboundAssembly}, it belongs to the container's inbound thread of one connection.
 */
final class InboundRate {

	private final long interval;

	private final long tolerance;

	/** When the next message would arrive if the session sent at exactly the average rate. */
	private long nextArrival;

	InboundRate(int messagesPerSecond, int burst, long nowNanos) {
		this.interval = TimeUnit.SECONDS.toNanos(1) / messagesPerSecond;
		this.tolerance = (burst - 1) * this.interval;
		this.nextArrival = nowNanos;
	}

	/** Whether a message arriving now is within the limit; if it is, it takes its place in the bucket. */
	boolean admit(long nowNanos) {
		if (nowNanos - (this.nextArrival - this.tolerance) < 0) {
			return false;
		}
		// Compared by difference: nanoTime values may wrap around.
		this.nextArrival = ((nowNanos - this.nextArrival > 0) ? nowNanos : this.nextArrival) + this.interval;
		return true;
	}

}
