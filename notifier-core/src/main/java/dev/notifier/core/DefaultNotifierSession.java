package dev.notifier.core;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

/**
 * The engine's session: its lifecycle, from the listeners' {@code onConnect} to their {@code onDisconnect}, over an
 * {@link OutboundPipe} (what is sent) and an {@link InboundAssembly} (what arrives).
 *
 * <p>Who owns what:
 * <ul>
 * <li>The outbound state and the session's state (open, draining, closing, closed) belong to the pipe, under its
 * lock; this class acts on the pipe's decisions (leaving the group, sending the close frame) outside it.</li>
 * <li>{@code announced}, {@code connectAnnounced} and {@code closedDuringConnect} are guarded by {@code announce}:
 * they make {@code onDisconnect} follow {@code onConnect} whichever thread reports the close.</li>
 * <li>The inbound assembly and the inbound rate belong to the container's inbound thread for this connection (see
 * {@link Connection});
 * {@code lastReceivedNanos} is written there and read by the heartbeat sweep, and {@code lastPingNanos} belongs to
 * the sweep.</li>
 * <li>{@code groupSlot} is guarded by the monitor of the session's group in {@link GroupIndex}.</li>
 * </ul>
 */
final class DefaultNotifierSession implements NotifierSession, Connection, OutboundPipe.Owner, InboundAssembly.Sink {

	static final CloseStatus INBOUND_RATE_EXCEEDED = CloseStatus.POLICY_VIOLATION.withReason("message rate exceeded");

	static final CloseStatus REPLAY_OVERRUN = CloseStatus.SLOW_CONSUMER.withReason("history moved past the replay");

	private final String id = UUID.randomUUID().toString();

	private final HandshakeInfo handshake;

	private final Instant connectedAt;

	private final Transport transport;

	private final NotifierEngine engine;

	private final NotifierListener[] listeners;

	private final Map<String, Object> attributes = new ConcurrentHashMap<>(4);

	private final OutboundPipe pipe;

	private final InboundAssembly inbound;

	/** {@code null} without a rate limit. */
	private final @Nullable InboundRate inboundRate;

	private final Object announce = new Object();

	/**
	 * Whether the listeners are hearing or have heard {@code onConnect}, and so are owed {@code onDisconnect}; set by
	 * {@link #connected()} unless the connection closed first.
	 */
	private boolean announced;

	/** Whether every listener has heard {@code onConnect}: {@code onDisconnect} waits for it. */
	private boolean connectAnnounced;

	/** The status of a close reported while listeners were still hearing {@code onConnect}. */
	private @Nullable CloseStatus closedDuringConnect;

	private volatile long lastReceivedNanos;

	/**
	 * When the sweep last pinged the session; at first, up to half an interval before it opened (see
	 * {@link #firstPingOffset}).
	 */
	private long lastPingNanos;

	/**
	 * The {@code nanoClock} reading at which the session's credentials expire, if {@link #hasExpiry}. Written by
	 * {@link #expireAt} before the engine publishes the session to its sweep, read only by the sweep.
	 */
	private long expiresAtNanos;

	private boolean hasExpiry;

	/** This session's place among its group's members; -1 while it is in none. */
	int groupSlot = -1;

