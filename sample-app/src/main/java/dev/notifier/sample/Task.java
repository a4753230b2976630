package dev.notifier.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One fake task and its log. The task's own thread appends lines; viewers read them. Guarded by its monitor: the log
 * only grows, and {@link #awaitLinesAfter} wakes up when it does.
 */
final class Task {

	private final String id;

	private final List<LogLine> log = new ArrayList<>();

	private boolean finished;

	Task(String id) {
		this.id = id;
	}

	String id() {
		return this.id;
	}

	synchronized void append(String text, boolean last) {
		if (this.finished) {
			return;
		}
		this.log.add(new LogLine(this.log.size() + 1, Instant.now(), text, last));
		this.finished = last;
		notifyAll();
	}

	synchronized boolean isFinished() {
		return this.finished;
	}

	/** The lines written so far. */
	synchronized List<LogLine> lines() {
		return List.copyOf(this.log);
	}

	/**
	 * The lines after the first {@code seen}, waiting up to the timeout for one to be written.
	 * @return the new lines, empty if none came in time
	 */
	synchronized List<LogLine> awaitLinesAfter(int seen, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		long remaining;
		while (this.log.size() <= seen && (remaining = deadline - System.nanoTime()) > 0) {
			java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, remaining);
		}
		return List.copyOf(this.log.subList(Math.min(seen, this.log.size()), this.log.size()));
	}

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
