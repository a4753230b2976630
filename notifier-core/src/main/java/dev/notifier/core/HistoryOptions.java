package dev.notifier.core;

import java.time.Duration;
import java.util.List;

/**
 * Which groups keep a history of their broadcasts, how much of it, and how much a new session is replayed.
 *
 * <p>A group whose name matches one of {@link #groups} keeps its latest broadcasts, each with the group's next offset,
 * within all three limits: at most {@code maxMessages} messages, {@code maxBytes} bytes of payload and none older than
 * {@code timeToLive}. A session that reconnects with the last position it saw gets exactly the messages it missed
 * while they are kept; a session joining without one is first replayed the latest {@code replayLast} of them.
 *
 * @param groups the group patterns whose groups keep history ({@code *} one segment, {@code **} any number); none
 * turns history off
 * @param maxMessages the most messages kept per group
 * @param maxBytes the most payload bytes kept per group
 * @param timeToLive how long a message is kept
 * @param replayLast how many of the latest kept messages a session joining without a position is replayed: 0 for
 * none, {@link Integer#MAX_VALUE} (or anything at least {@code maxMessages}) for all kept
 */
public record HistoryOptions(List<String> groups, int maxMessages, long maxBytes, Duration timeToLive,
		int replayLast) {

	private static final HistoryOptions NONE = new HistoryOptions(List.of(), 1000, 1024 * 1024, Duration.ofMinutes(5),
			0);

	/**
	 * Checks the limits and the patterns.
	 * @throws IllegalArgumentException naming the setting that is out of range or the pattern that is malformed
	 */
	public HistoryOptions {
		groups = List.copyOf(groups);
		groups.forEach(GroupPattern::compile);
		require(maxMessages > 0, "maxMessages must be positive");
		require(maxBytes > 0, "maxBytes must be positive");
		require(timeToLive.compareTo(Duration.ZERO) > 0, "timeToLive must be positive");
		require(replayLast >= 0, "replayLast must not be negative");
	}

	/** No group keeps history. */
	public static HistoryOptions none() {
		return NONE;
	}

	/** The same settings, replaying this many messages to a session that joins without a position. */
	public HistoryOptions replayingLast(int messages) {
		return new HistoryOptions(this.groups, this.maxMessages, this.maxBytes, this.timeToLive, messages);
	}

	private static void require(boolean condition, String message) {
		if (!condition) {
			throw new IllegalArgumentException(message);
		}
	}

}
