package dev.notifier.benchmarks;

import java.time.Instant;

/**
 * The clock of the protocol: wall-clock time in microseconds since the epoch. The servers stamp every payload with it
 * and the load generator subtracts the stamp from its own reading, so both must read the same clock; on one machine
 * the system clock is shared, and {@link Instant#now()} reads it with microsecond precision on Linux.
 */
public final class EpochMicros {

	private EpochMicros() {
	}

	public static long now() {
		Instant now = Instant.now();
		return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
	}

}
