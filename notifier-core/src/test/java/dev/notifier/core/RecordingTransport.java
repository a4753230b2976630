package dev.notifier.core;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * A test double for the container's side of one connection. It records every text, binary, ping and close in order
 * and lets the test decide when each send completes:
 * <ul>
 * <li>{@link Mode#INLINE}: the callback runs inside the send method, as a container with room in its buffer does;</li>
 * <li>{@link Mode#HOLD}: the callback is kept until the test calls {@link #completeNext()} or {@link #failNext},
 * as for a peer that stopped reading;</li>
 * <li>{@link Mode#ASYNC}: the callback runs on an executor, as a container completing on its I/O thread.</li>
 * </ul>
 * Like a real container, it reports {@link Connection#onClosed} once it has been closed (unless told not to), and it
 * counts sends started while another one was still in flight, which the {@link Transport} contract forbids.
 */
final class RecordingTransport implements Transport {

	enum Mode {

		INLINE, HOLD, ASYNC

	}

	sealed interface Event permits Text, Binary, Ping, Close {
	}

	record Text(String text) implements Event {
	}

	/** The buffer exactly as the engine handed it over, so a test can see whether the engine copied the data. */
	record Binary(ByteBuffer data) implements Event {

		byte[] bytes() {
			ByteBuffer view = this.data.duplicate();
			byte[] bytes = new byte[view.remaining()];
			view.get(bytes);
			return bytes;
		}

	}

	record Ping() implements Event {
	}

	record Close(CloseStatus status) implements Event {
	}

	private final Object lock = new Object();

	private final List<Event> events = new ArrayList<>();

	/** The names of the threads that started sends. */
	private final Set<String> senderThreads = ConcurrentHashMap.newKeySet();

	/** How many messages each send carried, in order. */
	private final List<Integer> batches = new ArrayList<>();

	private final Deque<SendCallback> held = new ArrayDeque<>();

	private volatile Mode mode;

	private final @Nullable Executor executor;

	private boolean sendInFlight;

	private int overlappingSends;

	private int maxHeld;

	private @Nullable Connection connection;

	private @Nullable CloseStatus unreportedClose;

	private volatile boolean reportClose = true;

	private volatile int inboundLimit = -1;

	private final AtomicInteger closesReported = new AtomicInteger();

	private volatile @Nullable RuntimeException throwOnSend;

	/** The engine's writes, run before the test looks, as its writer threads would have by then; none: real ones. */
	private volatile @Nullable ManualWrites writes;

	RecordingTransport(Mode mode) {
		this(mode, null);
	}

	RecordingTransport(Mode mode, @Nullable Executor executor) {
		if (mode == Mode.ASYNC && executor == null) {
			throw new IllegalArgumentException("ASYNC needs an executor");
		}
		this.mode = mode;
		this.executor = executor;
	}

	/** Connects the transport to the engine's side, as the container glue does once {@code open} returns. */
	void attach(Connection connection) {
		CloseStatus toReport;
		synchronized (this.lock) {
			this.connection = connection;
			toReport = this.unreportedClose;
			this.unreportedClose = null;
		}
		if (toReport != null) {
			connection.onClosed(toReport);
			this.closesReported.incrementAndGet();
		}
	}

	/** Runs the engine's pending writes before every look at what was sent. */
	void writes(ManualWrites writes) {
		this.writes = writes;
	}

	/** Runs the writes the engine has pending, on this thread. */
	void flush() {
		ManualWrites writes = this.writes;
		if (writes != null) {
			writes.run();
		}
	}

	void mode(Mode mode) {
		if (mode == Mode.ASYNC && this.executor == null) {
			throw new IllegalArgumentException("ASYNC needs an executor");
		}
		this.mode = mode;
	}

	/** Whether {@link #close} reports {@link Connection#onClosed}, as a container does once the close completes. */
	void reportClose(boolean reportClose) {
		this.reportClose = reportClose;
	}

	/** Makes every following send throw this exception instead of starting. */
	void throwOnSend(@Nullable RuntimeException exception) {
		this.throwOnSend = exception;
	}

	@Override
	public void send(List<OutboundMessage> messages, SendCallback callback) {
		List<Event> sent = new ArrayList<>();
		for (OutboundMessage message : messages) {
			sent.add(message.isText() ? new Text(message.text()) : new Binary(message.binary()));
		}
		synchronized (this.lock) {
			this.batches.add(messages.size());
		}
		record(sent, callback);
	}

	@Override
	public void sendPing(SendCallback callback) {
		record(List.of(new Ping()), callback);
	}

	private void record(List<Event> sent, SendCallback callback) {
		this.senderThreads.add(Thread.currentThread().getName());
		RuntimeException toThrow = this.throwOnSend;
		if (toThrow != null) {
			throw toThrow;
		}
		Mode current;
		synchronized (this.lock) {
			if (this.sendInFlight) {
				this.overlappingSends++;
			}
			this.sendInFlight = true;
			this.events.addAll(sent);
			current = this.mode;
			if (current == Mode.HOLD) {
				this.held.add(callback);
				this.maxHeld = Math.max(this.maxHeld, this.held.size());
				return;
			}
		}
		if (current == Mode.INLINE) {
			complete(callback, null);
		}
		else {
			this.executor.execute(() -> complete(callback, null));
		}
	}

	private void complete(SendCallback callback, @Nullable Throwable failure) {
		synchronized (this.lock) {
			this.sendInFlight = false;
		}
		callback.completed(failure);
	}

	/** Completes the oldest held send successfully. */
	void completeNext() {
		complete(nextHeld(), null);
	}

	/** Fails the oldest held send. */
	void failNext(Throwable failure) {
		complete(nextHeld(), failure);
	}

	/**
	 * Completes held sends, including those the completions start, until none is held.
	 * @return how many were completed
	 */
	int completeAll() {
		int completed = 0;
		while (heldSends() > 0) {
			completeNext();
			completed++;
		}
		return completed;
	}

	private SendCallback nextHeld() {
		flush();
		synchronized (this.lock) {
			SendCallback callback = this.held.poll();
			if (callback == null) {
				throw new IllegalStateException("no send is held");
			}
			return callback;
		}
	}

	int heldSends() {
		flush();
		synchronized (this.lock) {
			return this.held.size();
		}
	}

	@Override
	public void close(CloseStatus status) {
		Connection toNotify;
		synchronized (this.lock) {
			this.events.add(new Close(status));
			toNotify = this.reportClose ? this.connection : null;
			if (this.reportClose && toNotify == null) {
				this.unreportedClose = status;
			}
		}
		if (toNotify != null) {
			toNotify.onClosed(status);
			this.closesReported.incrementAndGet();
		}
	}

	@Override
	public void limitInboundMessageSize(int maxBytes) {
		this.inboundLimit = maxBytes;
	}

	/** How many times this transport has reported {@link Connection#onClosed} and seen it return. */
	int closesReported() {
		return this.closesReported.get();
	}

	int inboundLimit() {
		return this.inboundLimit;
	}

	List<Event> events() {
		flush();
		synchronized (this.lock) {
			return List.copyOf(this.events);
		}
	}

	/** The names of the threads that started sends. */
	Set<String> senderThreads() {
		return Set.copyOf(this.senderThreads);
	}

	/** How many messages each send carried, in order: the engine's batches. */
	List<Integer> batches() {
		flush();
		synchronized (this.lock) {
			return List.copyOf(this.batches);
		}
	}

	/** The texts sent, in order. */
	List<String> texts() {
		return events().stream().filter(Text.class::isInstance).map((event) -> ((Text) event).text()).toList();
	}

	/** The binary payloads sent, in order, read now from the buffers the engine handed over. */
	List<byte[]> binaries() {
		return events().stream().filter(Binary.class::isInstance).map((event) -> ((Binary) event).bytes()).toList();
	}

	/** How many text and binary messages were sent. */
	int messages() {
		return (int) events().stream().filter((event) -> event instanceof Text || event instanceof Binary).count();
	}

	int pings() {
		return (int) events().stream().filter(Ping.class::isInstance).count();
	}

	List<CloseStatus> closes() {
		return events().stream().filter(Close.class::isInstance).map((event) -> ((Close) event).status()).toList();
	}

	/** The status of the first close, or {@code null} if the transport was not closed. */
	@Nullable CloseStatus closeStatus() {
		List<CloseStatus> closes = closes();
		return closes.isEmpty() ? null : closes.get(0);
	}

	boolean isClosed() {
		return closeStatus() != null;
	}

	/** Sends that started while another was in flight: always 0 for an engine that keeps the contract. */
	int overlappingSends() {
		flush();
		synchronized (this.lock) {
			return this.overlappingSends;
		}
	}

	/** The most sends ever held at once: at most 1 for an engine that keeps the contract. */
	int maxHeld() {
		flush();
		synchronized (this.lock) {
			return this.maxHeld;
		}
	}

}
