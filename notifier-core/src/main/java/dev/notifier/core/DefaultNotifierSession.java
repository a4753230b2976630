package dev.notifier.core;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * The engine's session: a bounded outbound queue drained by non-blocking sends, and the inbound bookkeeping.
 *
 * <p>Who owns what:
 * <ul>
 * <li>The outbound state ({@code queue}, {@code queuedBytes}, {@code writing}, {@code inFlight}, {@code pingPending},
 * {@code writeStartedNanos}, the counters and {@code state}) is guarded by {@code lock}, taken only for a few field
 * updates: no I/O ever happens while it is held.</li>
 * <li>At most one thread is the writer at a time: the one that flipped {@code writing} to true. It starts one send;
 * if the send completes before its start returns, the writer goes on with the next one in a loop, otherwise it gives
 * the role to whichever thread runs the send's completion, which goes on or gives the role up. The writer's own
 * fields ({@code sendPhase}, {@code inlineFailure}, {@code nextMessage}) pass from thread to thread with the role.
 * Broadcasting threads therefore only ever start a send on an idle session or append to its queue.</li>
 * <li>The inbound fields ({@code inboundText}, {@code inboundBinary}, {@code inboundSize}) belong to the container's
 * inbound thread for this connection (see {@link Connection}); {@code lastReceivedNanos} is written there and read by
 * the heartbeat sweep.</li>
 * </ul>
 * An idle session holds no queue and no buffer: the queue exists only while messages wait behind a write in flight.
 */
final class DefaultNotifierSession implements NotifierSession, Connection {

	private static final int OPEN = 0;

	/** Closing once the queue is written out: what {@link #close} asks for. */
	private static final int DRAINING = 1;

	/** The close frame is on its way; nothing more is written. */
	private static final int CLOSING = 2;

	private static final int CLOSED = 3;

	/**
	 * How many sends in a row one writer loop starts when each completes at once, before it hands the rest to the
	 * engine: a broadcasting thread drains a whole backlog only where it is short.
	 */
	private static final int MAX_INLINE_SENDS = 256;

	/** {@code sendPhase}: a send has been started and its start has not returned. */
	private static final int SENDING = 0;

	/** {@code sendPhase}: the start returned first; the completion carries on, on its own thread. */
	private static final int AWAITING_COMPLETION = 1;

	/** {@code sendPhase}: the send completed before its start returned; the writer loop carries on. */
	private static final int COMPLETED_EARLY = 2;

	private final String id = UUID.randomUUID().toString();

	private final HandshakeInfo handshake;

	private final Instant connectedAt;

	private final Transport transport;

	private final NotifierEngine engine;

	private final NotifierListener[] listeners;

	private final Map<String, Object> attributes = new ConcurrentHashMap<>(4);

	private final Transport.SendCallback sendCompleted = this::sendCompleted;

	private final Object lock = new Object();

	/** Who carries on after the send in flight: the writer loop or the completion (see the class javadoc). */
	private final AtomicInteger sendPhase = new AtomicInteger(AWAITING_COMPLETION);

	/** The outcome of a send that completed before its start returned; written before {@code sendPhase}. */
	private @Nullable Throwable inlineFailure;

	/** What the writer sends next, set by {@link #afterSend}: a message, or {@code null} for a ping. */
	private @Nullable OutboundMessage nextMessage;

	private boolean nextMore;

	private int state = OPEN;

	/**
	 * Whether the listeners are hearing or have heard {@code onConnect}, and so are owed {@code onDisconnect}; set by
	 * {@link #connected()} unless the connection closed first.
	 */
	private boolean announced;

	/** Whether every listener has heard {@code onConnect}: {@code onDisconnect} waits for it. */
	private boolean connectAnnounced;

	/** The status of a close reported while listeners were still hearing {@code onConnect}. */
	private @Nullable CloseStatus closedDuringConnect;

	private @Nullable CloseStatus closeStatus;

	private @Nullable ArrayDeque<OutboundMessage> queue;

	private long queuedBytes;

	private boolean writing;

	private @Nullable OutboundMessage inFlight;

	private boolean pingPending;

	private long writeStartedNanos;

	private long closingSinceNanos;

	private long sentMessages;

	private long droppedMessages;

	private volatile long lastReceivedNanos;

	private long lastPingNanos;

	private @Nullable StringBuilder inboundText;

