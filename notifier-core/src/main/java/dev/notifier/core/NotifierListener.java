package dev.notifier.core;

import java.nio.ByteBuffer;

/**
 * Receives the events of the sessions whose group matches {@link #groupPattern()}. Every method does nothing unless
 * overridden.
 *
 * <p>Threading: events of one session arrive in order, on container or engine threads; events of different sessions
 * may arrive concurrently. A listener must not block: it holds up that session's inbound traffic. An exception thrown
 * by a listener is logged and passed to {@link #onError}; it never closes the session.
 */
public interface NotifierListener {

	/**
	 * The groups this listener hears from: segments separated by {@code /}, where {@code *} matches one segment and
	 * {@code **} any number of segments. The default, {@code **}, matches every group.
	 */
	default String groupPattern() {
		return "**";
	}

	/** The session has joined its group; {@link NotifierSession#send} here greets it. */
	default void onConnect(NotifierSession session) {
	}

	/** The session has left its group. */
	default void onDisconnect(NotifierSession session, CloseStatus status) {
	}

	/** A whole text message arrived. */
	default void onTextMessage(NotifierSession session, String message) {
	}

	/** A whole binary message arrived. */
	default void onBinaryMessage(NotifierSession session, ByteBuffer message) {
	}

	/** A pong arrived, usually the answer to a heartbeat ping. */
	default void onPong(NotifierSession session, ByteBuffer payload) {
	}

	/** The connection or a listener failed. */
	default void onError(NotifierSession session, Throwable error) {
	}

	/** A message has been written to the session's connection. */
	default void onMessageSent(NotifierSession session, OutboundMessage message) {
	}

}
