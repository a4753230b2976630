package dev.notifier.sample;

import java.time.Instant;

/** A task kept in this instance's memory, as when the sample runs alone. Written by its runner, read by any thread. */
final class MemoryTask implements Task {

	private final String id;

	/** Written by the runner only. */
	private int written;

	private volatile boolean finished;

	MemoryTask(String id) {
		this.id = id;
	}

	@Override
	public String id() {
		return this.id;
	}

	@Override
	public LogLine append(String text, boolean last) {
		return new LogLine(++this.written, Instant.now(), text, last);
	}

	@Override
	public void finish() {
		this.finished = true;
	}

	@Override
	public boolean isFinished() {
		return this.finished;
	}

}