	DefaultNotifierSession(HandshakeInfo handshake, Transport transport, NotifierEngine engine,
			NotifierListener[] listeners, WriteScheduler writers, int writerSlot, Instant connectedAt, long nowNanos) {
		this.handshake = handshake;
		this.transport = transport;
		this.engine = engine;
		this.listeners = listeners;
		this.connectedAt = connectedAt;
		this.lastReceivedNanos = nowNanos;
		NotifierOptions options = engine.options();
		this.lastPingNanos = nowNanos - firstPingOffset(options);
		this.pipe = new OutboundPipe(transport, options, engine.statistics(), writers, writerSlot,
				Framing.of(handshake, transport), this);
		this.inbound = new InboundAssembly(options.maxInboundMessageSize(), this);
		this.inboundRate = options.inboundRateLimited()
				? new InboundRate(options.inboundMessagesPerSecond(), options.inboundBurst(), nowNanos) : null;
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
	public String transport() {
		return this.transport.isEventStream() ? "sse" : "websocket";
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
		// After the group's broadcasts made before it, which the writers may not have appended yet.
		this.engine.appendPendingBroadcasts(this);
		OutboundPipe.Offer offer = this.pipe.offer(Envelope.of(this.engine.encode(message)), false);
		if (offer == OutboundPipe.Offer.OVERFLOWED) {
			closeNow(CloseStatus.SLOW_CONSUMER);
		}
		return offer == OutboundPipe.Offer.QUEUED;
	}

	/**
	 * Appends the group's broadcasts this session has not been appended yet (see {@link GroupIndex}); the caller
	 * closes the session with 1013 if one overflowed. Any thread, also under the group's monitor: it never blocks and
	 * never closes.
	 */
	OutboundPipe.Offer appendBroadcasts(GroupIndex.Entry[] entries) {
		return this.pipe.appendBroadcasts(entries, this);
	}

	/** Takes its group's broadcasts after this sequence number; under the group's monitor, as the session joins. */
	void joinedAt(long sequence) {
		this.pipe.joinedAt(sequence);
	}

	/** Which writer thread writes this session, modulo their number. */
	int writerSlot() {
		return this.pipe.writerSlot;
	}

	/**
	 * Sets where this session's messages continue from in its group's stream, before it joins the group, under the
	 * stream's monitor (see {@link GroupHistory#join}): a session speaking {@link NotifierProtocol} is told first, and
	 * the messages kept after that offset are replayed to it once the listeners have heard {@code onConnect}.
	 * @param resumeAsked whether the session asked to resume from a position
	 */
	void continueStream(HistoryStream stream, long continueAfter, boolean recovered, boolean resumeAsked) {
		sendStatus(new StreamPosition(stream.epoch(), continueAfter), recovered);
		if (continueAfter < stream.lastOffset()) {
			this.pipe.startReplay(stream, continueAfter, recovered);
		}
		if (resumeAsked) {
			this.engine.statistics().resumed(recovered);
		}
	}

	/** Tells a session speaking {@link NotifierProtocol} that its group keeps no history; before it joins the group. */
	void continueWithoutHistory() {
		sendStatus(null, false);
	}

	/** The status that opens the messages of a session that receives positions, before anything else. */
	private void sendStatus(@Nullable StreamPosition continueAfter, boolean recovered) {
		Framing framing = this.pipe.framing();
		if (framing != Framing.PAYLOAD) {
			this.pipe.offer(Envelope.control(NotifierProtocol.status(framing, continueAfter, recovered)), false);
		}
	}

	@Override
	public void close(CloseStatus status) {
		status.requireSendable();
		this.engine.appendPendingBroadcasts(this);
		OutboundPipe.CloseStart start = this.pipe.beginClose(status);
		if (start == OutboundPipe.CloseStart.ALREADY_CLOSING) {
			return;
		}
		this.engine.leave(this);
		if (start == OutboundPipe.CloseStart.NOW) {
			this.engine.closeTransport(this.transport, status);
		}
	}

	/**
	 * Closes at once, dropping whatever is queued: for a session that cannot or will not take more (slow consumer,
	 * oversized message, silent peer, failed write).
	 */
	void closeNow(CloseStatus status) {
		if (this.pipe.closeNow(status)) {
			this.engine.leave(this);
			this.engine.closeTransport(this.transport, status);
		}
	}

	/** Closes even a session that is already draining or closing but whose write is stuck. */
	private void forceClose(CloseStatus status) {
		if (this.pipe.forceClose(status)) {
			this.engine.leave(this);
			this.engine.closeTransport(this.transport, status);
		}
	}

	@Override
	public boolean isOpen() {
		return this.pipe.isOpen();
	}

	@Override
	public int queuedMessages() {
		return this.pipe.queuedMessages();
	}

	@Override
	public long queuedBytes() {
		return this.pipe.queuedBytes();
	}

	@Override
	public long sentMessages() {
		return this.pipe.sentMessages();
	}

	@Override
	public long droppedMessages() {
		return this.pipe.droppedMessages();
	}

	@Override
	public NotifierSession session() {
		return this;
	}

	@Override
	public void written(List<Envelope> messages) {
		int sent = 0;
		long bytes = 0;
		for (Envelope envelope : messages) {
			if (envelope.isControl()) {
				continue;
			}
			OutboundMessage message = envelope.message();
			sent++;
			bytes += message.sizeInBytes();
			for (NotifierListener listener : this.listeners) {
				this.engine.notify(this, listener, () -> listener.onMessageSent(this, message));
			}
		}
		this.engine.statistics().written(sent, bytes);
	}

	@Override
	public void replayOverrun() {
		closeNow(REPLAY_OVERRUN);
	}

	@Override
	public void writeFailed(Throwable failure) {
		reportError(failure);
		closeNow(CloseStatus.SERVER_ERROR);
	}

	@Override
	public void drained(CloseStatus status) {
		this.engine.closeTransport(this.transport, status);
	}

	@Override
	public void runBlocking(Runnable task) {
		this.engine.runBlocking(task);
	}

	/** Sets when the session's credentials expire; called once by the engine, before the sweep can see the session. */
	void expireAt(long nanos) {
		this.expiresAtNanos = nanos;
		this.hasExpiry = true;
	}

	/** Whether the session's credentials have expired; run by the engine's sweep thread. */
	boolean expired(long nowNanos) {
		return this.hasExpiry && nowNanos - this.expiresAtNanos >= 0;
	}

	/** The handshake the session was opened with, for re-authorization. */
	HandshakeInfo handshake() {
		return this.handshake;
	}

	/**
	 * How much sooner than an interval after it opened a session is first pinged: a random share of half an interval.
	 * Sessions that open together (a deploy, a network blip, a page everyone reloads) would otherwise be pinged
	 * together every interval for as long as they live, each time a write to every one of them and as many pongs to
	 * read at once, which holds up the broadcasts of that moment; spread over half an interval, the sweep pings a
	 * few of them at each of its runs. Later pings follow an interval apart.
	 */
	private static long firstPingOffset(NotifierOptions options) {
		long halfInterval = options.heartbeatInterval().toNanos() / 2;
		return (options.heartbeatEnabled() && halfInterval > 0) ? ThreadLocalRandom.current().nextLong(halfInterval + 1)
				: 0;
	}

	/** The heartbeat and timeout checks, run by the engine's sweep thread. */
	void sweep(long nowNanos) {
		switch (this.pipe.sweep(nowNanos)) {
			case SKIP -> {
			}
			case CLOSE_TIMED_OUT -> {
				// The close handshake did not finish in time, so the container may never report the close: drop the
				// connection and release the session here.
				this.transport.abort();
				onClosed(new CloseStatus(1006, "close timed out"));
			}
			case STUCK -> forceClose(CloseStatus.SLOW_CONSUMER.withReason("send timeout"));
			case CHECK_PEER -> checkPeer(nowNanos);
		}
	}

	private void checkPeer(long nowNanos) {
		NotifierOptions options = this.engine.options();
		if (!options.heartbeatEnabled()) {
			return;
		}
		long interval = options.heartbeatInterval().toNanos();
		// An event stream's client sends nothing back: its writes tell whether it is still there.
		if (!this.transport.isEventStream()
				&& nowNanos - this.lastReceivedNanos > interval + options.heartbeatTimeout().toNanos()) {
			closeNow(CloseStatus.GOING_AWAY.withReason("heartbeat timeout"));
		}
		else if (nowNanos - this.lastPingNanos >= interval) {
			this.lastPingNanos = nowNanos;
			ping();
		}
	}

	/** Asks for a heartbeat ping, written before what is queued; the sweep does so once per interval. */
	void ping() {
		this.pipe.requestPing();
	}

	@Override
	public void onText(String part, boolean last) {
		received();
		if (isOpen()) {
			this.inbound.text(part, last);
		}
	}

	@Override
	public void onBinary(ByteBuffer part, boolean last) {
		received();
		if (isOpen()) {
			this.inbound.binary(part, last);
		}
	}

	private void received() {
		this.lastReceivedNanos = this.engine.options().nanoClock().getAsLong();
	}

	@Override
	public void text(String message) {
		if (!withinRate()) {
			return;
		}
		for (NotifierListener listener : this.listeners) {
			this.engine.notify(this, listener, () -> listener.onTextMessage(this, message));
		}
	}

	@Override
	public void binary(ByteBuffer message) {
		if (!withinRate()) {
			return;
		}
		for (NotifierListener listener : this.listeners) {
			this.engine.notify(this, listener, () -> listener.onBinaryMessage(this, message.asReadOnlyBuffer()));
		}
	}

	/**
	 * Whether a whole message that just arrived is within the inbound rate limit; a session over it is closed at once
	 * with 1008 and the message is not delivered. Counted per whole message, so a message sent in parts counts once.
	 */
	private boolean withinRate() {
		if (this.inboundRate == null || this.inboundRate.admit(this.engine.options().nanoClock().getAsLong())) {
			return true;
		}
		this.engine.statistics().sessionExceededInboundRate();
		closeNow(INBOUND_RATE_EXCEEDED);
		return false;
	}

	@Override
	public void tooBig() {
		closeNow(CloseStatus.TOO_BIG);
	}

	@Override
	public void onPong(ByteBuffer payload) {
		received();
		for (NotifierListener listener : this.listeners) {
			this.engine.notify(this, listener, () -> listener.onPong(this, payload.asReadOnlyBuffer()));
		}
	}

	@Override
	public void onError(Throwable error) {
		reportError(error);
		closeNow(CloseStatus.SERVER_ERROR);
	}

	private void reportError(Throwable error) {
		for (NotifierListener listener : this.listeners) {
			this.engine.notify(this, listener, () -> listener.onError(this, error));
		}
	}

	@Override
	public void onClosed(CloseStatus status) {
		if (!this.pipe.closed()) {
			return;
		}
		boolean disconnectNow;
		synchronized (this.announce) {
			disconnectNow = this.announced && this.connectAnnounced;
			if (this.announced && !this.connectAnnounced) {
				// connected() is still telling the listeners: it tells them this once it is done.
				this.closedDuringConnect = status;
			}
		}
		this.inbound.reset();
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

	/** Tells the listeners the session is connected, unless it has closed already. */
	void connected() {
		synchronized (this.announce) {
			if (this.pipe.isClosed()) {
				return;
			}
			this.announced = true;
		}
		for (NotifierListener listener : this.listeners) {
			this.engine.notify(this, listener, () -> listener.onConnect(this));
		}
		this.pipe.connected();
		CloseStatus closedMeanwhile;
		synchronized (this.announce) {
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
