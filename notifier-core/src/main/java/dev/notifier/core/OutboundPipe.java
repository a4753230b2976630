package dev.notifier.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One session's outbound side: a bounded queue that broadcasts append to, written out by the session's writer thread
 * in batches, and the outbound half of the session's state (open, draining before a close, closing, closed).
 *
 * <p>Who owns what:
 * <ul>
 * <li>Every field below {@code lock} is guarded by it, and it is held only for a few field updates: no I/O, no
 * listener and no other lock is ever taken while it is held.</li>
 * <li>{@link #offer}, {@link #appendBroadcasts} and {@link #requestPing} are called from any thread. They only
 * append and, when the pipe was idle, mark it ready and hand it to its writer
 * ({@link WriteScheduler#schedule(OutboundPipe)}): a broadcast never writes. {@code appendedThrough}, the last of its group's broadcasts appended, lets whichever thread
 * comes first append each of them once (see {@link GroupIndex}).</li>
 * <li>{@link #writeNext} runs on the pipe's writer thread. It takes everything queued (up to
 * {@value #MAX_BATCH_BYTES} bytes) and starts one send of it; so the busier a session, the more messages share one
 * write. A pipe is in at most one writer's queue at a time and has at most one send in flight: {@code writeState}
 * goes {@code IDLE} → {@code READY} (queued at its writer) → {@code WRITING} (send in flight) and back.</li>
 * <li>{@link #completed} runs on whichever thread the container completes the send on; it hands the pipe back to
 * its writer if more is queued, so completions never write and never nest.</li>
 * </ul>
 * An idle pipe holds no queue: the queue exists only while messages wait.
 *
 * <p><b>Replays.</b> A session joining a group with history may first be owed the messages its history keeps after
 * some offset. Those are not copied into the queue: while the replay runs, the writer reads the next batch of them
 * from the group's {@link HistoryStream} whenever the queue is empty, and the group's recorded broadcasts are not
 * queued, since the replay reaches them too. When a read finds nothing more, the replay ends under the stream's
 * monitor, which recorded broadcasts hold while they are delivered, so every later one is queued. A replay of any
 * length thus takes no room in the queue and never trips the overflow policy. The writer takes the stream's monitor
 * without holding the pipe's lock: the lock order is stream, group, pipe.
 */
final class OutboundPipe {

	/** What became of an offered message. */
	enum Offer {

		QUEUED,

		/** Refused: the session is closing, or the overflow policy dropped the message. */
		REFUSED,

		/** The queue is full under {@link OverflowPolicy#CLOSE}: the caller closes the session with 1013. */
		OVERFLOWED

	}

	/** What the heartbeat sweep should do about a session. */
	enum SweepVerdict {

		/** Nothing: the session is closed, or its close handshake is still within time. */
		SKIP,

		/** The session is open, draining, or closing behind a write: check its peer. */
		CHECK_PEER,

		/** A write has been in flight for longer than the send timeout. */
		STUCK,

		/** The close handshake did not finish within the send timeout. */
		CLOSE_TIMED_OUT

	}

	/** How a graceful close goes on. */
	enum CloseStart {

		/** Nothing in flight or queued: the close frame goes now. */
		NOW,

		/** What is queued is written first; {@link Owner#drained} follows. */
		AFTER_DRAIN,

		/** The session was already closing. */
		ALREADY_CLOSING

	}

	/**
	 * The most bytes one write takes from the queue, beyond its first message: large enough that a write's fixed cost
	 * is shared by hundreds of small messages, small enough that one batch's buffer stays short-lived.
	 */
	static final int MAX_BATCH_BYTES = 64 * 1024;

	private static final int OPEN = 0;

	/** Closing once the queue is written out: what a graceful close asks for. */
	private static final int DRAINING = 1;

	/** The close frame is on its way; nothing more is written. */
	private static final int CLOSING = 2;

	private static final int CLOSED = 3;

	private static final int IDLE = 0;

	private static final int READY = 1;

	private static final int WRITING = 2;

	/** What the pipe tells its session; called outside the lock, on the thread that made the decision. */
	interface Owner {

		/** These messages were written, in order. */
		void written(List<Envelope> messages);

		/** A replay fell so far behind that its group's history no longer keeps what it was to send next. */
		void replayOverrun();

		/** A write failed while the session was still open or draining: report it and close with 1011. */
		void writeFailed(Throwable failure);

		/** A graceful close has written out the queue: send the close frame with this status. */
		void drained(CloseStatus status);

		/** Runs a task that blocks on the peer, such as a Jakarta ping, away from the writer thread. */
		void runBlocking(Runnable task);

		/** The id of the session: a replay leaves out what it broadcast to the others. */
		String id();

	}

	private final Transport transport;

	private final NotifierOptions options;

	private final NotifierStatistics statistics;

	private final WriteScheduler writers;

	private final Owner owner;

	/** Which writer thread owns this pipe. */
	final int writerSlot;

	/** How the session receives its messages. */
	private final Framing framing;

	private final Transport.SendCallback sendCompleted = this::completed;

	/** {@link #writeNext}, as its writer's queue holds it. */
	final Runnable write = this::writeNext;

	private final Object lock = new Object();

	private int state = OPEN;

	private @Nullable CloseStatus closeStatus;

	private int writeState = IDLE;

	private @Nullable ArrayDeque<Envelope> queue;

	/** Whether the listeners are still hearing {@code onConnect}. */
	private boolean connecting = true;

	/** Broadcasts that arrived while the listeners heard {@code onConnect}; they go after what the listeners sent. */
	private @Nullable ArrayDeque<Envelope> early;

	/** The replay this session is owed, until it has caught up with its group's stream. */
	private @Nullable Replay replay;

	private long queuedBytes;

	/**
	 * The sequence number of the last broadcast of the group appended to this pipe; until the session joins its group,
	 * none is.
	 */
	private long appendedThrough = Long.MAX_VALUE;

	private boolean pingPending;

	/** The messages of the send in flight; {@code null} while a ping is. */
	private @Nullable List<Envelope> inFlight;

	private long writeStartedNanos;

	private long closingSinceNanos;

	private long sentMessages;

	private long droppedMessages;

	OutboundPipe(Transport transport, NotifierOptions options, NotifierStatistics statistics, WriteScheduler writers,
			int writerSlot, Framing framing, Owner owner) {
		this.transport = transport;
		this.options = options;
		this.statistics = statistics;
		this.writers = writers;
		this.writerSlot = writerSlot;
		this.framing = framing;
		this.owner = owner;
	}

	/**
	 * Appends a message, applying the overflow policy if the queue is full, except to a broadcast recorded in its
	 * group's history: a session too slow for it reads it, and what follows, from the history instead (a replay).
	 * Any thread; never blocks. Until {@link #connected()}, a broadcast waits behind everything sent directly, so that
	 * what the listeners send from {@code onConnect} (a greeting) comes first.
	 * @param broadcast whether the message is a group's broadcast rather than sent to this session directly
	 */
	Offer offer(Envelope message, boolean broadcast) {
		Offer offer;
		boolean schedule;
		synchronized (this.lock) {
			boolean idle = this.writeState == IDLE;
			offer = append(message, broadcast);
			schedule = idle && this.writeState == READY;
		}
		if (schedule) {
			schedule();
		}
		return offer;
	}

	/**
	 * Appends the broadcasts of this session's group that it has not been appended yet, in order: those after the
	 * last one appended to it, and from the one it joined after. Any thread, also under the group's monitor.
	 * @return {@link Offer#OVERFLOWED} if one overflowed; otherwise what became of the last one, {@link Offer#REFUSED}
	 * if it was not addressed to this session or had been appended to it before
	 */
	Offer appendBroadcasts(GroupIndex.Entry[] entries, NotifierSession self) {
		Offer last = Offer.REFUSED;
		boolean schedule;
		synchronized (this.lock) {
			boolean idle = this.writeState == IDLE;
			for (GroupIndex.Entry entry : entries) {
				last = Offer.REFUSED;
				if (entry.sequence() <= this.appendedThrough) {
					continue;
				}
				this.appendedThrough = entry.sequence();
				if (entry.addressedTo(self)) {
					last = append(entry.message(), true);
					if (last == Offer.OVERFLOWED) {
						break;
					}
				}
			}
			schedule = idle && this.writeState == READY;
		}
		if (schedule) {
			schedule();
		}
		return last;
	}

	/**
	 * Takes the group's broadcasts from the one after this sequence number on; called once, under the group's
	 * monitor, as the session joins it.
	 */
	void joinedAt(long sequence) {
		synchronized (this.lock) {
			this.appendedThrough = sequence;
		}
	}

	private void schedule() {
		this.writers.schedule(this);
	}

	/** Appends one message; the caller holds the lock. */
	private Offer append(Envelope message, boolean broadcast) {
		if (this.state != OPEN) {
			return Offer.REFUSED;
		}
		boolean recorded = broadcast && message.isRecorded();
		if (recorded && this.replay != null && this.replay.stream == message.stream()) {
			// Recorded in the stream the replay reads: the replay reaches it, in its place.
			return Offer.QUEUED;
		}
		if (fits(message)) {
			enqueue(message, broadcast);
		}
		else if (recorded) {
			// Everything queued precedes it in its stream, which keeps it and what follows: the session reads
			// them from there at its own pace instead of losing them.
			this.replay = new Replay(message.stream(), message.offset() - 1, false);
			if (!this.connecting) {
				becomeReady();
			}
		}
		else {
			Offer refused = makeRoom(message);
			if (refused != null) {
				return refused;
			}
			enqueue(message, broadcast);
		}
		return Offer.QUEUED;
	}

	/**
	 * Applies the overflow policy to a message that does not fit. The caller holds the lock.
	 * @return what became of the message, or {@code null} if the oldest messages were dropped to make room for it
	 */
	private @Nullable Offer makeRoom(Envelope message) {
		OverflowPolicy policy = this.options.overflow();
		if (policy == OverflowPolicy.CLOSE) {
			dropped(policy);
			return Offer.OVERFLOWED;
		}
		if (policy == OverflowPolicy.DROP_NEWEST || message.sizeInBytes() > this.options.maxQueuedBytes()) {
			// DROP_OLDEST and a message larger than the whole limit: emptying the queue would not be worth it.
			dropped(policy);
			return Offer.REFUSED;
		}
		while (!fits(message)) {
			ArrayDeque<Envelope> oldest = (this.queue != null && !this.queue.isEmpty()) ? this.queue : this.early;
			this.queuedBytes -= oldest.poll().sizeInBytes();
			dropped(policy);
		}
		return null;
	}

	/**
	 * Queues a message, marking the pipe ready; until {@link #connected()}, a broadcast waits behind what is sent
	 * directly. The caller holds the lock.
	 */
	private void enqueue(Envelope message, boolean broadcast) {
		this.queuedBytes += message.sizeInBytes();
		if (broadcast && this.connecting) {
			if (this.early == null) {
				this.early = new ArrayDeque<>(8);
			}
			this.early.add(message);
			return;
		}
		// The queue is stored into this long-lived pipe only when it is created, never again per message: with G1,
		// every store of a young object into an old one marks a card that the collector's refinement threads then
		// scan, so a store per append made them scan a card per session and broadcast.
		if (this.queue == null) {
			this.queue = new ArrayDeque<>(8);
		}
		this.queue.add(message);
		becomeReady();
	}

	/** An empty queue takes any one message, so that a message larger than the byte limit still reaches a reader. */
	private boolean fits(Envelope message) {
		int queued = queued();
		return queued == 0 || (queued < this.options.maxQueuedMessages()
				&& this.queuedBytes + message.sizeInBytes() <= this.options.maxQueuedBytes());
	}

	/** Messages waiting, direct and early ones; the caller holds the lock. */
	private int queued() {
		return ((this.queue != null) ? this.queue.size() : 0) + ((this.early != null) ? this.early.size() : 0);
	}

	/**
	 * The listeners have heard {@code onConnect}: the broadcasts that arrived meanwhile follow what they sent. Called
	 * once, on the thread that opened the session.
	 */
	void connected() {
		boolean schedule;
		synchronized (this.lock) {
			schedule = this.state == OPEN && (releaseEarly() || this.replay != null) && becomeReady();
		}
		if (schedule) {
			schedule();
		}
	}

	/**
	 * Ends the connecting phase: the early broadcasts join the queue. The caller holds the lock.
	 * @return whether there is anything queued
	 */
	private boolean releaseEarly() {
		this.connecting = false;
		if (this.early != null) {
			this.queue = (this.queue != null) ? this.queue : new ArrayDeque<>(this.early.size());
			this.queue.addAll(this.early);
			this.early = null;
		}
		return this.queue != null && !this.queue.isEmpty();
	}

	private void dropped(OverflowPolicy policy) {
		this.droppedMessages++;
		this.statistics.messageDropped(policy);
	}

	/**
	 * Owes the session the messages its group's stream keeps after an offset, before any later broadcast. Called once,
	 * before the session joins its group, under the stream's monitor; the replay starts once the listeners have heard
	 * {@code onConnect}.
	 * @param recovering whether the session resumes from a position it asked for, for the statistics
	 */
	void startReplay(HistoryStream stream, long after, boolean recovering) {
		synchronized (this.lock) {
			this.replay = new Replay(stream, after, recovering);
		}
	}

	/** Asks for a heartbeat ping, written before what is queued. Any thread. */
	void requestPing() {
		boolean schedule;
		synchronized (this.lock) {
			if (this.state != OPEN) {
				return;
			}
			this.pingPending = true;
			schedule = becomeReady();
		}
		if (schedule) {
			schedule();
		}
	}

	/** Marks an idle pipe ready; the caller holds the lock and schedules the pipe if this returns true. */
	private boolean becomeReady() {
		if (this.writeState != IDLE) {
			return false;
		}
		this.writeState = READY;
		return true;
	}

	/**
	 * Starts one send of the pending ping, of what is queued or, once the queue is empty, of the replay's next batch.
	 * On the pipe's writer thread.
	 */
	void writeNext() {
		List<Envelope> batch = null;
		Replay replaying = null;
		CloseStatus drained = null;
		synchronized (this.lock) {
			if (this.writeState != READY) {
				return;
			}
			if (this.state >= CLOSING) {
				this.writeState = IDLE;
				return;
			}
			if (this.pingPending) {
				this.pingPending = false;
			}
			else if (this.queue != null && !this.queue.isEmpty()) {
				batch = takeBatch();
			}
			else if (this.replay != null && !this.connecting) {
				replaying = this.replay;
			}
			else {
				this.writeState = IDLE;
				drained = drainedIfDraining();
				if (drained == null) {
					return;
				}
			}
			if (replaying == null && drained == null) {
				startWrite(batch);
			}
		}
		if (drained != null) {
			this.owner.drained(drained);
		}
		else if (replaying != null) {
			writeReplay(replaying);
		}
		else {
			send(batch);
		}
	}

	/** Marks a send of this batch, or of a ping, in flight. The caller holds the lock. */
	private void startWrite(@Nullable List<Envelope> batch) {
		this.inFlight = batch;
		this.writeState = WRITING;
		this.writeStartedNanos = this.options.nanoClock().getAsLong();
	}

	/**
	 * Reads the replay's next batch from its stream and sends it; once there is none, ends the replay under the
	 * stream's monitor and goes on with what was queued meanwhile. On the writer thread, holding no lock.
	 */
	private void writeReplay(Replay replaying) {
		List<Envelope> batch;
		synchronized (replaying.stream) {
			batch = replaying.stream.readAfter(replaying.after, MAX_BATCH_BYTES, this.options.nanoClock().getAsLong(),
					this.owner.id());
			if (batch.isEmpty() && batch != HistoryStream.GONE) {
				synchronized (this.lock) {
					if (this.replay == replaying) {
						this.replay = null;
					}
				}
			}
		}
		if (batch == HistoryStream.GONE) {
			this.owner.replayOverrun();
			return;
		}
		if (batch.isEmpty()) {
			// Caught up: what was queued meanwhile (direct messages, and broadcasts from now on) goes next.
			writeNext();
			return;
		}
		synchronized (this.lock) {
			if (this.writeState != READY || this.state >= CLOSING || this.replay != replaying) {
				// Closed while the batch was read.
				return;
			}
			replaying.after = batch.get(batch.size() - 1).offset();
			startWrite(batch);
		}
		this.statistics.historyReplayed(batch.size(), replaying.recovering);
		send(batch);
	}

	private void send(@Nullable List<Envelope> batch) {
		try {
			if (batch != null) {
				this.transport.send(frames(batch), this.sendCompleted);
			}
			else if (this.transport.pingBlocks()) {
				this.owner.runBlocking(this::sendBlockingPing);
			}
			else {
				this.transport.sendPing(this.sendCompleted);
			}
		}
		catch (RuntimeException ex) {
			completed(ex);
		}
	}

	/** The messages as this session receives them. */
	private List<OutboundMessage> frames(List<Envelope> batch) {
		List<OutboundMessage> frames = new ArrayList<>(batch.size());
		for (Envelope envelope : batch) {
			frames.add(envelope.message(this.framing));
		}
		return frames;
	}

	private List<Envelope> takeBatch() {
		List<Envelope> batch = new ArrayList<>(Math.min(this.queue.size(), 64));
		long bytes = 0;
		Envelope next;
		while ((next = this.queue.peek()) != null && (batch.isEmpty() || bytes + next.sizeInBytes() <= MAX_BATCH_BYTES)) {
			batch.add(this.queue.poll());
			bytes += next.sizeInBytes();
		}
		this.queuedBytes -= bytes;
		return batch;
	}

	private void sendBlockingPing() {
		try {
			this.transport.sendPing(this.sendCompleted);
		}
		catch (RuntimeException ex) {
			completed(ex);
		}
	}

	/** The outcome of the send in flight, on whichever thread the container reports it. */
	private void completed(@Nullable Throwable failure) {
		List<Envelope> written;
		boolean reportFailure = false;
		boolean schedule = false;
		CloseStatus drained = null;
		synchronized (this.lock) {
			if (this.writeState != WRITING) {
				// A forced close gave up on this write already.
				return;
			}
			written = (failure == null) ? this.inFlight : null;
			this.inFlight = null;
			if (written != null) {
				this.sentMessages += written.size();
			}
			if (this.state >= CLOSING) {
				// The engine closed the session itself: a write failing now is the close's doing, not an error.
				this.writeState = IDLE;
				discardQueue();
			}
			else if (failure != null) {
				this.writeState = IDLE;
				discardQueue();
				reportFailure = true;
			}
			else if (this.pingPending || (this.queue != null && !this.queue.isEmpty())
					|| (this.replay != null && !this.connecting)) {
				this.writeState = READY;
				schedule = true;
			}
			else {
				this.writeState = IDLE;
				this.queue = null;
				drained = drainedIfDraining();
			}
		}
		if (written != null) {
			this.owner.written(written);
		}
		if (reportFailure) {
			this.owner.writeFailed(failure);
		}
		if (schedule) {
			schedule();
		}
		if (drained != null) {
			this.owner.drained(drained);
		}
	}

	/**
	 * Enters closing if a graceful close was waiting for the queue to be written out. The caller holds the lock.
	 * @return the close's status, for {@link Owner#drained}; {@code null} if none was waiting
	 */
	private @Nullable CloseStatus drainedIfDraining() {
		if (this.state != DRAINING) {
			return null;
		}
		CloseStatus status = this.closeStatus;
		enterClosing(status);
		return status;
	}

	/**
	 * Starts a graceful close: nothing more is accepted, and what is queued, and what a replay still owes, is written
	 * first.
	 */
	CloseStart beginClose(CloseStatus status) {
		boolean schedule;
		synchronized (this.lock) {
			if (this.state != OPEN) {
				return CloseStart.ALREADY_CLOSING;
			}
			boolean queued = releaseEarly() || this.replay != null;
			if (this.writeState == IDLE && !queued) {
				enterClosing(status);
				return CloseStart.NOW;
			}
			this.state = DRAINING;
			this.closeStatus = status;
			schedule = becomeReady();
		}
		if (schedule) {
			schedule();
		}
		return CloseStart.AFTER_DRAIN;
	}

	/**
	 * Closes at once, discarding what is queued; a write in flight is left to finish.
	 * @return whether the session was open or draining until now
	 */
	boolean closeNow(CloseStatus status) {
		synchronized (this.lock) {
			if (this.state >= CLOSING) {
				return false;
			}
			enterClosing(status);
			discardQueue();
			return true;
		}
	}

	/**
	 * Closes even a session that is already closing, giving up on its stuck write.
	 * @return whether the session was not closed yet
	 */
	boolean forceClose(CloseStatus status) {
		synchronized (this.lock) {
			if (this.state == CLOSED) {
				return false;
			}
			enterClosing(status);
			this.writeState = IDLE;
			this.inFlight = null;
			discardQueue();
			return true;
		}
	}

	/**
	 * The connection is closed: nothing is written any more.
	 * @return whether it was not closed before
	 */
	boolean closed() {
		synchronized (this.lock) {
			if (this.state == CLOSED) {
				return false;
			}
			this.state = CLOSED;
			this.writeState = IDLE;
			this.inFlight = null;
			discardQueue();
			return true;
		}
	}

	/** The send-timeout and close-timeout check of the heartbeat sweep. */
	SweepVerdict sweep(long nowNanos) {
		long sendTimeout = this.options.sendTimeout().toNanos();
		synchronized (this.lock) {
			if (this.state == CLOSED) {
				return SweepVerdict.SKIP;
			}
			if (this.state == CLOSING && this.writeState != WRITING) {
				return (nowNanos - this.closingSinceNanos > sendTimeout) ? SweepVerdict.CLOSE_TIMED_OUT : SweepVerdict.SKIP;
			}
			// A session closing behind a write in flight waits for that write, up to the send timeout.
			boolean stuck = this.writeState == WRITING && nowNanos - this.writeStartedNanos > sendTimeout;
			return stuck ? SweepVerdict.STUCK : SweepVerdict.CHECK_PEER;
		}
	}

	private void enterClosing(@Nullable CloseStatus status) {
		this.state = CLOSING;
		this.closeStatus = status;
		this.closingSinceNanos = this.options.nanoClock().getAsLong();
	}

	private void discardQueue() {
		this.queue = null;
		this.early = null;
		this.replay = null;
		this.queuedBytes = 0;
		this.pingPending = false;
	}

	Framing framing() {
		return this.framing;
	}

	boolean isOpen() {
		synchronized (this.lock) {
			return this.state == OPEN;
		}
	}

	boolean isClosed() {
		synchronized (this.lock) {
			return this.state == CLOSED;
		}
	}

	int queuedMessages() {
		synchronized (this.lock) {
			return queued();
		}
	}

	long queuedBytes() {
		synchronized (this.lock) {
			return this.queuedBytes;
		}
	}

	long sentMessages() {
		synchronized (this.lock) {
			return this.sentMessages;
		}
	}

	long droppedMessages() {
		synchronized (this.lock) {
			return this.droppedMessages;
		}
	}

	/** A replay in progress; {@code after} belongs to the pipe's writer thread. */
	private static final class Replay {

		final HistoryStream stream;

		final boolean recovering;

		/** The offset of the last message taken for a write. */
		long after;

		Replay(HistoryStream stream, long after, boolean recovering) {
			this.stream = stream;
			this.after = after;
			this.recovering = recovering;
		}

	}

}
