package dev.notifier.core;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the cluster and the workers, in order and away from the joining thread, when a group gains its first session
 * or loses its last.
 *
 * <p>{@link #changed} is called from any thread after a group's occupancy changed; it marks the group and, if it was
 * not marked already, queues one task for it. The one {@code notifier-groups} thread then compares the group's
 * incarnation now (which group object holds its sessions, or none) with the one it last told the listener about, and
 * tells the difference: emptied for an incarnation that is gone, occupied for a new one. So the listener hears, for
 * each group, occupied and emptied strictly alternating and never out of date; a quick empty-and-back is heard as
 * emptied then occupied even when both happened before the thread looked; and the queue holds at most one task per
 * group. The listener runs on that thread and must not block on the network for long: every group waits behind it.
 */
final class GroupOccupancy {

	private static final Logger logger = LoggerFactory.getLogger(GroupOccupancy.class);

	/** Who hears the changes: the engine, which passes them on to its cluster and its workers. */
	interface Listener {

		void groupOccupied(String group);

		void groupEmptied(String group);

	}

	/** A group's current incarnation, a number no earlier incarnation had, or 0 while it has no session. */
	private final ToLongFunction<String> incarnation;

	private final Listener listener;

	/** Groups with a task queued. */
	private final Set<String> marked = ConcurrentHashMap.newKeySet();

	/** The incarnations the listener was last told are occupied; only touched by the {@code notifier-groups} thread. */
	private final Map<String, Long> told = new HashMap<>();

	private volatile ExecutorService thread = newThread();

	GroupOccupancy(ToLongFunction<String> incarnation, Listener listener) {
		this.incarnation = incarnation;
		this.listener = listener;
	}

	private static ExecutorService newThread() {
		// Unbounded in type only: a group has at most one task queued (see marked).
		ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				NotifierThreads.named("notifier-groups"));
		executor.allowCoreThreadTimeOut(true);
		return executor;
	}

	/** A group's occupancy may have changed. Any thread; never blocks. */
	void changed(String group) {
		if (!this.marked.add(group)) {
			return;
		}
		try {
			this.thread.execute(() -> tell(group));
		}
		catch (RejectedExecutionException ex) {
			// Stopped: nobody listens any more.
			this.marked.remove(group);
		}
	}

	private void tell(String group) {
		// Unmarked before reading, so that a change from now on queues another look.
		this.marked.remove(group);
		long now = this.incarnation.applyAsLong(group);
		Long before = this.told.get(group);
		if (before != null && before != now) {
			this.told.remove(group);
			tell(group, false);
		}
		if (now != 0 && !this.told.containsKey(group)) {
			this.told.put(group, now);
			tell(group, true);
		}
	}

	private void tell(String group, boolean occupied) {
		try {
			if (occupied) {
				this.listener.groupOccupied(group);
			}
			else {
				this.listener.groupEmptied(group);
			}
		}
		catch (RuntimeException ex) {
			logger.error("Handling the {} of group '{}' failed", occupied ? "occupation" : "emptying", group, ex);
		}
	}

	/** Starts again after {@link #stop()}, with nothing told. */
	synchronized void start() {
		if (this.thread.isShutdown()) {
			this.thread = newThread();
		}
	}

	/** Stops telling; changes from now on are not heard. */
	synchronized void stop() {
		this.thread.shutdownNow();
		this.marked.clear();
		ExecutorService stopped = this.thread;
		try {
			stopped.awaitTermination(1, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.told.clear();
	}

}
