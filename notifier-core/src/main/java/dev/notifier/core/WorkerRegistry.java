package dev.notifier.core;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * The workers of one engine by group, at most one per group: a worker is registered (claimed) before its lease is
 * asked for and its factory called, so that one start wins however many race, and stays registered until its end
 * has been settled, so that no second worker starts while the first one stops.
 *
 * <p>Threads and locks: {@link #claim} runs on the thread that starts a worker, {@link #unregister} on the launch
 * thread that settles one, the rest on any thread (the application's, monitoring's, the joining or leaving one).
 * The map's own atomic put-if-absent and remove are the only synchronization; a registered worker guards its state
 * with its own monitor. {@link #close} refuses every later claim, for shutdown.
 */
final class WorkerRegistry {

	private final ConcurrentHashMap<String, RunningWorker> workers = new ConcurrentHashMap<>();

	private volatile boolean closed;

	/**
	 * Registers a worker under its group.
	 * @return whether it was registered: {@code false} if the group has a worker already or the registry is closed
	 */
	boolean claim(RunningWorker worker) {
		if (this.closed || this.workers.putIfAbsent(worker.group(), worker) != null) {
			return false;
		}
		// Checked after registering: a close that began meanwhile either saw this worker or is seen here.
		if (this.closed) {
			this.workers.remove(worker.group(), worker);
			return false;
		}
		return true;
	}

	/** Removes a worker whose end has been settled, unless another one has replaced it. */
	void unregister(RunningWorker worker) {
		this.workers.remove(worker.group(), worker);
	}

	/** The registered worker of a group, whatever its phase: claimed, launching, running, or ended and unsettled. */
	@Nullable RunningWorker get(String group) {
		return this.workers.get(group);
	}

	/**
	 * Asks the worker of a group to stop.
	 * @return whether a worker was running or starting
	 */
	boolean stop(String group) {
		RunningWorker worker = this.workers.get(group);
		return worker != null && worker.stop(RunningWorker.StopReason.REQUESTED);
	}

	/** The workers that run or are stopping, sorted by group; see {@link RunningWorker#info()}. */
	List<WorkerInfo> infos() {
		return this.workers.values()
			.stream()
			.flatMap((worker) -> worker.info().stream())
			.sorted(Comparator.comparing(WorkerInfo::group))
			.toList();
	}

	Optional<WorkerInfo> info(String group) {
		return Optional.ofNullable(this.workers.get(group)).flatMap(RunningWorker::info);
	}

	/**
	 * Refuses every later claim.
	 * @return the workers registered now
	 */
	List<RunningWorker> close() {
		this.closed = true;
		return List.copyOf(this.workers.values());
	}

}
