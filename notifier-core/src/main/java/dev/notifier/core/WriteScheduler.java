package dev.notifier.core;

/**
 * Where a ready {@link OutboundPipe} goes to be written, and a large group's appending to its members is done: the
 * engine's writer threads ({@link WriterThreads}), or, in tests, the test's own thread.
 */
interface WriteScheduler {

	/** Has the pipe's writer call {@link OutboundPipe#writeNext()} soon. Any thread; never blocks. */
	void schedule(OutboundPipe pipe);

	/**
	 * Has a writer run one pass of a group's appending to the members it owns (see {@link GroupIndex}), in turn with
	 * the writes it has been handed. Any thread; never blocks.
	 * @param writer which writer, from 0 to {@link #writerCount()} - 1
	 */
	void schedule(int writer, Runnable pass);

	/** How many writers there are. */
	int writerCount();

	/**
	 * The writer that owns the pipes of this {@link OutboundPipe#writerSlot}: a group's pass for a member must run on
	 * the writer that writes the member, so that the member is written after the pass.
	 */
	default int writerOf(int writerSlot) {
		return Math.floorMod(writerSlot, writerCount());
	}

	/** Starts writing; called when the engine starts, again after a {@link #stop()}. */
	void start();

	/** Stops the writer threads; pipes scheduled from then on are written on the thread that schedules them. */
	void stop();

}
