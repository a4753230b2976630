package dev.notifier.core.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.OutboundMessage;
import dev.notifier.core.Transport;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;

/**
 * A {@link Transport} over a Jakarta WebSocket (JSR-356) session, as Tomcat provides: data goes through the
 * asynchronous remote, which never blocks the caller.
 *
 * <p>Pings and close frames only have a blocking form in the Jakarta API. The engine sends a ping only when no write
 * is in flight, and a close from its own close threads; this adapter bounds both with Tomcat's
 * {@value #TOMCAT_BLOCKING_SEND_TIMEOUT} session property so that a peer that stopped reading cannot hold a thread for
 * Tomcat's default of 20 seconds. Tomcat sends a close frame with any code but 1000 under a separate limit,
 * {@value #TOMCAT_ABNORMAL_CLOSE_SEND_TIMEOUT}, of 50 milliseconds by default: too short for the close frame to get
 * past a write in flight to a slow peer, which would then lose the 1013 (or 1001, 1009) and see the connection simply
 * drop. The adapter sets it to the same bound.
 */
public final class JakartaTransport implements Transport {

	/** Tomcat's per-session limit, in milliseconds, on a blocking send such as a ping or a close frame. */
	static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

	/** Tomcat's per-session limit, in milliseconds, on sending a close frame whose code is not 1000. */
	static final String TOMCAT_ABNORMAL_CLOSE_SEND_TIMEOUT = "org.apache.tomcat.websocket."
			+ "ABNORMAL_SESSION_CLOSE_SEND_TIMEOUT";

	private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

	private final Session session;

	private final RemoteEndpoint.Async remote;

	/**
	 * Adapts a session.
	 * @param session the container's session
	 * @param blockingSendTimeout the longest a ping or a close frame may block
	 */
	public JakartaTransport(Session session, Duration blockingSendTimeout) {
		this.session = session;
		this.remote = session.getAsyncRemote();
		session.getUserProperties().put(TOMCAT_BLOCKING_SEND_TIMEOUT, blockingSendTimeout.toMillis());
		session.getUserProperties().put(TOMCAT_ABNORMAL_CLOSE_SEND_TIMEOUT, blockingSendTimeout.toMillis());
	}

	/**
	 * Sends the messages one after the other, each a write of its own started when the previous one has completed:
	 * the Jakarta API has no non-blocking way to write several at once. The container completes each on a thread of
	 * its own, so the chain never nests.
	 */
	@Override
	public void send(List<OutboundMessage> messages, SendCallback callback) {
		sendFrom(messages, 0, callback);
	}

	private void sendFrom(List<OutboundMessage> messages, int index, SendCallback callback) {
		OutboundMessage message = messages.get(index);
		SendHandler next = (result) -> {
			if (!result.isOK()) {
				callback.completed(result.getException());
			}
			else if (index + 1 < messages.size()) {
				sendFrom(messages, index + 1, callback);
			}
			else {
				callback.completed(null);
			}
		};
		try {
			if (message.isText()) {
				this.remote.sendText(message.text(), next);
			}
			else {
				this.remote.sendBinary(message.binary(), next);
			}
		}
		catch (RuntimeException ex) {
			callback.completed(ex);
		}
	}

	@Override
	public void sendPing(SendCallback callback) {
		try {
			this.remote.sendPing(EMPTY.duplicate());
		}
		catch (IOException | RuntimeException ex) {
			callback.completed(ex);
			return;
		}
		callback.completed(null);
	}

	@Override
	public boolean pingBlocks() {
		return true;
	}

	@Override
	public void close(CloseStatus status) {
		try {
			this.session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(status.code()), status.reason()));
		}
		catch (IOException ex) {
			throw new IllegalStateException("could not close " + this.session.getId(), ex);
		}
	}

}
