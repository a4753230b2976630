package dev.notifier.redis;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.notifier.redis.PayloadCodec.Entry;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one bus publishes, sent to Redis in the order it was handed in, in rounds: at most one round of commands
 * waits for Redis's replies, and a round starts no sooner than {@code linger} after the one before. What is handed in
 * meanwhile waits and goes in the next round. Entries handed in one after the other for one channel go in one
 * {@code PUBLISH} (up to {@value #MAX_PAYLOAD_BYTES} bytes), as one payload of several ({@link PayloadCodec#payload}).
 *
 * <p><b>Why.</b> Each {@code PUBLISH} costs far more than its bytes: Lettuce's event loop is woken to write it, to
 * read its reply and, on every subscribed instance, this one included, to read its echo; on a machine with few cores
 * those wake-ups take the CPU from the threads that fan broadcasts out and write them, whose batches then shrink.
 * A burst of 1,000 broadcasts to a group of 1,000 made 1,000 {@code PUBLISH} commands and cost cluster mode on one
 * instance a quarter of its throughput, although broadcasts came only every few hundred microseconds, slower than
 * Redis answers: only waiting gathers them. So, as a session's outbound pipe does: a broadcast after a quiet spell
 * goes at once, alone; broadcasts that come faster than one per {@code linger} share commands, and the cost per
 * broadcast falls as the load rises, for up to {@code linger} more latency across instances.
 *
 * <p><b>Bounds.</b> An entry or command handed in while the command connection is not open, or while
 * {@code capacity} of them wait or are in a round not yet answered, is not sent and is counted as unpublished. A
 * command that failed counts its entries as unpublished.
 *
 * <p>Threads: {@link #publish} and {@link #send} run on the engine's caller threads; a round starts on the thread
 * that handed in to an idle outbox, on Lettuce's event loop thread that completed the round before it, or on the
 * scheduler's thread once the linger is over, and only frames payloads and hands commands to Lettuce, never waiting. The queue and the round's state are guarded by the
 * outbox's monitor, which is never held while a command is handed to Lettuce.
 */
final class Outbox {

	private static final Logger logger = LoggerFactory.getLogger(Outbox.class);

	/**
	 * The most bytes of entries framed into one payload, unless its one entry is larger: enough for hundreds of small
	 * messages per command, small enough that Redis hands each subscriber a short buffer.
	 */
	static final int MAX_PAYLOAD_BYTES = 64 * 1024;

	private final Supplier<@Nullable RedisClusterAsyncCommands<byte[], byte[]>> connection;

	private final PayloadCodec codec;

	private final boolean sharded;

	private final int capacity;

	private final LongAdder unpublished;

	private final long lingerNanos;

	private final ScheduledExecutorService scheduler;

	/** What waits for the next round; guarded by the outbox's monitor. */
	private final ArrayDeque<Item> queued = new ArrayDeque<>();

	/** Items queued or in the round in flight; guarded by the outbox's monitor. */
	private int pending;

	/**
	 * Whether a round is being sent, waits for its replies, or is due after the linger; guarded by the outbox's
	 * monitor.
	 */
	private boolean sending;

	/** The {@link System#nanoTime()} the last round started at; guarded by the outbox's monitor. */
	private long lastRound;

	/**
	 * An outbox for one Redis server's command connection.
	 * @param connection the command connection's commands, {@code null} while it is not open
	 * @param codec frames the entries of what is published
	 * @param sharded whether a group's channel takes {@code SPUBLISH} (a Redis Cluster)
	 * @param capacity items that may wait or be in flight before a further one is not sent
	 * @param unpublished counts what is not sent, or failed
	 * @param linger the least time between the starts of two rounds
	 * @param scheduler starts a round that waited for the linger
	 */
	Outbox(Supplier<@Nullable RedisClusterAsyncCommands<byte[], byte[]>> connection, PayloadCodec codec,
			boolean sharded, int capacity, LongAdder unpublished, Duration linger, ScheduledExecutorService scheduler) {
		this.connection = connection;
		this.codec = codec;
		this.sharded = sharded;
		this.capacity = capacity;
		this.unpublished = unpublished;
		this.lingerNanos = linger.toNanos();
		this.scheduler = scheduler;
		this.lastRound = System.nanoTime() - this.lingerNanos;
	}

	/**
	 * Publishes an entry on a channel, after everything handed in before.
	 * @param groupChannel whether the channel is a group's, which a Redis Cluster shards
	 * @return whether it was queued
	 */
	boolean publish(byte[] channel, boolean groupChannel, Entry entry) {
		return add(new Publication(channel, groupChannel && this.sharded, entry));
	}

	/**
	 * Sends a command that publishes (a script that records and publishes a broadcast), after everything handed in
	 * before.
	 * @return whether it was queued
	 */
	boolean send(Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<?>> command) {
		return add(new Command(command));
	}

	private boolean add(Item item) {
		if (this.connection.get() == null) {
			this.unpublished.increment();
			return false;
		}
		List<Item> round;
		synchronized (this) {
			if (this.pending >= this.capacity) {
				this.unpublished.increment();
				return false;
			}
			this.pending++;
			this.queued.add(item);
			if (this.sending) {
				return true;
			}
			this.sending = true;
			round = nextRound();
		}
		if (round != null) {
			send(round);
		}
		return true;
	}

	/**
	 * Under the monitor, with something queued: everything queued as the round to send now, or {@code null} if the
	 * linger since the last round is not over, and the round is scheduled for when it is.
	 */
	private @Nullable List<Item> nextRound() {
		long wait = this.lastRound + this.lingerNanos - System.nanoTime();
		if (wait > 0) {
			try {
				this.scheduler.schedule(this::lingered, wait, TimeUnit.NANOSECONDS);
				return null;
			}
			catch (RejectedExecutionException ex) {
				// The cluster is stopping: what waits goes now, if Redis still takes it.
			}
		}
		return takeRound();
	}

	/** Under the monitor: everything queued, as the round that starts now. */
	private List<Item> takeRound() {
		this.lastRound = System.nanoTime();
		List<Item> round = new ArrayList<>(this.queued);
		this.queued.clear();
		return round;
	}

	/** The linger before a round is over: sends it, on the scheduler's thread. */
	private void lingered() {
		List<Item> round;
		synchronized (this) {
			round = takeRound();
		}
		send(round);
	}

	/** Hands a round's commands to Lettuce: one per command, one per run of publications to one channel. */
	private void send(List<Item> round) {
		RedisClusterAsyncCommands<byte[], byte[]> commands = this.connection.get();
		if (commands == null) {
			this.unpublished.add(round.size());
			completed(round.size());
			return;
		}
		List<Send> sends = new ArrayList<>();
		for (int start = 0; start < round.size();) {
			int end = runEnd(round, start);
			sends.add(new Send(command(round, start, end), end - start));
			start = end;
		}
		// Counted in full first: a command may complete on this thread as it is handed over.
		AtomicInteger unanswered = new AtomicInteger(sends.size());
		for (Send send : sends) {
			send.command().apply(commands).whenComplete((reply, failure) -> {
				if (failure != null) {
					this.unpublished.add(send.items());
					logger.debug("A publish to Redis failed", failure);
				}
				if (unanswered.decrementAndGet() == 0) {
					completed(round.size());
				}
			});
		}
	}

	/**
	 * The end of the run of a round's items that goes as one command from {@code start}: a command alone, or the
	 * publications to the channel of the first that follow it, up to {@value #MAX_PAYLOAD_BYTES} bytes.
	 */
	private static int runEnd(List<Item> round, int start) {
		if (!(round.get(start) instanceof Publication first)) {
			return start + 1;
		}
		int end = start + 1;
		int bytes = first.entry().framedLength();
		while (end < round.size() && round.get(end) instanceof Publication next
				&& next.sharded() == first.sharded() && Arrays.equals(next.channel(), first.channel())
				&& bytes + next.entry().framedLength() <= MAX_PAYLOAD_BYTES) {
			bytes += next.entry().framedLength();
			end++;
		}
		return end;
	}

	private Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<?>> command(List<Item> round, int start,
			int end) {
		if (round.get(start) instanceof Command command) {
			return command.command();
		}
		Publication first = (Publication) round.get(start);
		List<Entry> entries = new ArrayList<>(end - start);
		for (int i = start; i < end; i++) {
			entries.add(((Publication) round.get(i)).entry());
		}
		byte[] payload = this.codec.payload(entries);
		return first.sharded() ? (commands) -> commands.spublish(first.channel(), payload)
				: (commands) -> commands.publish(first.channel(), payload);
	}

	/**
	 * A round's replies are all in: sends what was queued meanwhile as the next round, on this thread, or once the
	 * linger is over.
	 */
	private void completed(int items) {
		List<Item> round;
		synchronized (this) {
			this.pending -= items;
			if (this.queued.isEmpty()) {
				this.sending = false;
				return;
			}
			round = nextRound();
		}
		if (round != null) {
			send(round);
		}
	}

	/** Something handed in to be sent. */
	private sealed interface Item {

	}

	/** An entry to publish on a channel, with {@code SPUBLISH} if {@code sharded}. */
	private record Publication(byte[] channel, boolean sharded, Entry entry) implements Item {

	}

	private record Command(Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<?>> command)
			implements Item {

	}

	/** One command of a round, and how many items it carries. */
	private record Send(Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<?>> command, int items) {

	}

}
