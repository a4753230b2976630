package dev.notifier.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks end to end that the pub/sub subscription still delivers: every {@link RedisClusterOptions#probeInterval()}
 * it publishes a numbered probe on {@code <prefix>probe:<instance>}, a channel only this instance's pub/sub connection
 * subscribes to, and expects it back within {@link RedisClusterOptions#probeTimeout()} of Redis acknowledging the
 * publish. A connection can stay open while its subscription no longer delivers anything (a proxy or a failover that
 * lost it, a server that dropped the client's subscriptions: Centrifugo met this after a Sentinel failover), and
 * neither Lettuce nor Redis would notice; broadcasts of the other instances would then silently stop reaching this
 * one. A probe that does not come back counts as a restart ({@link #restarts}), is logged, makes {@link #problem()}
 * say so until a later probe comes back, and has {@link RedisConnections#reopenPubSub(String)} replace the connection.
 *
 * <p>Only an acknowledged publish is awaited: a command connection that cannot publish is not the subscription's
 * fault, and {@link RedisConnections#unavailable()} reports it already. Nothing is probed while a connection is down.
 *
 * <p>Threads: probing and checking run on the cluster thread, which owns {@link #sent}; {@link #answered} runs on
 * Lettuce's event loop of the pub/sub connection and only records the highest number seen; the acknowledgement of a
 * publish, on the event loop of the command connection, only schedules the check. {@link #problem()} is read from any
 * thread.
 */
final class PubSubProbe {

	private static final Logger logger = LoggerFactory.getLogger(PubSubProbe.class);

	private final byte[] channel;

	private final Duration interval;

	private final Duration timeout;

	private final RedisConnections connections;

	private final ScheduledExecutorService clusterThread;

	private final LongAdder restarts;

	/** The highest probe number that came back; written on Lettuce's event loop. */
	private final AtomicLong answered = new AtomicLong();

	/** The number of the last probe sent; only touched by the cluster thread. */
	private long sent;

	private volatile @Nullable String problem;

	/**
	 * A probe for one instance's subscription.
	 * @param options the prefix, this instance's id, the interval and the timeout
	 * @param keys the names on the server
	 * @param connections where to publish, and what to reopen
	 * @param clusterThread the thread to probe and check on
	 * @param restarts counts the subscriptions found silent
	 */
	PubSubProbe(RedisClusterOptions options, RedisKeys keys, RedisConnections connections,
			ScheduledExecutorService clusterThread, LongAdder restarts) {
		this.channel = keys.probeChannel(options.instanceId());
		this.interval = options.probeInterval();
		this.timeout = options.probeTimeout();
		this.connections = connections;
		this.clusterThread = clusterThread;
		this.restarts = restarts;
	}

	/** The channel to subscribe to; never modify the array. */
	byte[] channel() {
		return this.channel;
	}

	/** Starts probing, every interval. */
	void start() {
		long period = this.interval.toNanos();
		this.clusterThread.scheduleWithFixedDelay(this::probe, period, period, TimeUnit.NANOSECONDS);
	}

	/** A probe came back, on Lettuce's event loop. */
	void answered(byte[] payload) {
		try {
			long number = Long.parseLong(new String(payload, StandardCharsets.US_ASCII));
			this.answered.accumulateAndGet(number, Math::max);
		}
		catch (NumberFormatException ex) {
			logger.debug("Ignoring a payload on the probe channel that is not a probe");
		}
	}

	/** Why the subscription is not known to deliver right now, or {@code null}. */
	@Nullable String problem() {
		return this.problem;
	}

	/** On the cluster thread. */
	private void probe() {
		if (this.connections.pubSubMissing()) {
			// An earlier replacement failed: try again rather than wait for a probe that cannot come back.
			this.connections.reopenPubSub("no pub/sub connection to Redis (its replacement failed); opening one");
			return;
		}
		RedisClusterAsyncCommands<byte[], byte[]> commands = this.connections.commands();
		if (commands == null || this.connections.pubSub() == null) {
			return;
		}
		long number = ++this.sent;
		commands
			.publish(this.channel, Long.toString(number).getBytes(StandardCharsets.US_ASCII))
			.whenComplete((receivers, failure) -> {
				if (failure == null) {
					schedule(() -> check(number), this.timeout);
				}
			});
	}

	/** On the cluster thread, a timeout after Redis acknowledged probe {@code number}. */
	private void check(long number) {
		if (this.answered.get() >= number) {
			if (this.problem != null) {
				this.problem = null;
				logger.info("The Redis pub/sub subscription delivers again");
			}
			return;
		}
		if (number != this.sent) {
			// A later probe is out already; its own check decides.
			return;
		}
		this.restarts.increment();
		String problem = "the Redis pub/sub subscription stopped delivering (a probe did not come back within "
				+ this.timeout + "); replacing its connection";
		this.problem = problem;
		logger.warn("The Redis pub/sub subscription stopped delivering: a probe did not come back within {}; "
				+ "replacing the pub/sub connection. Broadcasts of other instances were lost meanwhile", this.timeout);
		this.connections.reopenPubSub(problem);
	}

	private void schedule(Runnable task, Duration delay) {
		try {
			this.clusterThread.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			// Stopped.
		}
	}

}
