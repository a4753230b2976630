package dev.notifier.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One fake task and its log, wherever the log is kept: in this instance's memory ({@link MemoryTask}) or, when the
 * sample runs as a cluster, in Redis ({@link RedisTasks}), where every instance can read it.
 */
interface Task {

	String id();

	/** Adds a line; the last one finishes the task. Called by the task's runner only. */
	void append(String text, boolean last);

	boolean isFinished();

	/** The lines written so far. */
	List<LogLine> lines();

	/**
	 * The lines after the first {@code seen}, waiting up to the timeout for one to be written.
	 * @return the new lines, empty if none came in time
	 */
	List<LogLine> awaitLinesAfter(int seen, Duration timeout) throws InterruptedException;

	/**
	 * One line of a task's log, as viewers receive it in JSON.
	 * @param n the line's number, from 1: viewers use it to drop a line they already have
	 * @param at when it was written
	 * @param text the line
	 * @param last whether the task finished with this line
	 */
	record LogLine(int n, Instant at, String text, boolean last) {
	}

}
