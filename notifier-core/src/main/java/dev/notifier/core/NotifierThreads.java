package dev.notifier.core;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names the engine's threads, so a thread dump says which part of the notifier each one belongs to.
 */
final class NotifierThreads {

	private NotifierThreads() {
	}

	/** Daemon platform threads named {@code <prefix>-1}, {@code <prefix>-2}, ... */
	static ThreadFactory named(String prefix) {
		AtomicInteger counter = new AtomicInteger();
		return (task) -> {
			Thread thread = new Thread(task, prefix + "-" + counter.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

}
