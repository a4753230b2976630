package dev.notifier.autoconfigure.web;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * How the container tests wait for an outcome: polling often, so that a test takes about as long as the server, and
 * giving up after {@link #TIMEOUT}.
 */
final class Waits {

	/** The longest any one outcome is waited for. */
	static final Duration TIMEOUT = Duration.ofSeconds(10);

	private Waits() {
	}

	/** An Awaitility condition that polls every 10 ms for up to {@link #TIMEOUT}. */
	static ConditionFactory await(String alias) {
		return Awaitility.await(alias)
			.atMost(TIMEOUT)
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(10));
	}

}
