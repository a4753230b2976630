package dev.notifier.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One group's worker, from the claim that registers it until it has ended: the state machine of its life, its timers
 * and the {@link WorkerContext} its code sees.
 *
 * <p>Threads: the {@link WorkerLauncher} drives the launch ({@link #beginLaunch}, {@link #abandon}, {@link #running},
 * {@link #ticking}, {@link #noThread}) on a {@code notifier-worker-launch} thread, or on the application's thread for
 * {@code startWorker}. {@link #tick} runs on a {@code notifier-worker-tick} thread, {@link #loop} on the worker's
 * own blocking thread, and the worker's code calls the {@link WorkerContext} methods from there or from any thread.
 * {@link #stop}, {@link #groupOccupied} and {@link #groupEmptied} come from any thread (the application's, the one
 * that joined or left the group, shutdown's, the cluster's). Its lifetime, idle check and grace interrupt run on the
 * {@link WorkerTimers} thread.
 *
 * <p>Lock: this object's monitor guards every mutable field. It is held for field updates, for arming and cancelling
 * the timers, for the interrupt of the grace (so that it cannot land in the next task of a pooled thread) and for
 * the idle check's session count (a map lookup, so that no join slips between the count and the stop it decides).
 * The worker's code and the report of its end run outside it; {@link #awaitStop} and {@link #awaitEnd} wait on it.
 *
 * <p>Life: {@code CLAIMED} (registered, its launch not begun) → {@code LAUNCHING} (the lease is asked for and the
 * factory called) → {@code RUNNING} → {@code ENDED}. A stop may come in any phase: a claimed worker ends at once, a
 * launching one when its launch reaches {@link #running}, a running one once its code has returned, at once for a
 * periodic worker between ticks, and is interrupted if that takes longer than the stop grace. Once launched, it
 * reports its end, exactly once, to the {@link EndHandler} it was created with: the one call it makes back up. A
 * launch that goes no further is {@link #abandon abandoned} instead, and the launcher settles it itself.
 */
final class RunningWorker implements WorkerContext {

	private static final Logger logger = LoggerFactory.getLogger(RunningWorker.class);

	/** Why a worker was asked to stop. */
	enum StopReason {

		IDLE, LIFETIME, REQUESTED, SHUTDOWN

	}

	/** How a worker ended, and so how its group's sessions are closed, if at all. */
	enum Ending {

		/** It never ran: the cluster refused the lease, or the factory declined the group. */
		NOT_STARTED(null),

		/** It was stopped because its group was idle, on request or at shutdown. */
		STOPPED(null),

		/** It ended by itself: the work is over. */
		FINISHED(CloseStatus.NORMAL.withReason("worker finished")),

		/** It threw, or its factory did. */
		FAILED(CloseStatus.SERVER_ERROR.withReason("worker failed")),

		/** It ran for its whole lifetime: the sessions reconnect to a fresh one. */
		LIFETIME_REACHED(CloseStatus.GOING_AWAY.withReason("worker lifetime reached")),

		/** No thread was free for it: the sessions retry later. */
		NO_THREAD(CloseStatus.SLOW_CONSUMER.withReason("no worker available"));

		private final @Nullable CloseStatus closeWith;

		Ending(@Nullable CloseStatus closeWith) {
			this.closeWith = closeWith;
		}

		/** The status the group's sessions are closed with; {@code null} if they stay. */
		@Nullable CloseStatus closeWith() {
			return this.closeWith;
		}

	}

	/** Hears that a worker has ended, once per worker, on whichever thread ended it. Must not block. */
	@FunctionalInterface
	interface EndHandler {

		void ended(RunningWorker worker, Ending ending);

	}

	/**
	 * What the workers of one engine share.
	 * @param options the workers' settings
	 * @param notifier what a worker broadcasts through, and where its idle check counts sessions
	 * @param statistics where grace interrupts are counted
	 * @param timers the thread of every timer
	 * @param endHandler told when a worker has ended
	 */
	record Environment(WorkerOptions options, GroupNotifier notifier, NotifierStatistics statistics,
			WorkerTimers timers, EndHandler endHandler) {
	}

	private enum Phase {

		CLAIMED, LAUNCHING, RUNNING, ENDED

	}

	private final String group;

	private final GroupWorkerFactory factory;

	private final Duration maxLifetime;

	/** Until when, in {@link System#nanoTime()}, no idle check may stop the worker. */
	private final long keepAliveUntilNanos;

	private final Environment environment;

	private Phase phase = Phase.CLAIMED;

	private boolean leaseHeld;

	private @Nullable Instant startedAt;

	private @Nullable StopReason stopReason;

	private boolean finished;

	private @Nullable Throwable failure;

	/** The thread running the worker's code right now: a blocking loop's, or a tick's while it runs. */
	private @Nullable Thread runner;

	private @Nullable Future<?> ticks;

	private @Nullable Future<?> lifetime;

	private @Nullable Future<?> idleCheck;

	/** Moves on whenever an idle check is armed or cancelled, so that a check replaced while it fired does nothing. */
	private long idleCheckGeneration;

	/** Whether the group gained a session while this worker was not serving it: launching, stopping or gone. */
	private boolean wantedAgain;

	/** Whether its end has been dealt with; from then on a join starts a new worker itself. */
	private boolean settled;

	RunningWorker(String group, GroupWorkerFactory factory, Duration maxLifetime, Duration keepAlive,
			Environment environment) {
		this.group = group;
		this.factory = factory;
		this.maxLifetime = maxLifetime;
		// The lifetime ends the worker anyway: a longer keep-alive means nothing, and could overflow.
		Duration kept = (keepAlive.compareTo(this.maxLifetime) < 0) ? keepAlive : this.maxLifetime;
		this.keepAliveUntilNanos = System.nanoTime() + kept.toNanos();
		this.environment = environment;
	}

	GroupWorkerFactory factory() {
		return this.factory;
	}

	/**
	 * Takes a claimed worker over for its launch.
	 * @return whether to launch it: {@code false} if a stop ended it while its launch waited
	 */
	synchronized boolean beginLaunch() {
		if (this.phase != Phase.CLAIMED) {
			return false;
		}
		this.phase = Phase.LAUNCHING;
		return true;
	}

	/** The cluster granted the worker's lease, or there is no cluster: its end releases it. */
	synchronized void leaseTaken() {
		this.leaseHeld = true;
	}

	synchronized boolean holdsLease() {
		return this.leaseHeld;
	}

	/**
	 * The worker has been created and is about to be handed to its threads: it is listed from now on, and its lifetime
	 * runs.
	 * @return whether to hand it over: {@code false} if it was stopped during its launch, and has now ended
	 */
	boolean running() {
		synchronized (this) {
			if (this.stopReason == null) {
				this.phase = Phase.RUNNING;
				// It serves every session the group has, including those that joined during the launch.
				this.wantedAgain = false;
				this.startedAt = Instant.now();
				this.lifetime = timers().after(this.maxLifetime, this::lifetimeReached);
				return true;
			}
		}
		end(null);
		return false;
	}

	/** A periodic worker's ticks are scheduled: from now on a stop between two ticks ends it at once. */
	void ticking(Future<?> ticks) {
		synchronized (this) {
			this.ticks = ticks;
			// Stopped, finished or failed before the ticks could be cancelled with the other timers.
			if (this.phase == Phase.RUNNING && (this.runner != null || !isStopping())) {
				return;
			}
			ticks.cancel(false);
		}
		end(null);
	}

	/**
	 * Ends a launch that went no further: the lease was refused, the factory declined or failed. Its end is not
	 * reported to the {@link EndHandler}: the launcher settles it at once.
	 */
	synchronized void abandon() {
		this.phase = Phase.ENDED;
		cancelTimers();
		notifyAll();
	}

	/** No thread could run the worker: it ends, and its group's sessions are asked to retry later. */
	void noThread() {
		end(Ending.NO_THREAD);
	}

	void tick(GroupWorker.Tick tick) {
		synchronized (this) {
			if (this.phase != Phase.RUNNING || isStopping()) {
				// A tick that was due as the worker stopped: whoever stopped it ends it.
				return;
			}
			this.runner = Thread.currentThread();
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
			end = this.failure != null || isStopping();
		}
		// A grace interrupt aimed at this tick must not leak into the next task of the pooled thread.
		Thread.interrupted();
		if (end) {
			end(null);
		}
	}

	void loop(GroupWorker.Loop loop) {
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
		end(null);
	}

	/** A failure counts only while the worker was not told to stop: a stop often surfaces as an exception. */
	private void recordFailure(@Nullable Throwable thrown) {
		if (thrown != null && this.stopReason == null && !this.finished) {
			this.failure = thrown;
		}
	}

	/**
	 * Asks the worker to stop.
	 * @return whether it was running or starting: {@code false} if it was already asked to stop or has ended
	 */
	boolean stop(StopReason reason) {
		boolean endNow;
		synchronized (this) {
			if (this.phase == Phase.ENDED || this.stopReason != null) {
				return false;
			}
			endNow = beginStop(reason);
		}
		if (endNow) {
			end(null);
		}
		return true;
	}

	/**
	 * Marks the worker stopping, with the monitor held.
	 * @return whether it must end now, because nothing that runs later would end it
	 */
	private boolean beginStop(StopReason reason) {
		this.stopReason = reason;
		notifyAll();
		cancelTimers();
		if (this.phase == Phase.CLAIMED) {
			return true;
		}
		if (this.phase == Phase.LAUNCHING) {
			// The launch ends it when it gets to running().
			return false;
		}
		if (this.runner == null && this.ticks != null) {
			// A periodic worker between two ticks.
			return true;
		}
		timers().after(this.environment.options().stopGrace(), this::interruptIfStillRunning);
		return false;
	}

	private void lifetimeReached() {
		if (stop(StopReason.LIFETIME)) {
			logger.info("Worker of group '{}' reached its lifetime of {}", this.group, this.maxLifetime);
		}
	}

	private void interruptIfStillRunning() {
		synchronized (this) {
			Thread thread = (this.phase != Phase.ENDED) ? this.runner : null;
			if (thread == null) {
				return;
			}
			this.environment.statistics().workerInterrupted();
			thread.interrupt();
		}
		logger.warn("Worker of group '{}' did not stop within {}; interrupting it", this.group,
				this.environment.options().stopGrace());
	}

	/**
	 * The group has lost its last session: unless someone joins first, the worker stops once the idle timeout has
	 * passed, or its keep-alive if that ends later. Each emptying starts the clock again.
	 */
	synchronized void groupEmptied() {
		if (this.phase == Phase.ENDED || isStopping()) {
			return;
		}
		cancelIdleCheck();
		long generation = this.idleCheckGeneration;
		Duration keptAlive = Duration.ofNanos(Math.max(0, this.keepAliveUntilNanos - System.nanoTime()));
		Duration idleTimeout = this.environment.options().idleTimeout();
		this.idleCheck = timers().after((keptAlive.compareTo(idleTimeout) > 0) ? keptAlive : idleTimeout,
				() -> idleCheckDue(generation));
	}

	private void idleCheckDue(long generation) {
		boolean endNow;
		synchronized (this) {
			if (generation != this.idleCheckGeneration || this.environment.notifier().sessionCount(this.group) > 0) {
				return;
			}
			endNow = beginStop(StopReason.IDLE);
		}
		if (endNow) {
			end(null);
		}
	}

	/**
	 * The group has gained a session again: the idle check is off. A worker that does not serve the group yet or any
	 * more (launching, stopping, ended) remembers that the group needs a worker, should it not end up running.
	 * @return whether this worker sees to the group: {@code false} once its end has been settled, in which case the
	 * caller must start a new worker itself
	 */
	synchronized boolean groupOccupied() {
		cancelIdleCheck();
		if (this.settled) {
			return false;
		}
		if (this.phase != Phase.RUNNING || isStopping()) {
			this.wantedAgain = true;
		}
		return true;
	}

	/**
	 * Its lease and its registry entry are gone.
	 * @return whether the group gained a session while the worker was not serving it, and so needs a new worker
	 */
	synchronized boolean markSettled() {
		this.settled = true;
		return this.wantedAgain;
	}

	private void cancelIdleCheck() {
		this.idleCheckGeneration++;
		cancel(this.idleCheck);
		this.idleCheck = null;
	}

	private void cancelTimers() {
		cancelIdleCheck();
		cancel(this.ticks);
		cancel(this.lifetime);
	}

	private static void cancel(@Nullable Future<?> timer) {
		if (timer != null) {
			timer.cancel(false);
		}
	}

	/**
	 * The worker's code has returned or will not run again: ends it, once, and reports how.
	 * @param imposed the outcome, or {@code null} to tell it from the worker's state
	 */
	private void end(@Nullable Ending imposed) {
		Ending ending;
		Throwable failed;
		synchronized (this) {
			if (this.phase == Phase.ENDED) {
				return;
			}
			this.phase = Phase.ENDED;
			cancelTimers();
			ending = (imposed != null) ? imposed : outcome();
			failed = this.failure;
			notifyAll();
		}
		if (failed != null) {
			logger.error("Worker of group '{}' failed; closing the group's sessions with 1011", this.group, failed);
		}
		this.environment.endHandler().ended(this, ending);
	}

	private Ending outcome() {
		if (this.failure != null) {
			return Ending.FAILED;
		}
		if (this.finished || this.stopReason == null) {
			return Ending.FINISHED;
		}
		return (this.stopReason == StopReason.LIFETIME) ? Ending.LIFETIME_REACHED : Ending.STOPPED;
	}

	/** Waits until the worker has ended or the deadline, in {@link System#nanoTime()}, has passed. */
	synchronized void awaitEnd(long deadlineNanos) {
		long remaining;
		while (this.phase != Phase.ENDED && (remaining = deadlineNanos - System.nanoTime()) > 0) {
			try {
				TimeUnit.NANOSECONDS.timedWait(this, remaining);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	/**
	 * A snapshot, from the moment it runs until it leaves the registry, so that a worker that is no longer listed has
	 * given its lease back; empty while it is claimed or launching, so that an instance that merely asks for a lease
	 * another instance holds never shows a worker.
	 */
	synchronized Optional<WorkerInfo> info() {
		Instant started = this.startedAt;
		if (started == null) {
			return Optional.empty();
		}
		WorkerInfo.State state = (this.phase == Phase.RUNNING && !isStopping()) ? WorkerInfo.State.RUNNING
				: WorkerInfo.State.STOPPING;
		return Optional.of(new WorkerInfo(this.group, this.factory.getClass().getName(), state, started));
	}

	private WorkerTimers timers() {
		return this.environment.timers();
	}

	@Override
	public String group() {
		return this.group;
	}

	@Override
	public int broadcast(Object message) {
		return this.environment.notifier().broadcast(this.group, message);
	}

	@Override
	public GroupNotifier notifier() {
		return this.environment.notifier();
	}

	@Override
	public synchronized boolean isStopping() {
		return this.stopReason != null || this.finished;
	}

	@Override
	public void finish() {
		boolean endNow;
		synchronized (this) {
			if (this.phase == Phase.ENDED || this.finished) {
				return;
			}
			this.finished = true;
			notifyAll();
			cancelTimers();
			endNow = this.phase == Phase.RUNNING && this.runner == null && this.ticks != null;
		}
		if (endNow) {
			end(null);
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
