package dev.notifier.core;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * One WebSocket connection in one group.
 *
 * <p>Every method is safe to call from any thread. {@link #send} and {@link #close} never wait on the network.
 */
public interface NotifierSession {

	/** A unique id, stable for the life of the session. */
	String id();

	/** The group this session joined, the path after the notifier base path: {@code tasks/42}. */
	String group();

	/** The peer's address, if the container knows it. */
	@Nullable InetSocketAddress remoteAddress();

	/** The user authenticated at the handshake, if any. */
	@Nullable Principal principal();

	/** The handshake request headers, names in lower case. */
	Map<String, List<String>> handshakeHeaders();

	/** The query parameters of the handshake request, decoded. */
	Map<String, List<String>> queryParameters();

	/** When the connection was established. */
	Instant connectedAt();

	/** How the client is connected: {@code "websocket"}, or {@code "sse"} for a Server-Sent Events stream. */
	String transport();

	/** Stores an attribute, replacing any value under the same key. */
	void setAttribute(String key, Object value);

	/** The attribute under the key, or {@code null}. */
	@Nullable Object getAttribute(String key);

	/** Removes the attribute under the key and returns it, or {@code null}. */
	@Nullable Object removeAttribute(String key);

	/**
	 * Queues a message for this session: a {@code String} is sent as text, a {@code byte[]} or {@code ByteBuffer} as
	 * binary, anything else as text encoded by the application's {@link MessageEncoder}.
	 * @return whether the message was queued; {@code false} if the session is closed or the message was dropped
	 */
	boolean send(Object message);

	/** Closes the session with this status; does nothing if it is already closing. */
	void close(CloseStatus status);

	/** Whether the session is open: not closing and not closed. */
	boolean isOpen();

	/** Messages waiting to be written, not counting those of the write in flight. */
	int queuedMessages();

	/** Bytes of the messages waiting to be written. */
	long queuedBytes();

	/** Messages written to the connection so far. */
	long sentMessages();

	/** Messages dropped by the overflow policy so far. */
	long droppedMessages();

}
