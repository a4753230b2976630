package dev.notifier.core;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * The one {@code notifier-worker-timer-1} thread that runs every worker timer: idle checks, lifetimes and stop-grace
 * interrupts, which {@link RunningWorker} arms for itself. It runs no worker code and nothing that may wait on the
 * network, so a slow tick or a slow cluster never delays a stop.
 *
 * <p>Threads and locks: {@link #after} is called from any thread, {@link #shutdown} by {@link GroupWorkers#shutdown}.
 * It has no lock of its own; a timer task takes the monitor of its worker only.
 */
final class WorkerTimers {

	private final ScheduledThreadPoolExecutor scheduler;

	WorkerTimers() {
		this.scheduler = new ScheduledThreadPoolExecutor(1, NotifierThreads.named("notifier-worker-timer"));
		// Idle checks are cancelled whenever a group refills: a cancelled one must not stay queued until it is due.
		this.scheduler.setRemoveOnCancelPolicy(true);
	}

	/**
	 * Runs a short task on the timer thread once the delay has passed.
	 * @return the timer, to cancel it; {@code null} once shut down
	 */
	@Nullable Future<?> after(Duration delay, Runnable task) {
		try {
			return this.scheduler.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			return null;
		}
	}

	/** Drops every pending timer and ends the thread. */
	void shutdown() {
		this.scheduler.shutdownNow();
	}

}
