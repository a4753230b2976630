package dev.notifier.core;

import java.nio.ByteBuffer;

/**
 * The inbound side of one session, for the container glue that owns the WebSocket: it reports what arrived and the
 * engine does the rest (size limits, heartbeat bookkeeping, listeners, leaving the group).
 *
 * <p>Threading: the container calls these methods for one connection from one thread at a time, in the order the
 * frames arrived, as every WebSocket container does.
 */
public interface Connection {

	/** The session this connection belongs to. */
	NotifierSession session();

	/**
	 * A text message or a part of one arrived.
	 * @param last whether this part ends the message
	 */
	void onText(String part, boolean last);

	/**
	 * A binary message or a part of one arrived.
	 * @param last whether this part ends the message
	 */
	void onBinary(ByteBuffer part, boolean last);

	/** A pong arrived. */
	void onPong(ByteBuffer payload);

	/** The transport reported an error. */
	void onError(Throwable error);

	/** The connection is closed; the status is the one received or the one the container reports. */
	void onClosed(CloseStatus status);

}