	private byte @Nullable [] inboundBinary;

	private int inboundSize;

	DefaultNotifierSession(HandshakeInfo handshake, Transport transport, NotifierEngine engine,
			NotifierListener[] listeners, Instant connectedAt, long nowNanos) {
		this.handshake = handshake;
		this.transport = transport;
		this.engine = engine;
		this.listeners = listeners;
		this.connectedAt = connectedAt;
		this.lastReceivedNanos = nowNanos;
		this.lastPingNanos = nowNanos;
	}

	@Override
	public String id() {
		return this.id;
	}

	@Override
	public String group() {
		return this.handshake.group();
	}

	@Override
	public @Nullable InetSocketAddress remoteAddress() {
		return this.handshake.remoteAddress();
	}

	@Override
	public @Nullable Principal principal() {
		return this.handshake.principal();
	}

	@Override
	public Map<String, List<String>> handshakeHeaders() {
		return this.handshake.headers();
	}

	@Override
	public Map<String, List<String>> queryParameters() {
		return this.handshake.queryParameters();
	}

	@Override
	public Instant connectedAt() {
		return this.connectedAt;
	}

	@Override
	public void setAttribute(String key, Object value) {
		this.attributes.put(key, value);
	}

	@Override
	public @Nullable Object getAttribute(String key) {
		return this.attributes.get(key);
	}

	@Override
	public @Nullable Object removeAttribute(String key) {
		return this.attributes.remove(key);
	}

	@Override
	public boolean send(Object message) {
		return offer(this.engine.encode(message));
	}

	@Override
	public void close(CloseStatus status) {
		status.requireSendable();
		boolean closeNow;
		synchronized (this.lock) {
			if (this.state != OPEN) {
				return;
			}
			closeNow = !this.writing;
			if (closeNow) {
				enterClosing(status);
			}
			else {
				this.state = DRAINING;
				this.closeStatus = status;
			}
		}
		this.engine.leave(this);
		if (closeNow) {
			this.engine.closeTransport(this.transport, status);
		}
	}

	/**
	 * Closes at once, dropping whatever is queued: for a session that cannot or will not take more (slow consumer,
	 * oversized message, silent peer, send timeout).
	 */
	void closeNow(CloseStatus status) {
		synchronized (this.lock) {
			if (this.state >= CLOSING) {
				return;
			}
			enterClosing(status);
			discardQueue();
		}
		this.engine.leave(this);
		this.engine.closeTransport(this.transport, status);
	}

	@Override
	public boolean isOpen() {
		synchronized (this.lock) {
			return this.state == OPEN;
		}
	}

	@Override
	public int queuedMessages() {
		synchronized (this.lock) {
			return (this.queue != null) ? this.queue.size() : 0;
		}
	}

	@Override
	public long queuedBytes() {
		synchronized (this.lock) {
			return this.queuedBytes;
		}
	}

	@Override
	public long sentMessages() {
		synchronized (this.lock) {
			return this.sentMessages;
		}
	}

	@Override
	public long droppedMessages() {
		synchronized (this.lock) {
			return this.droppedMessages;
		}
	}

	@Override
	public NotifierSession session() {
		return this;
	}

	/**
	 * Queues a message, or starts writing it if nothing is in flight. Called from any thread; never blocks on I/O.
	 * @return whether the message was queued or started
	 */
	boolean offer(OutboundMessage message) {
		NotifierOptions options = this.engine.options();
		boolean overflowed = false;
		boolean startWrite = false;
		synchronized (this.lock) {
			if (this.state != OPEN) {
				return false;
			}
			if (!this.writing) {
				startWrite = true;
				this.writing = true;
				this.inFlight = message;
				this.writeStartedNanos = options.nanoClock().getAsLong();
			}
			else if (fits(message, options)) {
				enqueue(message);
			}
			else if (options.overflow() == OverflowPolicy.DROP_NEWEST) {
				this.droppedMessages++;
				this.engine.statistics().messageDropped(options.overflow());
				return false;
			}
			else if (options.overflow() == OverflowPolicy.DROP_OLDEST) {
				if (message.sizeInBytes() > options.maxQueuedBytes()) {
					// Larger than the whole limit: dropping the queue would not make room, so only it is dropped.
					this.droppedMessages++;
					this.engine.statistics().messageDropped(options.overflow());
					return false;
				}
				while (this.queue != null && !this.queue.isEmpty() && !fits(message, options)) {
					OutboundMessage oldest = this.queue.poll();
					this.queuedBytes -= oldest.sizeInBytes();
					this.droppedMessages++;
					this.engine.statistics().messageDropped(options.overflow());
				}
				if (!fits(message, options)) {
					this.droppedMessages++;
					this.engine.statistics().messageDropped(options.overflow());
					return false;
				}
				enqueue(message);
			}
			else {
				overflowed = true;
				this.droppedMessages++;
				this.engine.statistics().messageDropped(OverflowPolicy.CLOSE);
			}
		}
		if (overflowed) {
			closeNow(CloseStatus.SLOW_CONSUMER);
			return false;
		}
		if (startWrite) {
			write(message, false);
		}
		return true;
	}

