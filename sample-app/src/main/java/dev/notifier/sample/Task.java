package dev.notifier.sample;

import java.time.Instant;

/**
 * One fake task, wherever it is kept: in this instance's memory ({@link MemoryTask}) or, when the sample runs as a
 * cluster, in Redis ({@link RedisTasks}), where every instance can tell whether it exists and has finished. Its log is
 * not kept here: each line is broadcast to the task's group as it is written, and the group's history keeps it for
 * late and returning viewers (see {@link TaskLogs}).
 */
interface Task {

	String id();

	/**
	 * Writes the next line. Called by the task's runner only.
	 * @param last whether it is the task's last line; {@link #finish()} follows it
	 * @return the line, numbered from 1
	 */
	LogLine append(String text, boolean last);

	/** Marks the task finished, once its last line has been broadcast. Called by the task's runner only. */
	void finish();

	boolean isFinished();

	/**
	 * One line of a task's log, as viewers receive it in JSON.
	 * @param n the line's number, from 1
	 * @param at when it was written
	 * @param text the line
	 * @param last whether the task finished with this line
	 */
	record LogLine(int n, Instant at, String text, boolean last) {
	}

}
