package dev.notifier.core;

import java.time.Duration;

/**
 * What a {@link GroupWorker} sees of the engine: its group, a way to publish to it, and the stop signal.
 *
 * <p>Safe to use from any thread.
 */
public interface WorkerContext {

	/** The group this worker serves. */
	String group();

	/**
	 * Broadcasts a message to the worker's group through the {@link GroupNotifier}.
	 * @return as {@link GroupNotifier#broadcast}
	 */
	int broadcast(Object message);

	/** The notifier, for anything beyond broadcasting to this group. */
	GroupNotifier notifier();

	/** Whether the worker has been asked to stop. */
	boolean isStopping();

	/**
	 * Ends the worker by itself: its group's sessions are closed with 1000 once what was broadcast has been written.
	 * A periodic worker ticks no more; a blocking worker should return.
	 */
	void finish();

	/**
	 * Waits until the worker is asked to stop or the timeout passes, whichever comes first: a sleep that a stop cuts
	 * short.
	 * @return whether the worker is stopping
	 * @throws InterruptedException if the thread is interrupted while waiting
	 */
	boolean awaitStop(Duration timeout) throws InterruptedException;

}
