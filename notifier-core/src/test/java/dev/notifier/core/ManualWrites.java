package dev.notifier.core;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes ready sessions, and runs large groups' appending passes, on the test's own thread, when the test asks: a
 * broadcast only queues, and {@link #run()} does what the writer threads would do next, in the order they would, so a
 * test sees exactly which messages share a write.
 */
final class ManualWrites implements WriteScheduler {

	/** Ready pipes and appending passes, in the order they were handed over, as one writer's queue holds them. */
	private final ConcurrentLinkedQueue<Object> ready = new ConcurrentLinkedQueue<>();

	private final int writers;

	private final AtomicInteger passes = new AtomicInteger();

	ManualWrites() {
		this(1);
	}

	/** Stands in for this many writers, so that a large group splits its members into as many shares. */
	ManualWrites(int writers) {
		this.writers = writers;
	}

	@Override
	public void schedule(OutboundPipe pipe) {
		this.ready.add(pipe);
	}

	@Override
	public void schedule(int writer, Runnable pass) {
		this.ready.add(pass);
	}

	@Override
	public int writerCount() {
		return this.writers;
	}

	@Override
	public void start() {
	}

	@Override
	public void stop() {
	}

	/** How many appending passes have run. */
	int passes() {
		return this.passes.get();
	}

	/**
	 * Writes every ready session and runs every pass, and those that are handed over meanwhile (completions that run
	 * inline), until nothing is left.
	 * @return how many writes were started
	 */
	int run() {
		int writes = 0;
		Object task;
		while ((task = this.ready.poll()) != null) {
			if (task instanceof OutboundPipe pipe) {
				pipe.writeNext();
				writes++;
			}
			else {
				((Runnable) task).run();
				this.passes.incrementAndGet();
			}
		}
		return writes;
	}

}
