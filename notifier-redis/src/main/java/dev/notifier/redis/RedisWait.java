package dev.notifier.redis;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisFuture;

/**
 * Waiting for a Redis reply, for the threads that may: the cluster thread, and the engine's threads that start or end
 * a worker. Never longer than a third of the worker lease, so that a renewal that waits in vain still leaves time for
 * the next one, and never more than 2 seconds. Immutable.
 */
final class RedisWait {

	private static final Duration MAX_WAIT = Duration.ofSeconds(2);

	private final long timeoutMillis;

	RedisWait(Duration workerLease) {
		this.timeoutMillis = Math.min(workerLease.toMillis() / 3, MAX_WAIT.toMillis());
	}

	/**
	 * The reply to a command, waiting for it if needed.
	 * @throws Failure if Redis answered with an error, or not in time (the command is then cancelled)
	 */
	<T> T await(Future<T> reply) throws Failure {
		try {
			return reply.get(this.timeoutMillis, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			reply.cancel(false);
			throw new Failure(ex);
		}
		catch (ExecutionException ex) {
			throw new Failure(ex.getCause());
		}
		catch (TimeoutException ex) {
			reply.cancel(false);
			throw new Failure(ex);
		}
	}

	/**
	 * Waits for several replies under one deadline, this wait's time limit in all: for commands sent one after the
	 * other without waiting (pipelined on one connection), so that their number does not multiply the wait. What has
	 * not come by the deadline is cancelled.
	 * @return how many replies came in time, errors included
	 */
	int awaitAll(Collection<? extends RedisFuture<?>> replies) {
		return awaitAll(replies, deadline());
	}

	/** The {@link System#nanoTime()} by which replies to commands sent now must have come. */
	long deadline() {
		return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(this.timeoutMillis);
	}

	/**
	 * Waits for several replies until a deadline from {@link #deadline()}, for commands sent before it was taken:
	 * several sets of commands, on as many connections, then share one wait. What has not come by the deadline is
	 * cancelled.
	 * @return how many replies came in time, errors included
	 */
	int awaitAll(Collection<? extends RedisFuture<?>> replies, long deadline) {
		int answered = 0;
		for (RedisFuture<?> reply : replies) {
			try {
				reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
				answered++;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				replies.forEach((pending) -> pending.cancel(false));
				return answered;
			}
			catch (ExecutionException ex) {
				answered++;
			}
			catch (TimeoutException ex) {
				reply.cancel(false);
			}
		}
		return answered;
	}

	/** Redis did not answer in time, or answered with an error. */
	static final class Failure extends Exception {

		Failure(Throwable cause) {
			super(cause.getMessage(), cause);
		}

	}

}
