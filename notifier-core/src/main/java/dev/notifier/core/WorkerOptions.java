package dev.notifier.core;

import java.time.Duration;
import java.util.concurrent.ThreadFactory;

/**
 * The settings of group workers.
 *
 * @param idleTimeout how long a group may stay empty before its worker is stopped
 * @param maxLifetime how long a worker may run before it is stopped and its group's sessions are asked to reconnect,
 * unless its factory says otherwise
 * @param stopGrace how long a stopping worker may take to end before it is interrupted
 * @param maxBlockingWorkers how many blocking workers may run at once; a start beyond that fails
 * @param blockingThreads makes the threads of blocking workers (platform or virtual)
 */
public record WorkerOptions(Duration idleTimeout, Duration maxLifetime, Duration stopGrace, int maxBlockingWorkers,
		ThreadFactory blockingThreads) {

	public WorkerOptions {
		require(!idleTimeout.isNegative(), "idleTimeout must not be negative");
		require(maxLifetime.compareTo(Duration.ZERO) > 0, "maxLifetime must be positive");
		require(!stopGrace.isNegative(), "stopGrace must not be negative");
		require(maxBlockingWorkers > 0, "maxBlockingWorkers must be positive");
	}

	/** The documented defaults: 1s idle timeout, 24h lifetime, 3s grace, 256 blocking workers on platform threads. */
	public static WorkerOptions defaults() {
		return new WorkerOptions(Duration.ofSeconds(1), Duration.ofHours(24), Duration.ofSeconds(3), 256,
				NotifierThreads.named("notifier-worker"));
	}

	private static void require(boolean condition, String message) {
		if (!condition) {
			throw new IllegalArgumentException(message);
		}
	}

}
