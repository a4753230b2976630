package dev.notifier.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.notifier.core.RunningWorker.Ending;

/**
 * Starts group workers, and settles what each one leaves behind when it ends.
 *
 * <p>Threads: {@link #start} runs on the thread that calls {@link GroupNotifier#startWorker} (the application's, or
 * the cluster's when it takes a worker over) and returns once the worker runs or cannot. {@link #startSoon} runs on
 * the thread that gave a group its first session, a container's WebSocket thread, and never waits: it claims the
 * group in the {@link WorkerRegistry} and queues the launch. A launch asks the cluster for the lease (which may wait
 * on Redis, up to 2 seconds), calls the application's {@link GroupWorkerFactory#create} (however long that takes) and
 * hands the worker to its threads; queued launches run on the {@code notifier-worker-launch-N} pool. So does the
 * settling of every worker that ends, because releasing its lease may wait on Redis too: the tick, timer and
 * WebSocket threads never do. Periodic workers tick on the {@code notifier-worker-tick-N} scheduler, blocking workers
 * loop on the threads of {@link WorkerOptions#blockingThreads()}; both are owned here.
 *
 * <p>Locks: none of its own, and none is held while the cluster or a factory is called. The registry's
 * put-if-absent lets one claim per group win; each worker guards its own state.
 *
 * <p>Bound: the launch pool's queue, first in first out, holds at most two tasks per group, the launch and the
 * settle of the group's registered worker. A launch is queued only by the start whose claim registered the worker; a
 * settle once, when that worker ends after its launch or is stopped before it (a launch that goes no further settles
 * on its own thread). The worker leaves the registry only within its settle, which runs after its launch has left
 * the queue, and only then can the group's next launch be queued.
 */
final class WorkerLauncher {

	private static final Logger logger = LoggerFactory.getLogger(WorkerLauncher.class);

	/** Launches and settles mostly wait, on the cluster or on a factory, so a few threads serve every group. */
	private static final int LAUNCH_THREADS = 4;

	private final List<FactoryBinding> factories;

	private final WorkerOptions options;

	private final GroupNotifier notifier;

	private final @Nullable NotifierCluster cluster;

	private final WorkerRegistry registry;

	private final RunningWorker.Environment environment;

	private final ThreadPoolExecutor launches;

	private final ScheduledThreadPoolExecutor ticks;

	private final ThreadPoolExecutor blocking;

	/**
	 * Set when the engine begins to shut down: from then on the cluster's {@link NotifierCluster#stop} releases the
	 * leases of ending workers, all together, instead of one wait on the network per worker here.
	 */
	private volatile boolean leasesLeftToCluster;

