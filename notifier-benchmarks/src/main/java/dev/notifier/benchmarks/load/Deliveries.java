package dev.notifier.benchmarks.load;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What every subscriber records into, from any event-loop thread: payloads received, their latency, and what went
 * wrong. Counters are striped ({@link LongAdder}) and the latency recorder is wait-free, so subscribers on different
 * event loops never contend on a lock.
 */
public final class Deliveries {

	/** Latencies are recorded in microseconds, up to ten minutes, to three significant digits. */
	private static final long HIGHEST_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(10);

	private final LongAdder received = new LongAdder();

	private final Recorder latencyMicros = new Recorder(HIGHEST_LATENCY_MICROS, 3);

	private final LongAdder errors = new LongAdder();

	private final LongAdder closedByServer = new LongAdder();

	private final AtomicInteger subscribersHeard = new AtomicInteger();

	/** Payloads stamped earlier were published before the current round, and count in none. */
	private volatile long roundStartMicros = Long.MIN_VALUE;

	void delivered(long stampMicros, long nowMicros) {
		if (stampMicros < this.roundStartMicros) {
			// Left over from a round that stalled, where it already counts as a drop.
			return;
		}
		this.received.increment();
		this.latencyMicros.recordValue(Math.min(HIGHEST_LATENCY_MICROS, Math.max(0, nowMicros - stampMicros)));
	}

	/** Something the protocol does not expect: a malformed payload, a STOMP ERROR frame, a transport exception. */
	void error() {
		this.errors.increment();
	}

	/** The server closed a connection that the generator meant to keep. */
	void serverClosed() {
		this.closedByServer.increment();
	}

	/** A subscriber received its first payload. */
	void subscriberHeard() {
		this.subscribersHeard.incrementAndGet();
	}

	public long received() {
		return this.received.sum();
	}

	public long errors() {
		return this.errors.sum();
	}

	public long closedByServer() {
		return this.closedByServer.sum();
	}

	/** How many subscribers have received at least one payload since they connected. */
	public int subscribersHeard() {
		return this.subscribersHeard.get();
	}

	/**
	 * Starts a new round: counts from zero, an empty histogram, and no payload stamped before
	 * {@code roundStartMicros} counted.
	 */
	public void reset(long roundStartMicros) {
		this.roundStartMicros = roundStartMicros;
		this.received.reset();
		this.errors.reset();
		this.closedByServer.reset();
		this.latencyMicros.reset();
	}

	/** The latencies recorded since the last call or {@link #reset(long)}. */
	public Histogram takeLatencies() {
		return this.latencyMicros.getIntervalHistogram();
	}

}
