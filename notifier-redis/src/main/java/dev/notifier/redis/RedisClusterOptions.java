package dev.notifier.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a {@link RedisNotifierCluster}.
 *
 * @param prefix the prefix of every key and channel; instances with the same prefix on one server form one cluster
 * @param instanceId this instance's name, different on every instance
 * @param workerLease how long a worker's lease lasts unless renewed; it is renewed every third of this
 * @param reconnectMaxDelay the longest wait between two attempts to connect when there is no connection
 * @param maxPendingPublishes publishes waiting to be sent to Redis or for its reply beyond which a broadcast stays
 * local
 * @param inboundQueueSize messages from other instances waiting to be delivered here beyond which a further one is
 * dropped; closes are never dropped
 * @param probeInterval how often this instance publishes a probe on a channel its own pub/sub connection subscribes
 * to, to find a subscription that stopped delivering without its connection closing
 * @param probeTimeout how long after Redis acknowledged a probe it must have come back; shorter than the interval
 * @param publishLinger how long after a round of publishes to a Redis server the next round waits, so that what is
 * published meanwhile shares commands; zero sends the next round as soon as Redis has answered the last
 */
public record RedisClusterOptions(String prefix, String instanceId, Duration workerLease, Duration reconnectMaxDelay,
		int maxPendingPublishes, int inboundQueueSize, Duration probeInterval, Duration probeTimeout,
		Duration publishLinger) {

	/** The shortest lease accepted: a third of it must leave room for a round trip to Redis. */
	public static final Duration MIN_WORKER_LEASE = Duration.ofMillis(300);

	/** How often the pub/sub subscription is probed unless told otherwise. */
	public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(5);

	/** How long a probe may take to come back unless told otherwise. */
	public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(2);

	/** How long a round of publishes waits after the one before unless told otherwise. */
	public static final Duration DEFAULT_PUBLISH_LINGER = Duration.ofMillis(2);

	/**
	 * Checks every setting; this is the one place the rules live, which the Spring Boot auto-configuration reports
	 * under the names of its properties.
	 * @throws InvalidOptionException naming the first setting that cannot work
	 */
	public RedisClusterOptions {
		Objects.requireNonNull(prefix, "prefix");
		Objects.requireNonNull(instanceId, "instanceId");
		require(!prefix.isEmpty(), "prefix", prefix, "must not be empty");
		require(!instanceId.isBlank(), "instanceId", instanceId, "must not be blank");
		// Presence keeps the instance and the user in one hash field, split at the first line break.
		require(instanceId.indexOf('\n') < 0, "instanceId", instanceId, "must not contain a line break");
		require(workerLease.compareTo(MIN_WORKER_LEASE) >= 0, "workerLease", workerLease,
				"must be at least " + MIN_WORKER_LEASE.toMillis() + "ms");
		require(isPositive(reconnectMaxDelay), "reconnectMaxDelay", reconnectMaxDelay, "must be positive");
		require(maxPendingPublishes > 0, "maxPendingPublishes", maxPendingPublishes, "must be positive");
		require(inboundQueueSize > 0, "inboundQueueSize", inboundQueueSize, "must be positive");
		require(isPositive(probeTimeout), "probeTimeout", probeTimeout, "must be positive");
		require(probeInterval.compareTo(probeTimeout) > 0, "probeInterval", probeInterval,
				"must be longer than the probe timeout (" + probeTimeout + ")");
		require(!publishLinger.isNegative(), "publishLinger", publishLinger, "must not be negative");
	}

	/**
	 * These options with the defaults of the probe (every 5 seconds, 2 seconds to come back) and of the publishes'
	 * linger (2 milliseconds).
	 */
	public RedisClusterOptions(String prefix, String instanceId, Duration workerLease, Duration reconnectMaxDelay,
			int maxPendingPublishes, int inboundQueueSize) {
		this(prefix, instanceId, workerLease, reconnectMaxDelay, maxPendingPublishes, inboundQueueSize,
				DEFAULT_PROBE_INTERVAL, DEFAULT_PROBE_TIMEOUT, DEFAULT_PUBLISH_LINGER);
	}

	/**
	 * Checks that the names of a group can carry it as a hash tag, as they do on a Redis Cluster.
	 * @throws InvalidOptionException if the prefix contains a brace
	 */
	void requireHashTagsIntact() {
		require(this.prefix.indexOf('{') < 0 && this.prefix.indexOf('}') < 0, "prefix", this.prefix,
				"must not contain '{' or '}' on a Redis Cluster: the names of a group carry it as a hash tag");
	}

	private static boolean isPositive(Duration duration) {
		return !duration.isNegative() && !duration.isZero();
	}

	private static void require(boolean condition, String option, Object value, String reason) {
		if (!condition) {
			throw new InvalidOptionException(option, value, reason);
		}
	}

	/** A setting of {@link RedisClusterOptions} that cannot work. */
	public static final class InvalidOptionException extends IllegalArgumentException {

		private final String option;

		private final transient Object value;

		private final String reason;

		InvalidOptionException(String option, Object value, String reason) {
			super(option + " " + reason + ": " + value);
			this.option = option;
			this.value = value;
			this.reason = reason;
		}

		/** The name of the setting, as the record names its component, such as {@code workerLease}. */
		public String option() {
			return this.option;
		}

		/** The value that cannot work. */
		public Object value() {
			return this.value;
		}

		/** Why, such as {@code must be positive}. */
		public String reason() {
			return this.reason;
		}

	}

}
