package dev.notifier.core;

import java.time.Duration;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * The engine's settings. Immutable; build with {@link #builder()}, whose defaults are the documented ones.
 *
 * @param maxQueuedMessages messages a session may have waiting before the overflow policy applies
 * @param maxQueuedBytes bytes a session may have waiting before the overflow policy applies
 * @param overflow what happens to a message for a session whose queue is full
 * @param sendTimeout how long one write may take before the session is closed as a slow consumer
 * @param heartbeatInterval how often every session is pinged; {@link Duration#ZERO} turns heartbeats off
 * @param heartbeatTimeout how long past one interval a session may stay silent before it is closed
 * @param maxInboundMessageSize the largest inbound message in bytes; a larger one closes the session with 1009
 * @param maxGroupLength the longest group name accepted
 * @param inboundMessagesPerSecond how many messages a session may send per second, on average, before it is closed
 * with 1008; 0 for no limit
 * @param inboundBurst how many messages a session may send at once, above the average rate
 * @param nanoClock the monotonic clock, in nanoseconds; tests pass their own
 */
public record NotifierOptions(int maxQueuedMessages, long maxQueuedBytes, OverflowPolicy overflow,
		Duration sendTimeout, Duration heartbeatInterval, Duration heartbeatTimeout, int maxInboundMessageSize,
		int maxGroupLength, int inboundMessagesPerSecond, int inboundBurst, LongSupplier nanoClock) {

	public NotifierOptions {
		require(maxQueuedMessages > 0, "maxQueuedMessages must be positive");
		require(maxQueuedBytes > 0, "maxQueuedBytes must be positive");
		require(sendTimeout.compareTo(Duration.ZERO) > 0, "sendTimeout must be positive");
		require(!heartbeatInterval.isNegative(), "heartbeatInterval must not be negative");
		require(heartbeatTimeout.compareTo(Duration.ZERO) > 0, "heartbeatTimeout must be positive");
		require(maxInboundMessageSize > 0, "maxInboundMessageSize must be positive");
		require(maxGroupLength > 0, "maxGroupLength must be positive");
		require(inboundMessagesPerSecond >= 0, "inboundMessagesPerSecond must not be negative");
		require(inboundMessagesPerSecond <= 1_000_000_000, "inboundMessagesPerSecond must be at most 10^9");
		require(inboundBurst > 0, "inboundBurst must be positive");
	}

	private static void require(boolean condition, String message) {
		if (!condition) {
			throw new IllegalArgumentException(message);
		}
	}

	/** A builder holding the defaults. */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Checks a group name against the rule for group names: one or more segments separated by {@code /}, each made of
	 * {@code [A-Za-z0-9._~-]}, none of them empty, {@code .} or {@code ..}, at most {@link #maxGroupLength} characters
	 * in all.
	 * @param group the candidate, exactly as it appeared in the raw request path
	 * @return why the name is refused, as a sentence for the client, or {@code null} if it is valid
	 */
	public @Nullable String groupProblem(String group) {
		return GroupNames.problem(group, this.maxGroupLength);
	}

	/** Whether the messages a session sends are limited in rate. */
	public boolean inboundRateLimited() {
		return this.inboundMessagesPerSecond > 0;
	}

	/** Whether sessions are pinged. */
	public boolean heartbeatEnabled() {
		return !this.heartbeatInterval.isZero();
	}

	/** Builds {@link NotifierOptions}; not thread-safe. */
	public static final class Builder {

		private int maxQueuedMessages = 1024;

		private long maxQueuedBytes = 1024 * 1024;

		private OverflowPolicy overflow = OverflowPolicy.CLOSE;

		private Duration sendTimeout = Duration.ofSeconds(10);

		private Duration heartbeatInterval = Duration.ofSeconds(25);

		private Duration heartbeatTimeout = Duration.ofSeconds(10);

		private int maxInboundMessageSize = 64 * 1024;

		private int maxGroupLength = 256;

		private int inboundMessagesPerSecond;

		private int inboundBurst = 1;

		private LongSupplier nanoClock = System::nanoTime;

		private Builder() {
		}

		public Builder maxQueuedMessages(int maxQueuedMessages) {
			this.maxQueuedMessages = maxQueuedMessages;
			return this;
		}

		public Builder maxQueuedBytes(long maxQueuedBytes) {
			this.maxQueuedBytes = maxQueuedBytes;
			return this;
		}

		public Builder overflow(OverflowPolicy overflow) {
			this.overflow = overflow;
			return this;
		}

		public Builder sendTimeout(Duration sendTimeout) {
			this.sendTimeout = sendTimeout;
			return this;
		}

		public Builder heartbeatInterval(Duration heartbeatInterval) {
			this.heartbeatInterval = heartbeatInterval;
			return this;
		}

		public Builder heartbeatTimeout(Duration heartbeatTimeout) {
			this.heartbeatTimeout = heartbeatTimeout;
			return this;
		}

		public Builder maxInboundMessageSize(int maxInboundMessageSize) {
			this.maxInboundMessageSize = maxInboundMessageSize;
			return this;
		}

		public Builder maxGroupLength(int maxGroupLength) {
			this.maxGroupLength = maxGroupLength;
			return this;
		}

		/**
		 * Limits the rate of the messages each session sends: {@code burst} at once, then
		 * {@code messagesPerSecond} on average; a session that sends more is closed with 1008. Pongs do not count.
		 * @param messagesPerSecond the average rate; 0 for no limit, the default
		 * @param burst how many messages may arrive at once
		 */
		public Builder inboundRateLimit(int messagesPerSecond, int burst) {
			this.inboundMessagesPerSecond = messagesPerSecond;
			this.inboundBurst = burst;
			return this;
		}

		public Builder nanoClock(LongSupplier nanoClock) {
			this.nanoClock = nanoClock;
			return this;
		}

		public NotifierOptions build() {
			return new NotifierOptions(this.maxQueuedMessages, this.maxQueuedBytes, this.overflow, this.sendTimeout,
					this.heartbeatInterval, this.heartbeatTimeout, this.maxInboundMessageSize, this.maxGroupLength,
					this.inboundMessagesPerSecond, this.inboundBurst, this.nanoClock);
		}

	}

}
