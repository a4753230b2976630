package dev.notifier.core;

/**
 * What happens to a message for a session whose outbound queue is full.
 */
public enum OverflowPolicy {

	/** Close the session with 1013 "slow consumer"; the browser client reconnects and catches up. */
	CLOSE,

	/** Drop the oldest queued messages until the new one fits; the session sees the newest data. */
	DROP_OLDEST,

	/** Drop the new message; the session sees what was already queued. */
	DROP_NEWEST

}
