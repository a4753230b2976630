package dev.notifier.core;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A few writer threads, about one per core ({@code notifier-writer-N}), each owning the pipes whose
 * {@link OutboundPipe#writerSlot} falls on it: the only threads that start sends.
 *
 * <p>Each thread takes tasks from its own queue, in the order they were handed to it: a ready pipe, which starts one
 * send of everything it has queued, or a pass of a large group's appending to the members the thread owns (see
 * {@link GroupIndex}), which makes them ready behind it. While a send is in flight its pipe is out of the queue, and
 * new messages only join its backlog; the backlog is written as one batch once the send completes. So when the
 * writers are busy, each write carries more messages and the cost per message falls; when they are idle, a lone
 * message is written at once. A pipe is in at most one queue at a time, and a group's share in at most one, so a
 * queue holds at most as many entries as there are sessions and groups.
 *
 * <p>{@code schedule} is called from any thread: it appends and wakes the thread if it sleeps. A writer parks when
 * its queue is empty; it never waits on a socket, since sends only start writes.
 */
final class WriterThreads implements WriteScheduler {

	private static final Logger logger = LoggerFactory.getLogger(WriterThreads.class);

	private final ThreadFactory threads;

	private final Writer[] writers;

	WriterThreads(int count, ThreadFactory threads) {
		this.threads = threads;
		this.writers = new Writer[count];
		for (int i = 0; i < count; i++) {
			this.writers[i] = new Writer();
			this.writers[i].stopped = true;
		}
	}

	/** About one writer per core: writes are short, so more threads than cores would only take turns. */
	static int defaultCount() {
		return Math.max(1, Runtime.getRuntime().availableProcessors());
	}

	@Override
	public void schedule(OutboundPipe pipe) {
		this.writers[writerOf(pipe.writerSlot)].add(pipe.write);
	}

	@Override
	public void schedule(int writer, Runnable pass) {
		this.writers[writer].add(pass);
	}

	@Override
	public int writerCount() {
		return this.writers.length;
	}

	@Override
	public synchronized void start() {
		for (Writer writer : this.writers) {
			if (writer.stopped) {
				writer.stopped = false;
				Thread thread = this.threads.newThread(writer);
				writer.thread = thread;
				thread.start();
			}
		}
	}

	@Override
	public synchronized void stop() {
		for (Writer writer : this.writers) {
			writer.stopped = true;
			Thread thread = writer.thread;
			if (thread != null) {
				LockSupport.unpark(thread);
			}
			writer.runLeftovers();
		}
	}

	/** One writer thread and its queue of tasks. */
	private static final class Writer implements Runnable {

		private final ConcurrentLinkedQueue<Runnable> ready = new ConcurrentLinkedQueue<>();

		/** Set by the writer just before it parks, cleared by whoever wakes it. */
		private final AtomicBoolean sleeping = new AtomicBoolean();

		private volatile @Nullable Thread thread;

		private volatile boolean stopped;

		void add(Runnable task) {
			this.ready.add(task);
			if (this.stopped) {
				// Stopped with the engine: a session still draining is written here, on the thread that asks.
				runLeftovers();
			}
			else if (this.sleeping.get() && this.sleeping.compareAndSet(true, false)) {
				LockSupport.unpark(this.thread);
			}
		}

		@Override
		public void run() {
			while (!this.stopped) {
				Runnable task = this.ready.poll();
				if (task != null) {
					runSafely(task);
					continue;
				}
				this.sleeping.set(true);
				// Checked after announcing the sleep: a task added before the announcement is seen here, one added
				// after it wakes this thread.
				if (this.ready.isEmpty() && !this.stopped) {
					LockSupport.park(this);
				}
				this.sleeping.set(false);
			}
		}

		void runLeftovers() {
			Runnable task;
			while ((task = this.ready.poll()) != null) {
				runSafely(task);
			}
		}

		private static void runSafely(Runnable task) {
			try {
				task.run();
			}
			catch (RuntimeException ex) {
				logger.error("A write, or a group's appending pass, failed unexpectedly", ex);
			}
		}

	}

}
