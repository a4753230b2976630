package dev.notifier.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The group workers of one engine, as the engine sees them: at most one per group, started when a group matching a
 * factory is first needed, stopped when the group has been empty for the idle timeout, at the end of its lifetime,
 * on request or at shutdown.
 *
 * <p>Threads: {@link #groupOccupied} and {@link #groupEmptied} run on the thread that joined or left a group, a
 * container's WebSocket thread, and never wait: the first cancels an idle check or queues a launch, the second arms
 * an idle check. {@link #start} runs on the application's thread and waits for the launch, {@link #stop},
 * {@link #workers} and {@link #worker} on any thread, {@link #shutdown} on the engine's. This class holds no
 * mutable state and no lock of its own.
 *
 * <p>Its parts, each calling only those after it: the {@link WorkerLauncher} (the lease, the factory, the launch and
 * tick threads, and settling a worker that ended), the {@link WorkerRegistry} (at most one worker per group,
 * listing, stop), each {@link RunningWorker} (the state machine of one worker's life, whose end is reported to the
 * launcher through the {@link RunningWorker.EndHandler} it was given) and the {@link WorkerTimers} (the idle checks,
 * lifetimes and stop-grace interrupts, on a thread of their own).
 */
final class GroupWorkers {

	/** How long shutdown waits beyond the stop grace, for the interrupts of the grace to land. */
	private static final Duration INTERRUPT_MARGIN = Duration.ofMillis(500);

	private final WorkerOptions options;

	private final WorkerRegistry registry = new WorkerRegistry();

	private final WorkerTimers timers = new WorkerTimers();

	private final WorkerLauncher launcher;

	/**
	 * @throws IllegalArgumentException if a factory's group pattern is invalid or its max lifetime is not positive
	 */
	GroupWorkers(List<? extends GroupWorkerFactory> factories, WorkerOptions options, GroupNotifier notifier,
			NotifierStatistics statistics, @Nullable NotifierCluster cluster) {
		this.options = options;
		this.launcher = new WorkerLauncher(factories, options, notifier, statistics, cluster, this.registry,
				this.timers);
	}

	/**
	 * Starts the worker of a group on the calling thread unless one is registered or no factory serves the group, and
	 * keeps it at least this long whoever joins or leaves: no idle check stops it before then.
	 * @return whether a worker was started
	 */
	boolean start(String group, Duration keepAlive) {
		return this.launcher.start(group, keepAlive);
	}

	/**
	 * Asks the worker of a group to stop.
	 * @return whether a worker was running or starting
	 */
	boolean stop(String group) {
		return this.registry.stop(group);
	}

	/**
	 * A group has gained its first session: its worker's idle check is off, or, if it has none (or only one that is
	 * gone), a new worker is launched on a launch thread if a factory serves the group.
	 */
	void groupOccupied(String group) {
		RunningWorker worker = this.registry.get(group);
		if (worker == null || !worker.groupOccupied()) {
			this.launcher.startSoon(group);
		}
	}

	/** A group has lost its last session: its worker stops unless someone joins within the idle timeout. */
	void groupEmptied(String group) {
		RunningWorker worker = this.registry.get(group);
		if (worker != null) {
			worker.groupEmptied();
		}
	}

	/** The running workers, including those that are stopping, sorted by group. */
	List<WorkerInfo> workers() {
		return this.registry.infos();
	}

	Optional<WorkerInfo> worker(String group) {
		return this.registry.info(group);
	}

	/**
	 * Stops every worker and waits for them up to the stop grace plus 500 ms, for the interrupts of the grace to land;
	 * then ends every worker thread, interrupting what still runs. Their leases are left to the cluster's stop.
	 */
	void shutdown() {
		long deadline = System.nanoTime() + this.options.stopGrace().plus(INTERRUPT_MARGIN).toNanos();
		this.launcher.leaveLeasesToCluster();
		List<RunningWorker> registered = this.registry.close();
		registered.forEach((worker) -> worker.stop(RunningWorker.StopReason.SHUTDOWN));
		for (RunningWorker worker : registered) {
			worker.awaitEnd(deadline);
		}
		this.launcher.shutdown(deadline);
		this.timers.shutdown();
	}

}
