package dev.notifier.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

/**
 * One group's history: its latest recorded broadcasts, numbered by offset, within the limits of
 * {@link HistoryOptions}.
 *
 * <p>Locks: the stream's monitor guards everything here. {@link GroupHistory} holds it while a broadcast takes its
 * offset and is delivered to the group's members, and while a session joins the group, so that a joining session
 * either is a member when a broadcast is delivered or finds it in the history: never both, never neither. Writer
 * threads take it to read a replay. Under it, only the group's monitor and the sessions' pipe locks are taken, in
 * that order.
 *
 * <p>The kept messages sit in a ring whose capacity grows up to the message limit, so that a replay finds the message
 * after an offset by arithmetic, not by search.
 *
 * <p>With a {@link SharedHistory}, the stream is this instance's copy of the cluster's: it starts unloaded, sessions
 * joining meanwhile wait in {@link #parked}, broadcasts recorded meanwhile wait in {@link #pending}, and
 * {@link #load} fills it with what the cluster keeps; from then on it takes the cluster's broadcasts at the positions
 * the cluster gave them ({@link #appendAt}).
 */
final class HistoryStream {

	/** What {@link #readAfter} returns when messages after the offset are no longer kept; compared by identity. */
	static final List<Envelope> GONE = Collections.unmodifiableList(new ArrayList<>(0));

	private final String group;

	/** Replaced by the cluster's epoch when a shared history is loaded. */
	private String epoch = newEpoch();

	private final HistoryOptions options;

	private Envelope[] ring = new Envelope[16];

	private int head;

	private int size;

	private long bytes;

	/** The offset of the latest recorded broadcast; 0 before the first. */
	private long lastOffset;

	/** Set once the stream is dropped from {@link GroupHistory}: whoever still holds it starts over with a new one. */
	boolean removed;

	/** Whether it holds what its history keeps: always for a history of this instance's own. */
	boolean loaded;

	/** Whether a shared history's load has been asked for. */
	boolean loading;

	/** Sessions that joined before the stream was loaded, waiting to learn where their messages continue from. */
	final List<GroupHistory.Parked> parked = new ArrayList<>();

	/** Broadcasts the cluster recorded while the stream was loading, in order, at most the message limit. */
	final ArrayDeque<GroupHistory.Pending> pending = new ArrayDeque<>();

	HistoryStream(String group, HistoryOptions options, boolean loaded) {
		this.group = group;
		this.options = options;
		this.loaded = loaded;
	}