	private boolean fits(OutboundMessage message, NotifierOptions options) {
		int queued = (this.queue != null) ? this.queue.size() : 0;
		return queued < options.maxQueuedMessages()
				&& this.queuedBytes + message.sizeInBytes() <= options.maxQueuedBytes();
	}

	private void enqueue(OutboundMessage message) {
		if (this.queue == null) {
			this.queue = new ArrayDeque<>(8);
		}
		this.queue.add(message);
		this.queuedBytes += message.sizeInBytes();
	}

	private void discardQueue() {
		this.queue = null;
		this.queuedBytes = 0;
		this.pingPending = false;
	}

	/** Sends a heartbeat ping, or arranges for it to follow the write in flight. Called by the heartbeat sweep. */
	void ping() {
		synchronized (this.lock) {
			if (this.state != OPEN) {
				return;
			}
			if (this.writing) {
				this.pingPending = true;
				return;
			}
			this.writing = true;
			this.inFlight = null;
			this.writeStartedNanos = this.engine.options().nanoClock().getAsLong();
		}
		write(null, false);
	}

	/**
	 * Starts the send of a message, or of a ping when {@code message} is null, then every send that follows for as
	 * long as each completes before its start returns. The caller holds the writer role.
	 * @param more whether messages are queued behind this one
	 */
	private void write(@Nullable OutboundMessage message, boolean more) {
		OutboundMessage current = message;
		boolean currentMore = more;
		for (int sends = 0; sends < MAX_INLINE_SENDS; sends++) {
			this.sendPhase.set(SENDING);
			startSend(current, currentMore);
			if (this.sendPhase.compareAndSet(SENDING, AWAITING_COMPLETION) || !afterSend(this.inlineFailure)) {
				return;
			}
			current = this.nextMessage;
			currentMore = this.nextMore;
		}
		OutboundMessage handedOff = current;
		boolean handedOffMore = currentMore;
		this.engine.handOff(() -> write(handedOff, handedOffMore));
	}

	private void startSend(@Nullable OutboundMessage message, boolean more) {
		try {
			if (message == null && this.transport.pingBlocks()) {
				this.engine.runBlocking(this::sendBlockingPing);
			}
			else if (message == null) {
				this.transport.sendPing(this.sendCompleted);
			}
			else {
				this.transport.send(message, more, this.sendCompleted);
			}
		}
		catch (RuntimeException ex) {
			sendCompleted(ex);
		}
	}

	private void sendBlockingPing() {
		try {
			this.transport.sendPing(this.sendCompleted);
		}
		catch (RuntimeException ex) {
			sendCompleted(ex);
		}
	}

	/** The completion of the send in flight: runs on whichever thread the container completes it on. */
	private void sendCompleted(@Nullable Throwable failure) {
		this.inlineFailure = failure;
		if (this.sendPhase.compareAndSet(SENDING, COMPLETED_EARLY)) {
			return;
		}
		if (afterSend(failure)) {
			write(this.nextMessage, this.nextMore);
		}
	}

