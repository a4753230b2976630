package dev.notifier.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The background work behind one group, such as following a task's log or computing a ticker: created by a
 * {@link GroupWorkerFactory} when the group is first needed, stopped when the group has been empty for a while.
 *
 * <p>Two shapes, neither of which holds a thread while idle:
 * <ul>
 * <li>{@link #periodic} runs a short {@link Tick} every period on a shared scheduler. A tick must not block: every
 * group's ticks share the scheduler's few threads.</li>
 * <li>{@link #blocking} runs a {@link Loop} that reads a source on a bounded executor (virtual threads where the
 * application enables them). The loop must return soon after {@link WorkerContext#isStopping()} turns true, or
 * react to an interrupt, which comes once the stop grace is over.</li>
 * </ul>
 * A worker that ends by itself (a loop that returns, a tick that calls {@link WorkerContext#finish()}) closes its
 * group's sessions with 1000: the work is over. One that throws closes them with 1011.
 */
public sealed interface GroupWorker permits GroupWorker.Periodic, GroupWorker.Blocking {

	/**
	 * A worker that runs the tick every period, the first time one period after it starts.
	 * @throws IllegalArgumentException if the period is not positive
	 */
	static GroupWorker periodic(Duration period, Tick tick) {
		return new Periodic(period, tick);
	}

	/** A worker that runs the loop once, on its own executor thread, until it returns. */
	static GroupWorker blocking(Loop loop) {
		return new Blocking(loop);
	}

	/** One step of a periodic worker. */
	@FunctionalInterface
	interface Tick {

		/** Does one period's work, typically a broadcast through {@link WorkerContext#broadcast}. */
		void tick(WorkerContext context) throws Exception;

	}

	/** The body of a blocking worker. */
	@FunctionalInterface
	interface Loop {

		/** Runs until the work is over or {@link WorkerContext#isStopping()} is true. */
		void run(WorkerContext context) throws Exception;

	}

	/**
	 * A periodic worker.
	 * @param period the time between ticks
	 * @param tick the work of one tick
	 * @throws IllegalArgumentException if the period is not positive
	 */
	record Periodic(Duration period, Tick tick) implements GroupWorker {

		public Periodic {
			Objects.requireNonNull(period, "period");
			Objects.requireNonNull(tick, "tick");
			// Checked here rather than when the worker is launched: a factory that builds one fails as it builds it,
			// and its group's sessions are closed with 1011 like those of any factory that throws.
			if (period.isNegative() || period.isZero()) {
				throw new IllegalArgumentException("the period of a periodic worker must be positive: " + period);
			}
		}

	}

	/**
	 * A blocking worker.
	 * @param loop the loop
	 */
	record Blocking(Loop loop) implements GroupWorker {

		public Blocking {
			Objects.requireNonNull(loop, "loop");
		}

	}

}
