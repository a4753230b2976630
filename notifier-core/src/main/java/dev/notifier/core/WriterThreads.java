package dev.notifier.core;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A few writer threads, about one per core ({@code notifier-writer-N}), each owning the pipes whose
 * {@link OutboundPipe#writerSlot} falls on it: the only threads that start sends.
 *
 * <p>Each thread takes ready pipes from its own queue, in the order they became ready, and has each start one send
 * of everything it has queued. While a send is in flight its pipe is out of the queue, and new messages only join its
 * backlog; the backlog is written as one batch once the send completes. So when the writers are busy, each write
 * carries more messages and the cost per message falls; when they are idle, a lone message is written at once. A pipe
 * is in at most one queue at a time, so a queue holds at most as many entries as there are sessions.
 *
 * <p>{@link #schedule} is called from any thread: it appends and wakes the thread if it sleeps. A writer parks when
 * its queue is empty; it never waits on a socket, since sends only start writes.
 *
 * <p><b>Giving way to a large fan-out.</b> While a broadcast appends to a large group (between
 * {@link #fanOutStarted()} and {@link #fanOutEnded()}), a writer yields the CPU after each write. Appending to a
 * member costs far less than writing to it, yet a writer that wins the CPU from the broadcasting thread writes the
 * first members while the broadcast, and the broadcasts queued behind it, are still appending: each such write
 * carries only part of what the member is about to get, and the member is written again for the rest. Where there
 * are fewer cores than busy threads (writers, the broadcasting thread, the container's), a 10,000-member group got
 * two to six writes per member instead of one, and paid a system call, and the card marks of the write's objects, for
 * each. {@link Thread#yield()} only lets a thread waiting for this core run first; with nothing waiting, it returns at
 * once, so a lone message is still written at once and no writer ever waits for the broadcast to end.
 */
final class WriterThreads implements WriteScheduler {

	private static final Logger logger = LoggerFactory.getLogger(WriterThreads.class);

	private final ThreadFactory threads;

	private final Writer[] writers;

	/**
	 * How many broadcasts to large groups are appending right now, on any thread. Written twice per such broadcast,
	 * read by the writers after each write.
	 */
	private final AtomicInteger fanOuts = new AtomicInteger();

	WriterThreads(int count, ThreadFactory threads) {
		this.threads = threads;
		this.writers = new Writer[count];
		for (int i = 0; i < count; i++) {
			this.writers[i] = new Writer(this::fanOutInProgress);
			this.writers[i].stopped = true;
		}
	}

	/** About one writer per core: writes are short, so more threads than cores would only take turns. */
	static int defaultCount() {
		return Math.max(1, Runtime.getRuntime().availableProcessors());
	}

	@Override
	public void schedule(OutboundPipe pipe) {
		this.writers[Math.floorMod(pipe.writerSlot, this.writers.length)].add(pipe);
	}

	@Override
	public void fanOutStarted() {
		this.fanOuts.incrementAndGet();
	}

	@Override
	public void fanOutEnded() {
		this.fanOuts.decrementAndGet();
	}

	/** Whether a broadcast to a large group is appending right now. */
	boolean fanOutInProgress() {
		return this.fanOuts.get() > 0;
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
			writer.writeLeftovers();
		}
	}

	/** One writer thread and its queue of ready pipes. */
	private static final class Writer implements Runnable {

		private final ConcurrentLinkedQueue<OutboundPipe> ready = new ConcurrentLinkedQueue<>();

		/** Whether a broadcast to a large group is appending right now. */
		private final BooleanSupplier fanOutInProgress;

		/** Set by the writer just before it parks, cleared by whoever wakes it. */
		private final AtomicBoolean sleeping = new AtomicBoolean();

		private volatile @Nullable Thread thread;

		private volatile boolean stopped;

		Writer(BooleanSupplier fanOutInProgress) {
			this.fanOutInProgress = fanOutInProgress;
		}

		void add(OutboundPipe pipe) {
			this.ready.add(pipe);
			if (this.stopped) {
				// Stopped with the engine: a session still draining is written here, on the thread that asks.
				writeLeftovers();
			}
			else if (this.sleeping.get() && this.sleeping.compareAndSet(true, false)) {
				LockSupport.unpark(this.thread);
			}
		}

		@Override
		public void run() {
			while (!this.stopped) {
				OutboundPipe pipe = this.ready.poll();
				if (pipe != null) {
					write(pipe);
					if (this.fanOutInProgress.getAsBoolean()) {
						// Let the broadcasting thread finish appending first, if it waits for this core: see above.
						Thread.yield();
					}
					continue;
				}
				this.sleeping.set(true);
				// Checked after announcing the sleep: a pipe added before the announcement is seen here, one added
				// after it wakes this thread.
				if (this.ready.isEmpty() && !this.stopped) {
					LockSupport.park(this);
				}
				this.sleeping.set(false);
			}
		}

		void writeLeftovers() {
			OutboundPipe pipe;
			while ((pipe = this.ready.poll()) != null) {
				write(pipe);
			}
		}

		private static void write(OutboundPipe pipe) {
			try {
				pipe.writeNext();
			}
			catch (RuntimeException ex) {
				logger.error("Writing to a session failed unexpectedly", ex);
			}
		}

	}

}
