package dev.notifier.core;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes ready sessions on the test's own thread, when the test asks: a broadcast only queues, and {@link #run()}
 * does what the writer threads would do next, so a test sees exactly which messages share a write.
 */
final class ManualWrites implements WriteScheduler {

	private final ConcurrentLinkedQueue<OutboundPipe> ready = new ConcurrentLinkedQueue<>();

	/** Broadcasts to large groups appending now, as {@link WriterThreads} counts them. */
	private final AtomicInteger fanOuts = new AtomicInteger();

	private final AtomicInteger fanOutsStarted = new AtomicInteger();

	/** Pipes scheduled while a broadcast to a large group was appending. */
	private final AtomicInteger scheduledDuringFanOut = new AtomicInteger();

	@Override
	public void schedule(OutboundPipe pipe) {
		if (this.fanOuts.get() > 0) {
			this.scheduledDuringFanOut.incrementAndGet();
		}
		this.ready.add(pipe);
	}

	@Override
	public void fanOutStarted() {
		this.fanOutsStarted.incrementAndGet();
		this.fanOuts.incrementAndGet();
	}

	@Override
	public void fanOutEnded() {
		this.fanOuts.decrementAndGet();
	}

	/** How many broadcasts to large groups are appending now. */
	int fanOutsInProgress() {
		return this.fanOuts.get();
	}

	/** How many broadcasts to large groups have started appending. */
	int fanOutsStarted() {
		return this.fanOutsStarted.get();
	}

	/** How many pipes were scheduled while a broadcast to a large group was appending. */
	int scheduledDuringFanOut() {
		return this.scheduledDuringFanOut.get();
	}

	@Override
	public void start() {
	}

	@Override
	public void stop() {
	}

	/**
	 * Writes every ready session, and those that become ready again meanwhile (completions that run inline), until
	 * none is ready.
	 * @return how many writes were started
	 */
	int run() {
		int writes = 0;
		OutboundPipe pipe;
		while ((pipe = this.ready.poll()) != null) {
			pipe.writeNext();
			writes++;
		}
		return writes;
	}

}
