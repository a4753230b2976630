package dev.notifier.autoconfigure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.Connection;
import dev.notifier.core.OutboundMessage;
import dev.notifier.core.Transport;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * One Server-Sent Events stream as the engine drives it, written with Servlet non-blocking I/O: a send writes the
 * whole batch (events the engine has already formatted) and completes at once if the container took it, or when the
 * container calls {@link #onWritePossible()} once it has. No thread ever waits on the client.
 *
 * <p>Threads: the engine starts one send at a time, on a writer thread; the container calls the listener methods on
 * its own threads. Every use of the output stream happens under {@code lock}, as the Servlet API requires of writes
 * from several threads; callbacks run outside it. The stream ends with {@link AsyncContext#complete()}, which makes
 * the container call {@link #onComplete}, where the engine hears of the close.
 */
final class EventStreamTransport implements Transport, WriteListener, AsyncListener {

	private static final Log logger = LogFactory.getLog(EventStreamTransport.class);

	/** A comment: browsers ignore it, proxies see traffic, and a client that went away fails the write. */
	private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.US_ASCII);

	private final AsyncContext async;

	private final ServletOutputStream out;

	private final Consumer<Connection> released;

	private final Object lock = new Object();

	/** What a send has not yet handed to the container; guarded by {@code lock}. */
	private byte @Nullable [] pending;

	/** Whether what was written still waits for the container to take it; guarded by {@code lock}. */
	private boolean flushing;

	/** The outcome of the send in flight; guarded by {@code lock}. */
	private @Nullable SendCallback callback;

	/** Why the stream ends, once the engine closed it; guarded by {@code lock}. */
	private @Nullable CloseStatus closing;

	/** The engine's side, once it opened the session; guarded by {@code lock}. */
	private @Nullable Connection connection;

	/** How the stream ended, once the container completed it; guarded by {@code lock}. */
	private @Nullable CloseStatus ended;

	/**
	 * A transport on a started asynchronous request.
	 * @param released runs once when the stream has ended, just before the engine hears of it, so that a listener
	 * hearing {@code onDisconnect} finds the stream's place under the limits free again
	 */
	EventStreamTransport(AsyncContext async, ServletOutputStream out, Consumer<Connection> released) {
		this.async = async;
		this.out = out;
		this.released = released;
	}

	/**
	 * Listens to the request and the output stream; before the engine opens the session, whose first event, its
	 * status, sends the response's headers.
	 */
	void listen() {
		this.async.addListener(this);
		this.out.setWriteListener(this);
	}

	/** The engine's side of the stream, once it has opened the session; told at once if the stream ended already. */
	void opened(Connection connection) {
		CloseStatus ended;
		synchronized (this.lock) {
			this.connection = connection;
			ended = this.ended;
		}
		if (ended != null) {
			this.released.accept(connection);
			connection.onClosed(ended);
		}
	}

	@Override
	public boolean isEventStream() {
		return true;
	}

	@Override
	public void send(List<OutboundMessage> messages, SendCallback callback) {
		ByteBuffer[] events = new ByteBuffer[messages.size()];
		int length = 0;
		for (int i = 0; i < events.length; i++) {
			events[i] = messages.get(i).textBytes();
			length += events[i].remaining();
		}
		ByteBuffer batch = ByteBuffer.allocate(length);
		for (ByteBuffer event : events) {
			batch.put(event);
		}
		write(batch.array(), callback);
	}

	@Override
	public void sendPing(SendCallback callback) {
		write(PING, callback);
	}

	private void write(byte[] bytes, SendCallback callback) {
		boolean ended;
		synchronized (this.lock) {
			ended = this.closing != null;
			if (!ended) {
				this.pending = bytes;
				this.callback = callback;
			}
		}
		if (ended) {
			failClosed(callback);
			return;
		}
		writePending();
	}

	/** A send after the stream ended: reported as failed, outside the lock. */
	private static void failClosed(SendCallback callback) {
		callback.completed(new IOException("the event stream has ended"));
	}

	/**
	 * Hands what is pending to the container and completes the send once the container has taken it all; if it
	 * cannot take it now, {@link #onWritePossible} goes on.
	 */
	private void writePending() {
		SendCallback done;
		Throwable failure = null;
		synchronized (this.lock) {
			try {
				if (!this.out.isReady()) {
					return;
				}
				if (this.pending != null) {
					this.out.write(this.pending);
					this.pending = null;
					this.flushing = true;
				}
				if (this.flushing) {
					if (!this.out.isReady()) {
						return;
					}
					this.out.flush();
					if (!this.out.isReady()) {
						return;
					}
					this.flushing = false;
				}
			}
			catch (IOException | RuntimeException ex) {
				failure = ex;
				this.pending = null;
				this.flushing = false;
			}
			done = this.callback;
			this.callback = null;
		}
		if (done != null) {
			done.completed(failure);
		}
	}

	@Override
	public void onWritePossible() {
		writePending();
	}

	@Override
	public void onError(Throwable failure) {
		SendCallback failed;
		synchronized (this.lock) {
			failed = this.callback;
			this.callback = null;
			this.pending = null;
		}
		if (failed != null) {
			failed.completed(failure);
		}
		else {
			Connection connection;
			synchronized (this.lock) {
				connection = this.connection;
			}
			if (connection != null) {
				connection.onError(failure);
			}
		}
	}

	/**
	 * Ends the stream: an event named {@code close} with the status as JSON, if nothing else is being written, then
	 * the end of the response. A browser's {@code EventSource} would reconnect on its own; the client reads the
	 * event to tell an end from a drop.
	 */
	@Override
	public void close(CloseStatus status) {
		synchronized (this.lock) {
			if (this.closing != null) {
				return;
			}
			this.closing = status;
			try {
				if (this.callback == null && this.pending == null && !this.flushing && this.out.isReady()) {
					this.out.write(closeEvent(status));
					this.out.flush();
				}
			}
			catch (IOException | RuntimeException ex) {
				logger.debug("Writing the close event failed", ex);
			}
		}
		complete();
	}

	/**
	 * The {@code close} event of a status, its data a JSON object on one line: the reason is escaped as a JSON string,
	 * so that neither a quote nor a line break (which would end the {@code data:} line) can break the client's parse.
	 */
	static byte[] closeEvent(CloseStatus status) {
		StringBuilder event = new StringBuilder("event: close\ndata: {\"code\":").append(status.code())
			.append(",\"reason\":\"");
		String reason = status.reason();
		for (int i = 0; i < reason.length(); i++) {
			char c = reason.charAt(i);
			switch (c) {
				case '"', '\\' -> event.append('\\').append(c);
				case '\n' -> event.append("\\n");
				case '\r' -> event.append("\\r");
				case '\t' -> event.append("\\t");
				default -> {
					if (c < 0x20) {
						event.append(String.format("\\u%04x", (int) c));
					}
					else {
						event.append(c);
					}
				}
			}
		}
		return event.append("\"}\n\n").toString().getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public void abort() {
		complete();
	}

	private void complete() {
		try {
			this.async.complete();
		}
		catch (IllegalStateException ex) {
			// Completed already, by the container or an earlier close.
		}
	}

	@Override
	public void onComplete(AsyncEvent event) {
		CloseStatus status;
		SendCallback failed;
		Connection connection;
		synchronized (this.lock) {
			status = (this.closing != null) ? this.closing : new CloseStatus(1006, "event stream ended");
			this.closing = status;
			this.ended = status;
			failed = this.callback;
			this.callback = null;
			connection = this.connection;
		}
		if (failed != null) {
			failClosed(failed);
		}
		if (connection != null) {
			this.released.accept(connection);
			connection.onClosed(status);
		}
	}

	@Override
	public void onTimeout(AsyncEvent event) {
		complete();
	}

	@Override
	public void onError(AsyncEvent event) {
		complete();
	}

	@Override
	public void onStartAsync(AsyncEvent event) {
	}

}
