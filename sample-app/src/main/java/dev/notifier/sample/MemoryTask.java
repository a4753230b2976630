package dev.notifier.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A task whose log lives in this instance's memory, as when the sample runs alone. The task's own thread appends
 * lines; viewers read them. Guarded by its monitor: the log only grows, and {@link #awaitLinesAfter} wakes up when it
 * does.
 */
final class MemoryTask implements Task {

	private final String id;

	private final List<LogLine> log = new ArrayList<>();

	private boolean finished;

	MemoryTask(String id) {
		this.id = id;
	}

	@Override
	public String id() {
		return this.id;
	}

	@Override
	public synchronized void append(String text, boolean last) {
		if (this.finished) {
			return;
		}
		this.log.add(new LogLine(this.log.size() + 1, Instant.now(), text, last));
		this.finished = last;
		notifyAll();
	}

	@Override
	public synchronized boolean isFinished() {
		return this.finished;
	}

	@Override
	public synchronized List<LogLine> lines() {
		return List.copyOf(this.log);
	}

	@Override
	public synchronized List<LogLine> awaitLinesAfter(int seen, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		long remaining;
		while (this.log.size() <= seen && (remaining = deadline - System.nanoTime()) > 0) {
			TimeUnit.NANOSECONDS.timedWait(this, remaining);
		}
		return List.copyOf(this.log.subList(Math.min(seen, this.log.size()), this.log.size()));
	}

}
