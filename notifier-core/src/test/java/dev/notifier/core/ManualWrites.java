package dev.notifier.core;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Writes ready sessions on the test's own thread, when the test asks: a broadcast only queues, and {@link #run()}
 * does what the writer threads would do next, so a test sees exactly which messages share a write.
 */
final class ManualWrites implements WriteScheduler {

	private final ConcurrentLinkedQueue<OutboundPipe> ready = new ConcurrentLinkedQueue<>();

	@Override
	public void schedule(OutboundPipe pipe) {
		this.ready.add(pipe);
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
