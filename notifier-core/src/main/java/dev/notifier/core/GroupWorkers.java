package dev.notifier.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers of all groups: at most one per group, started when a group matching a factory is first needed and
 * stopped when the group has been empty for the idle timeout, at the end of its lifetime, on request or at shutdown.
 *
 * <p>Threads: a small {@code notifier-worker-tick-N} scheduler runs the ticks of periodic workers and every timer
 * (idle checks, lifetimes, stop graces); blocking workers run on a bounded executor whose threads come from
 * {@link WorkerOptions#blockingThreads()}. Every method is safe to call from any thread; the state of one worker is
 * guarded by its own monitor, held only for field updates.
 */
final class GroupWorkers {

	private static final Logger logger = LoggerFactory.getLogger(GroupWorkers.class);

	private static final CloseStatus FINISHED = CloseStatus.NORMAL.withReason("worker finished");

	private static final CloseStatus FAILED = CloseStatus.SERVER_ERROR.withReason("worker failed");

	private static final CloseStatus LIFETIME_REACHED = CloseStatus.GOING_AWAY.withReason("worker lifetime reached");

	private static final CloseStatus NO_WORKER_THREAD = CloseStatus.SLOW_CONSUMER.withReason("no worker available");

	/** Why a worker was asked to stop. */
	enum StopReason {

		IDLE, LIFETIME, REQUESTED, SHUTDOWN

	}

	private final List<FactoryBinding> factories;

	private final WorkerOptions options;

	private final GroupNotifier notifier;

	private final ScheduledThreadPoolExecutor scheduler;

	private final ThreadPoolExecutor blockingExecutor;

	private final ConcurrentHashMap<String, RunningWorker> workers = new ConcurrentHashMap<>();

	private final NotifierStatistics statistics;

	private volatile boolean shuttingDown;

	private final @Nullable NotifierCluster cluster;

	GroupWorkers(List<? extends GroupWorkerFactory> factories, WorkerOptions options, GroupNotifier notifier,
			NotifierStatistics statistics, @Nullable NotifierCluster cluster) {
		this.factories = factories.stream()
			.map((factory) -> new FactoryBinding(GroupPattern.compile(factory.groupPattern()), requireValid(factory)))
			.toList();
		this.options = options;
		this.notifier = notifier;
		this.statistics = statistics;
		this.cluster = cluster;
		this.scheduler = new ScheduledThreadPoolExecutor(Math.max(2, Runtime.getRuntime().availableProcessors()),
				NotifierThreads.named("notifier-worker-tick"));
		this.scheduler.setRemoveOnCancelPolicy(true);
		// A blocking worker holds its thread for its whole life, so the pool's size is the bound; no queue.
		this.blockingExecutor = new ThreadPoolExecutor(0, options.maxBlockingWorkers(), 60, TimeUnit.SECONDS,
				new SynchronousQueue<>(), options.blockingThreads());
	}

	/**
	 * Starts the worker of a group unless one runs or no factory serves the group.
	 * @return whether a worker was started
	 */
	boolean start(String group) {
		return start(group, Duration.ZERO);
	}

	/**
	 * Starts the worker of a group unless one runs or no factory serves the group, and keeps it at least this long
	 * whoever joins or leaves: no idle check stops it before then.
	 * @return whether a worker was started
	 */
	boolean start(String group, Duration keepAlive) {
		if (this.shuttingDown) {
			return false;
		}
		FactoryBinding binding = factoryFor(group);
		if (binding == null) {
			return false;
		}
		RunningWorker candidate = new RunningWorker(group, binding.factory(), keepAlive);
		if (this.workers.putIfAbsent(group, candidate) != null) {
			return false;
		}
		if (this.cluster != null && !this.cluster.acquireWorker(group)) {
			// Another instance runs it; this one tries again while it has sessions in the group.
			this.workers.remove(group, candidate);
			return false;
		}
		GroupWorker worker;
		try {
			worker = binding.factory().create(group);
		}
		catch (RuntimeException ex) {
			logger.error("Worker factory {} failed to create the worker of group '{}'", candidate.factoryName, group,
					ex);
			release(group, candidate);
			this.notifier.close(group, FAILED);
			return false;
		}
		if (worker == null) {
			release(group, candidate);
			return false;
		}
		candidate.launch(worker);
		if (this.notifier.sessionCount(group) == 0) {
			// Started ahead of its viewers: the idle clock runs until someone joins.
			groupEmptied(group);
		}
		return true;
	}

	/**
	 * Asks the worker of a group to stop.
	 * @return whether a worker was running
	 */
	boolean stop(String group) {
		RunningWorker worker = this.workers.get(group);
		return worker != null && worker.stop(StopReason.REQUESTED);
	}

	/** A group has gained its first session: its idle clock stops, or its worker starts if a factory serves it. */
	void groupOccupied(String group) {
		RunningWorker worker = this.workers.get(group);
		if (worker != null) {
			worker.idleCheck(null);
		}
		start(group);
	}

	/** A group has lost its last session: its worker stops unless someone joins within the idle timeout. */
	void groupEmptied(String group) {
		RunningWorker worker = this.workers.get(group);
		if (worker == null || this.shuttingDown) {
			return;
		}
		// Each emptying restarts the clock: a check left from an earlier emptying must not cut this one short. A worker
		// started with a keep-alive is not checked before the keep-alive ends.
		Duration keptAlive = worker.keepAliveLeft();
		Duration idleTimeout = this.options.idleTimeout();
		worker.idleCheck(schedule(() -> {
			if (this.notifier.sessionCount(group) == 0) {
				worker.stop(StopReason.IDLE);
			}
		}, (keptAlive.compareTo(idleTimeout) > 0) ? keptAlive : idleTimeout));
	}

	/**
	 * The launched workers. A worker is registered before the cluster grants its lease and before its factory creates
	 * it, so that one start wins; it is listed only once launched, so that an instance that merely asks for a lease
	 * another instance holds never shows a worker.
	 */
	List<WorkerInfo> workers() {
		return this.workers.values()
			.stream()
			.flatMap((worker) -> worker.info().stream())
			.sorted(Comparator.comparing(WorkerInfo::group))
			.toList();
	}

	Optional<WorkerInfo> worker(String group) {
		return Optional.ofNullable(this.workers.get(group)).flatMap(RunningWorker::info);
	}

	/** Stops every worker, waits for them up to the stop grace (and a little for interrupts to land), then ends. */
	void shutdown() {
		this.shuttingDown = true;
		List<RunningWorker> running = List.copyOf(this.workers.values());
		running.forEach((worker) -> worker.stop(StopReason.SHUTDOWN));
		long deadline = System.nanoTime() + this.options.stopGrace().plusMillis(500).toNanos();
		for (RunningWorker worker : running) {
			worker.awaitEnd(deadline);
		}
		this.scheduler.shutdownNow();
		this.blockingExecutor.shutdownNow();
	}

	private void release(String group, RunningWorker worker) {
		if (this.workers.remove(group, worker) && this.cluster != null) {
			this.cluster.releaseWorker(group);
		}
	}

	private static GroupWorkerFactory requireValid(GroupWorkerFactory factory) {
		Duration maxLifetime = factory.maxLifetime();
		if (maxLifetime != null && (maxLifetime.isNegative() || maxLifetime.isZero())) {
			throw new IllegalArgumentException("The max lifetime of worker factory " + factory.getClass().getName()
					+ " must be positive: " + maxLifetime);
		}
		return factory;
	}

	private @Nullable FactoryBinding factoryFor(String group) {
		for (FactoryBinding binding : this.factories) {
			if (binding.pattern().matches(group)) {
				return binding;
			}
		}
		return null;
	}

	private @Nullable Future<?> schedule(Runnable task, Duration delay) {
		try {
			return this.scheduler.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			return null;
		}
	}

	private record FactoryBinding(GroupPattern pattern, GroupWorkerFactory factory) {
	}

	/**
	 * One worker's life. Its fields are guarded by its monitor; the worker's own code runs outside it.
	 */
	private final class RunningWorker implements WorkerContext {

		private final String group;

		private final String factoryName;

		private final Duration maxLifetime;

		private final Instant startedAt = Instant.now();

		/** Until when, in {@link System#nanoTime()}, no idle check may stop the worker. */
		private final long keepAliveUntilNanos;

		private boolean launched;

		private @Nullable StopReason stopReason;

		private boolean finished;

		private boolean ended;

		private @Nullable Throwable failure;

		/** The thread running the worker's code right now: a blocking loop's, or a tick's while it runs. */
		private @Nullable Thread runner;

		private volatile @Nullable Future<?> ticks;

		private volatile @Nullable Future<?> lifetime;

		private @Nullable Future<?> idleCheck;

		RunningWorker(String group, GroupWorkerFactory factory, Duration keepAlive) {
			this.group = group;
			this.factoryName = factory.getClass().getName();
			Duration own = factory.maxLifetime();
			this.maxLifetime = (own != null) ? own : GroupWorkers.this.options.maxLifetime();
			// The lifetime ends the worker anyway: a longer keep-alive means nothing, and could overflow.
			Duration kept = (keepAlive.compareTo(this.maxLifetime) < 0) ? keepAlive : this.maxLifetime;
			this.keepAliveUntilNanos = System.nanoTime() + kept.toNanos();
		}

		Duration keepAliveLeft() {
			return Duration.ofNanos(Math.max(0, this.keepAliveUntilNanos - System.nanoTime()));
		}

		void launch(GroupWorker worker) {
			synchronized (this) {
				if (this.stopReason != null) {
					this.ended = true;
				}
				this.launched = true;
			}
			if (this.ended) {
				release(this.group, this);
				return;
			}
			this.lifetime = schedule(() -> {
				if (stop(StopReason.LIFETIME)) {
					logger.info("Worker of group '{}' reached its lifetime of {}", this.group, this.maxLifetime);
				}
			}, this.maxLifetime);
			if (worker instanceof GroupWorker.Periodic periodic) {
				long period = periodic.period().toNanos();
				try {
					this.ticks = GroupWorkers.this.scheduler.scheduleAtFixedRate(() -> tick(periodic.tick()), period,
							period, TimeUnit.NANOSECONDS);
				}
				catch (RejectedExecutionException ex) {
					end();
				}
			}
			else if (worker instanceof GroupWorker.Blocking blocking) {
				try {
					GroupWorkers.this.blockingExecutor.execute(() -> loop(blocking.loop()));
				}
				catch (RejectedExecutionException ex) {
					logger.error("No thread for the worker of group '{}': {} blocking workers already run", this.group,
							GroupWorkers.this.options.maxBlockingWorkers());
					endWithoutThread();
				}
			}
		}

		private void tick(GroupWorker.Tick tick) {
			boolean stopped;
			synchronized (this) {
				if (this.ended) {
					return;
				}
				stopped = this.stopReason != null || this.finished;
				if (!stopped) {
					this.runner = Thread.currentThread();
				}
			}
			if (stopped) {
				// Stopped before the ticks were scheduled, so nobody else saw an idle worker to end.
				end();
				return;
			}
			Throwable thrown = null;
			try {
				tick.tick(this);
			}
			catch (Throwable ex) {
				thrown = ex;
			}
			boolean end;
			synchronized (this) {
				this.runner = null;
				recordFailure(thrown);
				end = this.failure != null || this.finished || this.stopReason != null;
			}
			// A grace interrupt aimed at this tick must not leak into the next task of the pooled thread.
			Thread.interrupted();
			if (end) {
				end();
			}
		}

		private void loop(GroupWorker.Loop loop) {
			synchronized (this) {
				this.runner = Thread.currentThread();
			}
			Throwable thrown = null;
			try {
				loop.run(this);
			}
			catch (Throwable ex) {
				thrown = ex;
			}
			synchronized (this) {
				this.runner = null;
				recordFailure(thrown);
			}
			Thread.interrupted();
			end();
		}

		/** A failure counts only while the worker was not told to stop: a stop often surfaces as an exception. */
		private void recordFailure(@Nullable Throwable thrown) {
			if (thrown != null && this.stopReason == null && !this.finished) {
				this.failure = thrown;
			}
		}

		private void endWithoutThread() {
			synchronized (this) {
				this.ended = true;
			}
			cancelTimers();
			release(this.group, this);
			GroupWorkers.this.notifier.close(this.group, NO_WORKER_THREAD);
		}

		boolean stop(StopReason reason) {
			boolean endNow;
			synchronized (this) {
				if (this.ended || this.stopReason != null) {
					return false;
				}
				this.stopReason = reason;
				notifyAll();
				endNow = this.launched && this.runner == null && this.ticks != null;
			}
			cancelTimers();
			if (endNow) {
				end();
			}
			else {
				schedule(this::interruptIfStillRunning, GroupWorkers.this.options.stopGrace());
			}
			return true;
		}

		private void interruptIfStillRunning() {
			Thread thread;
			synchronized (this) {
				thread = this.ended ? null : this.runner;
			}
			if (thread != null) {
				GroupWorkers.this.statistics.workerInterrupted();
				logger.warn("Worker of group '{}' did not stop within {}; interrupting it", this.group,
						GroupWorkers.this.options.stopGrace());
				thread.interrupt();
			}
		}

		/** Replaces the pending idle check, if any, with this one ({@code null}: none). */
		void idleCheck(@Nullable Future<?> next) {
			Future<?> previous;
			synchronized (this) {
				previous = this.idleCheck;
				this.idleCheck = next;
			}
			if (previous != null) {
				previous.cancel(false);
			}
		}

		private void cancelTimers() {
			idleCheck(null);
			Future<?> ticks = this.ticks;
			if (ticks != null) {
				ticks.cancel(false);
			}
			Future<?> lifetime = this.lifetime;
			if (lifetime != null) {
				lifetime.cancel(false);
			}
		}

		/** The worker's code has returned or will not run again: take it out and act on how it ended. */
		private void end() {
			StopReason reason;
			Throwable failed;
			boolean byItself;
			synchronized (this) {
				if (this.ended) {
					return;
				}
				this.ended = true;
				reason = this.stopReason;
				failed = this.failure;
				byItself = this.finished || reason == null;
				notifyAll();
			}
			cancelTimers();
			release(this.group, this);
			if (failed != null) {
				logger.error("Worker of group '{}' failed; closing the group's sessions with 1011", this.group, failed);
				GroupWorkers.this.notifier.close(this.group, FAILED);
			}
			else if (byItself) {
				GroupWorkers.this.notifier.close(this.group, FINISHED);
			}
			else if (reason == StopReason.LIFETIME) {
				GroupWorkers.this.notifier.close(this.group, LIFETIME_REACHED);
			}
			else if (reason == StopReason.IDLE && GroupWorkers.this.notifier.sessionCount(this.group) > 0) {
				// Someone joined while the idle worker was stopping: the group needs a worker again.
				start(this.group);
			}
		}

		synchronized void awaitEnd(long deadlineNanos) {
			long remaining;
			while (!this.ended && (remaining = deadlineNanos - System.nanoTime()) > 0) {
				try {
					TimeUnit.NANOSECONDS.timedWait(this, remaining);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}

		/** A snapshot, once launched; empty while the lease is asked for or the factory creates the worker. */
		synchronized Optional<WorkerInfo> info() {
			if (!this.launched) {
				return Optional.empty();
			}
			WorkerInfo.State state = (this.stopReason != null || this.finished) ? WorkerInfo.State.STOPPING
					: WorkerInfo.State.RUNNING;
			return Optional.of(new WorkerInfo(this.group, this.factoryName, state, this.startedAt));
		}

		@Override
		public String group() {
			return this.group;
		}

		@Override
		public int broadcast(Object message) {
			return GroupWorkers.this.notifier.broadcast(this.group, message);
		}

		@Override
		public GroupNotifier notifier() {
			return GroupWorkers.this.notifier;
		}

		@Override
		public synchronized boolean isStopping() {
			return this.stopReason != null || this.finished;
		}

		@Override
		public void finish() {
			boolean endNow;
			synchronized (this) {
				if (this.ended || this.finished) {
					return;
				}
				this.finished = true;
				notifyAll();
				endNow = this.launched && this.runner == null && this.ticks != null;
			}
			cancelTimers();
			if (endNow) {
				end();
			}
		}

		@Override
		public synchronized boolean awaitStop(Duration timeout) throws InterruptedException {
			long deadline = System.nanoTime() + timeout.toNanos();
			long remaining;
			while (!isStopping() && (remaining = deadline - System.nanoTime()) > 0) {
				TimeUnit.NANOSECONDS.timedWait(this, remaining);
			}
			return isStopping();
		}

	}

}
