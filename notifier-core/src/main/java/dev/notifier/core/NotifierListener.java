package dev.notifier.core;

import java.nio.ByteBuffer;

/**
 * Receives the events of the sessions whose group matches {@link #groupPattern()}. Every method does nothing unless
 * overridden.
 *
 * <p>Threading: events of one session arrive in order, on container or engine threads; events of different sessions
 * may arrive concurrently. Presence events arrive one at a time on the engine's presence thread. A listener must not
 * block: it holds up that session's inbound traffic. An exception thrown by a listener is logged and passed to
 * {@link #onError}; it never closes the session (an exception from a presence event is only logged).
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

	/**
	 * A user has appeared in a group with presence ({@code notifier.presence.groups}): its first session joined, in a
	 * cluster its first on any instance. Heard on the {@code notifier-presence} thread, apart from the session's own
	 * events (before or after its {@link #onConnect}), once per user and group in the cluster (by the instance the
	 * session joined), never for anonymous sessions. A session that leaves before the presence thread looks may go
	 * unannounced, join and leave alike.
	 */
	default void onPresenceJoin(String group, String user) {
	}

	/**
	 * A user's last session has left a group with presence, in a cluster its last on any instance. Heard on the
	 * {@code notifier-presence} thread, once per user and group in the cluster. It may not be heard for the sessions an
	 * engine closes as it shuts down, and in a cluster it is not heard for those of an instance that died: their users
	 * stop counting without it.
	 */
	default void onPresenceLeave(String group, String user) {
	}

	/** A message has been written to the session's connection. */
	default void onMessageSent(NotifierSession session, OutboundMessage message) {
	}

}
