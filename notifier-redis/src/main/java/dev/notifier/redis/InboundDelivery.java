package dev.notifier.redis;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.notifier.core.ClusterNode;
import dev.notifier.redis.PayloadCodec.Published;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes what other instances published off Lettuce's event loop and applies it to this instance's sessions on one
 * thread of the cluster's own, {@code notifier-cluster-inbound-1}, through a bounded hand-off.
 *
 * <p><b>Why a thread of its own.</b> Delivering runs over every local session of a group. Lettuce's event loop thread
 * must not do that: every other reply it carries waits meanwhile, the cluster's lease renewals and publishes among
 * them. <b>Why one thread.</b> Everything is applied in the order it was received, so what one instance published
 * reaches the sessions in the order it was published, and a close comes after the messages published before it.
 *
 * <p><b>When it is full.</b> A message received while {@code capacity} messages wait or are being delivered is
 * dropped, counted, and logged at warn level at most every 10 seconds. Waiting instead would block the event loop,
 * and with it every Redis reply of the client: lease renewals would stop and workers with them, and Redis would
 * disconnect the subscriber once its pub/sub output buffer is full, losing everything published meanwhile anyway. A
 * queue without a bound would turn an instance that cannot keep up into one that runs out of memory. Dropping loses
 * only the messages this instance cannot deliver in time. A close is never dropped: it is small and rare, and dropping
 * it would leave sessions open that the rest of the cluster has closed; closes may take the queue past its bound.
 *
 * <p>Threads: {@link #offer} is called on Lettuce's event loop thread (with several shards, those of every shard's
 * pub/sub connection, at once: it only touches atomics and the executor's queue) and never waits; {@link #stop} on the thread
 * that stops the cluster. Deliveries run on the inbound thread only.
 */
final class InboundDelivery {

	private static final Logger logger = LoggerFactory.getLogger(InboundDelivery.class);

	private static final Duration WARNING_INTERVAL = Duration.ofSeconds(10);

	private final ClusterNode node;

	private final int capacity;

	private final LongAdder dropped;

	private final ThreadPoolExecutor thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.NANOSECONDS,
			new LinkedBlockingQueue<>(), ClusterThreads.named("notifier-cluster-inbound"));

	/** Messages offered and not yet delivered, the one being delivered included; closes are not counted. */
	private final AtomicInteger pendingMessages = new AtomicInteger();

	/** The {@link System#nanoTime()} from which a drop may be logged again. */
	private final AtomicLong nextWarning = new AtomicLong(System.nanoTime());

	/**
	 * A hand-off to a new inbound thread.
	 * @param node where to apply what was received
	 * @param capacity messages that may wait or be delivered before a further one is dropped
	 * @param dropped counts the messages dropped
	 */
	InboundDelivery(ClusterNode node, int capacity, LongAdder dropped) {
		this.node = node;
		this.capacity = capacity;
		this.dropped = dropped;
	}

	/**
	 * Hands something another instance published to the inbound thread, or drops it if it is a message and
	 * {@code capacity} messages are pending already.
	 * @param group its group, or {@code null} for every group
	 */
	void offer(@Nullable String group, Published published) {
		boolean droppable = !published.isClose();
		if (droppable && this.pendingMessages.incrementAndGet() > this.capacity) {
			this.pendingMessages.decrementAndGet();
			drop();
			return;
		}
		try {
			this.thread.execute(() -> apply(group, published, droppable));
		}
		catch (RejectedExecutionException ex) {
			// Stopped: this instance's sessions are closing anyway.
		}
	}

	/** Stops the inbound thread, leaving what still waits undelivered. */
	void stop() {
		this.thread.shutdownNow();
	}

	private void apply(@Nullable String group, Published published, boolean counted) {
		try {
			published.applyTo(this.node, group);
		}
		catch (RuntimeException ex) {
			logger.warn("Delivering what another instance published to group '{}' failed", group, ex);
		}
		finally {
			if (counted) {
				this.pendingMessages.decrementAndGet();
			}
		}
	}

	private void drop() {
		this.dropped.increment();
		long now = System.nanoTime();
		long due = this.nextWarning.get();
		if (now - due >= 0 && this.nextWarning.compareAndSet(due, now + WARNING_INTERVAL.toNanos())) {
			logger.warn("Dropped a message from another instance: {} messages already wait to be delivered here "
					+ "(notifier.cluster.inbound-queue-size); {} dropped in all. This warning repeats at most every {}s",
					this.capacity, this.dropped.sum(), WARNING_INTERVAL.toSeconds());
		}
	}

}