	/**
	 * Accounts for the send that completed and decides what follows, for the writer.
	 * @return whether the writer sends {@code nextMessage} next; otherwise it has given up the role
	 */
	private boolean afterSend(@Nullable Throwable failure) {
		OutboundMessage completed;
		OutboundMessage next = null;
		boolean more = false;
		boolean sendPing = false;
		CloseStatus closeAfterDrain = null;
		synchronized (this.lock) {
			completed = this.inFlight;
			this.inFlight = null;
			if (failure == null && completed != null) {
				this.sentMessages++;
			}
			if (failure != null || this.state >= CLOSING) {
				this.writing = false;
				discardQueue();
			}
			else if (this.pingPending && this.state == OPEN) {
				this.pingPending = false;
				sendPing = true;
				this.writeStartedNanos = this.engine.options().nanoClock().getAsLong();
			}
			else {
				next = (this.queue != null) ? this.queue.poll() : null;
				if (next == null) {
					this.queue = null;
					this.writing = false;
					if (this.state == DRAINING) {
						closeAfterDrain = this.closeStatus;
						enterClosing(closeAfterDrain);
					}
				}
				else {
					this.queuedBytes -= next.sizeInBytes();
					more = !this.queue.isEmpty();
					this.inFlight = next;
					this.writeStartedNanos = this.engine.options().nanoClock().getAsLong();
				}
			}
		}
		if (completed != null && failure == null) {
			this.engine.statistics().messageSent(completed);
			for (NotifierListener listener : this.listeners) {
				this.engine.notify(this, listener, () -> listener.onMessageSent(this, completed));
			}
		}
		if (failure != null) {
			reportError(failure);
			closeNow(CloseStatus.SERVER_ERROR);
			return false;
		}
		if (next != null || sendPing) {
			this.nextMessage = next;
			this.nextMore = more;
			return true;
		}
		if (closeAfterDrain != null) {
			this.engine.closeTransport(this.transport, closeAfterDrain);
		}
		return false;
	}

	/**
	 * The heartbeat and send-timeout check, run by the engine's sweep thread.
	 */
	void sweep(long nowNanos) {
		NotifierOptions options = this.engine.options();
		long sendTimeout = options.sendTimeout().toNanos();
		boolean stuck = false;
		boolean closeTimedOut = false;
		synchronized (this.lock) {
			if (this.state == CLOSED) {
				return;
			}
			if (this.state == CLOSING && !this.writing) {
				if (nowNanos - this.closingSinceNanos <= sendTimeout) {
					return;
				}
				closeTimedOut = true;
			}
			else {
				// A session closing behind a write in flight waits for that write, up to the send timeout.
				stuck = this.writing && nowNanos - this.writeStartedNanos > sendTimeout;
			}
		}
		if (closeTimedOut) {
			// The close handshake did not finish in time, so the container may never report the close: drop the
			// connection and release the session here.
			this.transport.abort();
			onClosed(new CloseStatus(1006, "close timed out"));
			return;
		}
		if (stuck) {
			forceClose(CloseStatus.SLOW_CONSUMER.withReason("send timeout"));
			return;
		}
		if (!options.heartbeatEnabled()) {
			return;
		}
		long interval = options.heartbeatInterval().toNanos();
		if (nowNanos - this.lastReceivedNanos > interval + options.heartbeatTimeout().toNanos()) {
			closeNow(CloseStatus.GOING_AWAY.withReason("heartbeat timeout"));
		}
		else if (nowNanos - this.lastPingNanos >= interval) {
			this.lastPingNanos = nowNanos;
			ping();
		}
	}

	/** Moves to {@code CLOSING}, when the close frame is handed to the transport; the caller holds the lock. */
	private void enterClosing(CloseStatus status) {
		this.state = CLOSING;
		this.closeStatus = status;
		this.closingSinceNanos = this.engine.options().nanoClock().getAsLong();
	}

	/** Closes even a session that is already draining or closing but whose write is stuck. */
	private void forceClose(CloseStatus status) {
		synchronized (this.lock) {
			if (this.state == CLOSED) {
				return;
			}
			enterClosing(status);
			this.writing = false;
			discardQueue();
		}
		this.engine.leave(this);
		this.engine.closeTransport(this.transport, status);
	}

	@Override
	public void onText(String part, boolean last) {
		this.lastReceivedNanos = this.engine.options().nanoClock().getAsLong();
		if (!isOpen()) {
			return;
		}
		if (this.inboundText == null && last) {
			if (!exceedsInboundLimit(OutboundMessage.text(part).sizeInBytes())) {
				dispatchText(part);
			}
			return;
		}
		if (exceedsInboundLimit(this.inboundSize + OutboundMessage.text(part).sizeInBytes())) {
			return;
		}
		if (this.inboundText == null) {
			this.inboundText = new StringBuilder(part.length() * 2);
		}
		this.inboundText.append(part);
		this.inboundSize += OutboundMessage.text(part).sizeInBytes();
		if (last) {
			String message = this.inboundText.toString();
			resetInbound();
			dispatchText(message);
		}
	}

