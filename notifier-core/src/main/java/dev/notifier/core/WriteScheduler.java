package dev.notifier.core;

/**
 * Where a ready {@link OutboundPipe} goes to be written: the engine's writer threads ({@link WriterThreads}), or, in
 * tests, the test's own thread.
 */
interface WriteScheduler {

	/** Has the pipe's writer call {@link OutboundPipe#writeNext()} soon. Any thread; never blocks. */
	void schedule(OutboundPipe pipe);

	/**
	 * A broadcast starts appending to a large group ({@value GroupIndex#LARGE_FAN_OUT} members or more); until the
	 * matching {@link #fanOutEnded()}, writers give the CPU way to it between writes. Any thread; never blocks.
	 */
	default void fanOutStarted() {
	}

	/** The broadcast of the matching {@link #fanOutStarted()} has appended to every member. */
	default void fanOutEnded() {
	}

	/** Starts writing; called when the engine starts, again after a {@link #stop()}. */
	void start();

	/** Stops the writer threads; pipes scheduled from then on are written on the thread that schedules them. */
	void stop();

}