	/**
	 * @throws IllegalArgumentException if a factory's group pattern is invalid or its max lifetime is not positive
	 */
	WorkerLauncher(List<? extends GroupWorkerFactory> factories, WorkerOptions options, GroupNotifier notifier,
			NotifierStatistics statistics, @Nullable NotifierCluster cluster, WorkerRegistry registry,
			WorkerTimers timers) {
		this.factories = factories.stream().map((factory) -> FactoryBinding.of(factory, options)).toList();
		this.options = options;
		this.notifier = notifier;
		this.cluster = cluster;
		this.registry = registry;
		this.environment = new RunningWorker.Environment(options, notifier, statistics, timers, this::settleSoon);
		this.launches = new ThreadPoolExecutor(LAUNCH_THREADS, LAUNCH_THREADS, 30, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), NotifierThreads.named("notifier-worker-launch"));
		this.launches.allowCoreThreadTimeOut(true);
		this.ticks = new ScheduledThreadPoolExecutor(Math.max(2, Runtime.getRuntime().availableProcessors()),
				NotifierThreads.named("notifier-worker-tick"));
		this.ticks.setRemoveOnCancelPolicy(true);
		// A blocking worker holds its thread for its whole life, so the pool's size is the bound; no queue.
		this.blocking = new ThreadPoolExecutor(0, options.maxBlockingWorkers(), 60, TimeUnit.SECONDS,
				new SynchronousQueue<>(), options.blockingThreads());
	}

	/**
	 * Starts the worker of a group on the calling thread unless one is registered or no factory serves the group.
	 * @return whether a worker now runs
	 */
	boolean start(String group, Duration keepAlive) {
		RunningWorker worker = claim(group, keepAlive);
		return worker != null && launch(worker);
	}

	/**
	 * Starts the worker of a group on a launch thread unless one is registered or no factory serves the group. Never
	 * waits.
	 */
	void startSoon(String group) {
		RunningWorker worker = claim(group, Duration.ZERO);
		if (worker == null) {
			return;
		}
		try {
			this.launches.execute(() -> launch(worker));
		}
		catch (RejectedExecutionException ex) {
			// Shut down: it never launches.
			worker.stop(RunningWorker.StopReason.SHUTDOWN);
		}
	}

	private @Nullable RunningWorker claim(String group, Duration keepAlive) {
		for (FactoryBinding binding : this.factories) {
			if (binding.pattern().matches(group)) {
				RunningWorker worker = new RunningWorker(group, binding.factory(), binding.maxLifetime(), keepAlive,
						this.environment);
				return this.registry.claim(worker) ? worker : null;
			}
		}
		return null;
	}

	/**
	 * Takes the lease, creates the worker and hands it to its threads.
	 * @return whether it now runs
	 */
	private boolean launch(RunningWorker worker) {
		if (!worker.beginLaunch()) {
			return false;
		}
		String group = worker.group();
		if (!acquireLease(group)) {
			return abandon(worker, Ending.NOT_STARTED);
		}
		worker.leaseTaken();
		GroupWorker created;
		try {
			created = worker.factory().create(group);
		}
		catch (Throwable ex) {
			logger.error("Worker factory {} failed to create the worker of group '{}'; closing the group's sessions "
					+ "with 1011", worker.factory().getClass().getName(), group, ex);
			return abandon(worker, Ending.FAILED);
		}
		if (created == null) {
			return abandon(worker, Ending.NOT_STARTED);
		}
		if (!worker.running() || !handOver(worker, created)) {
			return false;
		}
		if (this.notifier.sessionCount(group) == 0) {
			// Started ahead of its viewers: the idle clock runs until someone joins.
			worker.groupEmptied();
		}
		return true;
	}

	/**
	 * Settles a launch that went no further on this thread, so that a {@code startWorker} that returns {@code false}
	 * has freed the group again.
	 * @return {@code false}: no worker runs
	 */
	private boolean abandon(RunningWorker worker, Ending ending) {
		worker.abandon();
		settle(worker, ending);
		return false;
	}

	/** Whether this instance may run the group's worker; a cluster that fails to answer counts as a refusal. */
	private boolean acquireLease(String group) {
		if (this.cluster == null) {
			return true;
		}
		try {
			return this.cluster.acquireWorker(group);
		}
		catch (RuntimeException ex) {
			logger.error("The cluster failed to grant the worker lease of group '{}'; the group has no worker until "
					+ "it is started again", group, ex);
			return false;
		}
	}

	/** Schedules the ticks of a periodic worker, or gives a blocking worker its thread. */
	private boolean handOver(RunningWorker worker, GroupWorker created) {
		if (created instanceof GroupWorker.Periodic periodic) {
			long period = periodic.period().toNanos();
			try {
				worker.ticking(this.ticks.scheduleAtFixedRate(() -> worker.tick(periodic.tick()), period, period,
						TimeUnit.NANOSECONDS));
				return true;
			}
			catch (RejectedExecutionException ex) {
				// Shut down meanwhile.
				worker.noThread();
				return false;
			}
		}
		GroupWorker.Loop loop = ((GroupWorker.Blocking) created).loop();
		try {
			this.blocking.execute(() -> worker.loop(loop));
			return true;
		}
		catch (RejectedExecutionException ex) {
			logger.error("No thread for the worker of group '{}': {} blocking workers already run", worker.group(),
					this.options.maxBlockingWorkers());
			worker.noThread();
			return false;
		}
	}

	/** The {@link RunningWorker.EndHandler} of every launched worker: settles it on a launch thread. */
	private void settleSoon(RunningWorker worker, Ending ending) {
		try {
			this.launches.execute(() -> settle(worker, ending));
		}
		catch (RejectedExecutionException ex) {
			// Shut down: nothing else will.
			settle(worker, ending);
		}
	}

	/**
	 * Releases an ended worker's lease (unless the engine shuts down), closes its group if the ending calls for it,
	 * and frees its registry entry whatever fails; then starts a new worker if the group gained a session that this
	 * one did not serve and still has one, such as a viewer who joined while it stopped.
	 */
	private void settle(RunningWorker worker, Ending ending) {
		String group = worker.group();
		try {
			if (this.cluster != null && worker.holdsLease() && !this.leasesLeftToCluster) {
				releaseLease(this.cluster, group);
			}
			CloseStatus closeWith = ending.closeWith();
			if (closeWith != null) {
				this.notifier.close(group, closeWith);
			}
		}
		finally {
			this.registry.unregister(worker);
		}
		if (worker.markSettled() && this.notifier.sessionCount(group) > 0) {
			startSoon(group);
		}
	}

	private static void releaseLease(NotifierCluster cluster, String group) {
		try {
			cluster.releaseWorker(group);
		}
		catch (RuntimeException ex) {
			logger.error("The cluster failed to release the worker lease of group '{}'", group, ex);
		}
	}

	/**
	 * The engine is shutting down: the leases of the workers that end from now on are left to the cluster, which
	 * releases every lease it still holds when it stops. Called before the workers are stopped.
	 */
	void leaveLeasesToCluster() {
		this.leasesLeftToCluster = true;
	}

	/**
	 * Lets the queued launches and settles run until the deadline, in {@link System#nanoTime()}, then interrupts
	 * those still running and stops the tick and blocking threads.
	 */
	void shutdown(long deadlineNanos) {
		this.launches.shutdown();
		try {
			this.launches.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.launches.shutdownNow();
		this.ticks.shutdownNow();
		this.blocking.shutdownNow();
	}

	/**
	 * A factory with what it says about itself, read once when the engine starts: no application code runs on the
	 * thread that claims a group.
	 */
	private record FactoryBinding(GroupPattern pattern, GroupWorkerFactory factory, Duration maxLifetime) {

		static FactoryBinding of(GroupWorkerFactory factory, WorkerOptions options) {
			GroupPattern pattern = GroupPattern.compile(factory.groupPattern());
			Duration own = factory.maxLifetime();
			if (own != null && (own.isNegative() || own.isZero())) {
				throw new IllegalArgumentException("The max lifetime of worker factory " + factory.getClass().getName()
						+ " must be positive: " + own);
			}
			return new FactoryBinding(pattern, factory, (own != null) ? own : options.maxLifetime());
		}

	}

}