	/**
	 * A random epoch: a stream that starts over, here or after a restart, never reuses an earlier stream's epoch
	 * (collisions have odds of about one in 36^10).
	 */
	private static String newEpoch() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		StringBuilder epoch = new StringBuilder(10);
		for (int i = 0; i < 10; i++) {
			epoch.append(Character.forDigit(random.nextInt(36), 36));
		}
		return epoch.toString();
	}

	String group() {
		return this.group;
	}

	String epoch() {
		return this.epoch;
	}

	/**
	 * Records a broadcast as the next offset and drops what falls outside the limits. The caller holds the monitor.
	 * @param exceptSession the id of the session the broadcast leaves out, or {@code null}
	 */
	Envelope append(OutboundMessage message, @Nullable String exceptSession, long nowNanos) {
		return add(this.lastOffset + 1, message, exceptSession, nowNanos, nowNanos);
	}

	/**
	 * Keeps a broadcast the cluster recorded at the next offset of this stream's epoch. The caller holds the monitor
	 * and has checked the position.
	 */
	Envelope appendAt(StreamPosition position, OutboundMessage message, @Nullable String exceptSession,
			long nowNanos) {
		return add(position.offset(), message, exceptSession, nowNanos, nowNanos);
	}

	/**
	 * Fills an unloaded stream with what the cluster keeps, then with the broadcasts recorded meanwhile that follow it.
	 * The caller holds the monitor.
	 */
	void load(SharedHistory.Loaded loaded, long nowNanos) {
		this.epoch = loaded.epoch();
		this.lastOffset = loaded.lastOffset() - loaded.kept().size();
		for (SharedHistory.Kept kept : loaded.kept()) {
			add(kept.offset(), kept.message(), null, nowNanos - kept.ageMillis() * 1_000_000, nowNanos);
		}
		this.lastOffset = loaded.lastOffset();
		for (GroupHistory.Pending recorded : this.pending) {
			if (recorded.position().epoch().equals(this.epoch) && recorded.position().offset() == this.lastOffset + 1) {
				add(recorded.position().offset(), recorded.message(), recorded.exceptSession(), recorded.receivedNanos(),
						nowNanos);
			}
		}
		this.pending.clear();
		this.loaded = true;
	}

	private Envelope add(long offset, OutboundMessage message, @Nullable String exceptSession, long recordedNanos,
			long nowNanos) {
		this.lastOffset = offset;
		Envelope recorded = Envelope.recorded(message, this, new StreamPosition(this.epoch, offset), recordedNanos,
				exceptSession);
		if (this.size == this.options.maxMessages()) {
			dropOldest();
		}
		else if (this.size == this.ring.length) {
			grow();
		}
		this.ring[(this.head + this.size) % this.ring.length] = recorded;
		this.size++;
		this.bytes += recorded.sizeInBytes();
		while (this.bytes > this.options.maxBytes()) {
			dropOldest();
		}
		expire(nowNanos);
		return recorded;
	}

	/** Keeps a broadcast recorded while loading, dropping the oldest beyond the message limit. */
	void hold(GroupHistory.Pending recorded) {
		if (this.pending.size() == this.options.maxMessages()) {
			this.pending.poll();
		}
		this.pending.add(recorded);
	}

	private void grow() {
		Envelope[] grown = new Envelope[Math.min(this.ring.length * 2, this.options.maxMessages())];
		for (int i = 0; i < this.size; i++) {
			grown[i] = this.ring[(this.head + i) % this.ring.length];
		}
		this.ring = grown;
		this.head = 0;
	}

	/** Drops the messages older than the time to live. The caller holds the monitor. */
	void expire(long nowNanos) {
		long timeToLive = this.options.timeToLive().toNanos();
		while (this.size > 0 && nowNanos - this.ring[this.head].recordedNanos() > timeToLive) {
			dropOldest();
		}
	}

	private void dropOldest() {
		Envelope oldest = this.ring[this.head];
		this.ring[this.head] = null;
		this.head = (this.head + 1) % this.ring.length;
		this.size--;
		this.bytes -= oldest.sizeInBytes();
		if (this.size == 0 && this.ring.length > 16) {
			this.ring = new Envelope[16];
			this.head = 0;
		}
	}

	/**
	 * The kept messages after an offset for one session, up to about {@code maxBytes} (always at least one), leaving
	 * out those it broadcast to the others. The caller holds the monitor.
	 * @param reader the id of the session that reads them
	 * @return the messages, empty if there is none for the session after the offset, or {@link #GONE} if some of
	 * those after it are no longer kept
	 */
	List<Envelope> readAfter(long offset, long maxBytes, long nowNanos, String reader) {
		expire(nowNanos);
		if (offset >= this.lastOffset) {
			return List.of();
		}
		long first = firstOffset();
		if (offset + 1 < first) {
			return GONE;
		}
		List<Envelope> read = new ArrayList<>();
		long taken = 0;
		for (int i = (int) (offset + 1 - first); i < this.size; i++) {
			Envelope next = this.ring[(this.head + i) % this.ring.length];
			if (next.leavesOut(reader)) {
				continue;
			}
			if (!read.isEmpty() && taken + next.sizeInBytes() > maxBytes) {
				break;
			}
			read.add(next);
			taken += next.sizeInBytes();
		}
		return read;
	}

	/** The offset of the oldest kept message, or the next offset if none is kept. The caller holds the monitor. */
	long firstOffset() {
		return this.lastOffset - this.size + 1;
	}

	/** The offset of the latest recorded broadcast, kept or not; 0 before the first. The caller holds the monitor. */
	long lastOffset() {
		return this.lastOffset;
	}

	/** Whether nothing is kept. The caller holds the monitor. */
	boolean isEmpty() {
		return this.size == 0;
	}

	/** What monitoring shows of it; takes the monitor. */
	synchronized HistoryInfo info() {
		return new HistoryInfo(this.group, this.epoch, firstOffset(), this.lastOffset, this.size, this.bytes);
	}

	@Override
	public String toString() {
		return "history of " + this.group + " (epoch " + this.epoch + ")";
	}

}
