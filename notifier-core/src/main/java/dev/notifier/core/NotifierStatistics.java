package dev.notifier.core;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of what the engine has done since it was created, for metrics: cheap to update from every thread (each
 * is a {@link LongAdder}), read only when a monitoring system asks.
 */
public final class NotifierStatistics {

	/** The close codes counted apart; every other code counts as {@link #OTHER}. */
	private static final int[] COUNTED_CLOSE_CODES = { 1000, 1001, 1006, 1008, 1009, 1011, 1013 };

	/** The bucket of close codes not in {@link #COUNTED_CLOSE_CODES}. */
	public static final int OTHER = 0;

	private final LongAdder connectionsOpened = new LongAdder();

	private final Map<Integer, LongAdder> connectionsClosed = new TreeMap<>();

	private final LongAdder messagesSent = new LongAdder();

	private final LongAdder bytesSent = new LongAdder();

	private final LongAdder writes = new LongAdder();

	private final Map<OverflowPolicy, LongAdder> messagesDropped = new EnumMap<>(OverflowPolicy.class);

	private final LongAdder broadcasts = new LongAdder();

	private final LongAdder broadcastNanos = new LongAdder();

	private final LongAdder workersInterrupted = new LongAdder();

	private final LongAdder inboundRateExceeded = new LongAdder();

	private final LongAdder messagesReplayed = new LongAdder();

	private final LongAdder messagesRecovered = new LongAdder();

	private final LongAdder resumesRecovered = new LongAdder();

	private final LongAdder resumesFailed = new LongAdder();

	NotifierStatistics() {
		for (int code : COUNTED_CLOSE_CODES) {
			this.connectionsClosed.put(code, new LongAdder());
		}
		this.connectionsClosed.put(OTHER, new LongAdder());
		for (OverflowPolicy policy : OverflowPolicy.values()) {
			this.messagesDropped.put(policy, new LongAdder());
		}
	}

	/** The close codes {@link #connectionsClosed(int)} counts apart, and {@link #OTHER}. */
	public static int[] closeCodes() {
		int[] codes = new int[COUNTED_CLOSE_CODES.length + 1];
		System.arraycopy(COUNTED_CLOSE_CODES, 0, codes, 0, COUNTED_CLOSE_CODES.length);
		codes[COUNTED_CLOSE_CODES.length] = OTHER;
		return codes;
	}

	/** Connections registered by the engine. */
	public long connectionsOpened() {
		return this.connectionsOpened.sum();
	}

	/**
	 * Connections closed with a close code, as the container reported it.
	 * @param code one of {@link #closeCodes()}; {@link #OTHER} for the codes not counted apart
	 */
	public long connectionsClosed(int code) {
		LongAdder closed = this.connectionsClosed.get(code);
		if (closed == null) {
			throw new IllegalArgumentException("close code " + code + " is not counted apart; use OTHER");
		}
		return closed.sum();
	}

	/** Messages written to connections. */
	public long messagesSent() {
		return this.messagesSent.sum();
	}

	/** Payload bytes of the messages written to connections. */
	public long bytesSent() {
		return this.bytesSent.sum();
	}

	/**
	 * Writes to connections that completed, each carrying one or more messages: {@link #messagesSent()} divided by
	 * this is how many messages share a write, which grows with the load.
	 */
	public long writes() {
		return this.writes.sum();
	}

	/** Messages dropped under an overflow policy; for {@code CLOSE}, the messages that closed a session. */
	public long messagesDropped(OverflowPolicy policy) {
		return this.messagesDropped.get(policy).sum();
	}

	/** Broadcasts delivered by this instance, whatever their number of recipients. */
	public long broadcasts() {
		return this.broadcasts.sum();
	}

	/** The time spent queueing broadcasts for their recipients, in nanoseconds, summed over all broadcasts. */
	public long broadcastNanos() {
		return this.broadcastNanos.sum();
	}

	/** Workers interrupted because they were still running when their stop grace ran out. */
	public long workersInterrupted() {
		return this.workersInterrupted.sum();
	}

	/** Sessions closed with 1008 because they sent messages faster than the inbound rate limit allows. */
	public long inboundRateExceeded() {
		return this.inboundRateExceeded.sum();
	}

	/**
	 * Messages written from a group's history other than recovered ones: to sessions that joined without a position
	 * (late joiners) or whose resume was not recovered, and to sessions too slow for live broadcasts.
	 */
	public long messagesReplayed() {
		return this.messagesReplayed.sum();
	}

	/** Messages written from a group's history to sessions that resumed from the position they asked for. */
	public long messagesRecovered() {
		return this.messagesRecovered.sum();
	}

	/** Sessions that asked to resume from a position and got every message after it. */
	public long resumesRecovered() {
		return this.resumesRecovered.sum();
	}

	/** Sessions that asked to resume from a position whose following messages were gone (or from another epoch). */
	public long resumesFailed() {
		return this.resumesFailed.sum();
	}

	void historyReplayed(int messages, boolean recovering) {
		(recovering ? this.messagesRecovered : this.messagesReplayed).add(messages);
	}

	void resumed(boolean recovered) {
		(recovered ? this.resumesRecovered : this.resumesFailed).increment();
	}

	void sessionExceededInboundRate() {
		this.inboundRateExceeded.increment();
	}

	void workerInterrupted() {
		this.workersInterrupted.increment();
	}

	void connectionOpened() {
		this.connectionsOpened.increment();
	}

	void connectionClosed(int code) {
		LongAdder closed = this.connectionsClosed.get(code);
		((closed != null) ? closed : this.connectionsClosed.get(OTHER)).increment();
	}

	/** One write of this many messages, of this many bytes all told, went out; counted once per write. */
	void written(int messages, long bytes) {
		this.writes.increment();
		this.messagesSent.add(messages);
		this.bytesSent.add(bytes);
	}

	void messageDropped(OverflowPolicy policy) {
		this.messagesDropped.get(policy).increment();
	}

	void broadcastDelivered(long nanos) {
		this.broadcasts.increment();
		this.broadcastNanos.add(nanos);
	}

}
