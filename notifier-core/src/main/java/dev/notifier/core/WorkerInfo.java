package dev.notifier.core;

import java.time.Instant;

/**
 * A snapshot of one running worker, for monitoring.
 *
 * @param group the group it serves
 * @param factory the name of the factory that created it
 * @param state whether it runs or is stopping
 * @param startedAt when it started
 */
public record WorkerInfo(String group, String factory, State state, Instant startedAt) {

	/**
	 * The life of a worker as monitoring shows it. A worker is listed once it runs, and no longer once it has ended
	 * and given its lease back (in cluster mode).
	 */
	public enum State {

		/** Running its ticks or its loop. */
		RUNNING,

		/** Asked to stop or ended by itself, and not gone yet. */
		STOPPING

	}

}
