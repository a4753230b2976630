package dev.notifier.redis;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The cluster's own threads, named so that a thread dump says what each one is for.
 */
final class ClusterThreads {

	private ClusterThreads() {
	}

	/** Daemon threads named {@code <prefix>-1}, {@code <prefix>-2}, ... */
	static ThreadFactory named(String prefix) {
		CustomizableThreadFactory threads = new CustomizableThreadFactory(prefix + "-");
		threads.setDaemon(true);
		return threads;
	}

	/** One daemon thread running scheduled tasks, forgetting a task as soon as it is cancelled. */
	static ScheduledThreadPoolExecutor scheduler(String name) {
		ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, named(name));
		scheduler.setRemoveOnCancelPolicy(true);
		return scheduler;
	}

}