	@Override
	public void onBinary(ByteBuffer part, boolean last) {
		this.lastReceivedNanos = this.engine.options().nanoClock().getAsLong();
		if (!isOpen()) {
			return;
		}
		if (this.inboundBinary == null && last) {
			if (!exceedsInboundLimit(part.remaining())) {
				dispatchBinary(part);
			}
			return;
		}
		int size = this.inboundSize + part.remaining();
		if (exceedsInboundLimit(size)) {
			return;
		}
		if (this.inboundBinary == null || this.inboundBinary.length < size) {
			int capacity = Math.min(this.engine.options().maxInboundMessageSize(), Math.max(size, 2 * size));
			this.inboundBinary = (this.inboundBinary == null) ? new byte[capacity]
					: Arrays.copyOf(this.inboundBinary, capacity);
		}
		part.get(this.inboundBinary, this.inboundSize, part.remaining());
		this.inboundSize = size;
		if (last) {
			ByteBuffer message = ByteBuffer.wrap(this.inboundBinary, 0, this.inboundSize).asReadOnlyBuffer();
			resetInbound();
			dispatchBinary(message);
		}
	}

	private boolean exceedsInboundLimit(int size) {
		if (size <= this.engine.options().maxInboundMessageSize()) {
			return false;
		}
		resetInbound();
		closeNow(CloseStatus.TOO_BIG);
		return true;
	}

	private void resetInbound() {
		this.inboundText = null;
		this.inboundBinary = null;
		this.inboundSize = 0;
	}

	private void dispatchText(String message) {
		for (NotifierListener listener : this.listeners) {
			this.engine.notify(this, listener, () -> listener.onTextMessage(this, message));
		}
	}

	private void dispatchBinary(ByteBuffer message) {
		for (NotifierListener listener : this.listeners) {
			this.engine.notify(this, listener, () -> listener.onBinaryMessage(this, message.asReadOnlyBuffer()));
		}
	}

	@Override
	public void onPong(ByteBuffer payload) {
		this.lastReceivedNanos = this.engine.options().nanoClock().getAsLong();
		for (NotifierListener listener : this.listeners) {
			this.engine.notify(this, listener, () -> listener.onPong(this, payload.asReadOnlyBuffer()));
		}
	}

	@Override
	public void onError(Throwable error) {
		reportError(error);
		closeNow(CloseStatus.SERVER_ERROR);
	}

	void reportError(Throwable error) {
		for (NotifierListener listener : this.listeners) {
			this.engine.notify(this, listener, () -> listener.onError(this, error));
		}
	}

	@Override
	public void onClosed(CloseStatus status) {
		boolean disconnectNow;
		synchronized (this.lock) {
			if (this.state == CLOSED) {
				return;
			}
			this.state = CLOSED;
			this.writing = false;
			this.inFlight = null;
			discardQueue();
			disconnectNow = this.announced && this.connectAnnounced;
			if (this.announced && !this.connectAnnounced) {
				// connected() is still telling the listeners: it tells them this once it is done.
				this.closedDuringConnect = status;
			}
		}
		resetInbound();
		this.engine.leave(this);
		this.engine.sessionClosed(this, status);
		if (disconnectNow) {
			disconnected(status);
		}
	}

	private void disconnected(CloseStatus status) {
		for (NotifierListener listener : this.listeners) {
			this.engine.notify(this, listener, () -> listener.onDisconnect(this, status));
		}
	}

	boolean engineIs(NotifierEngine engine) {
		return this.engine == engine;
	}

	void connected() {
		synchronized (this.lock) {
			if (this.state == CLOSED) {
				return;
			}
			this.announced = true;
		}
		for (NotifierListener listener : this.listeners) {
			this.engine.notify(this, listener, () -> listener.onConnect(this));
		}
		CloseStatus closedMeanwhile;
		synchronized (this.lock) {
			this.connectAnnounced = true;
			closedMeanwhile = this.closedDuringConnect;
			this.closedDuringConnect = null;
		}
		if (closedMeanwhile != null) {
			disconnected(closedMeanwhile);
		}
	}

	@Override
	public String toString() {
		return "NotifierSession[" + this.id + " in " + group() + "]";
	}

}
