package dev.notifier.core;

import java.util.List;

/**
 * The container's side of one WebSocket connection, as the engine drives it.
 *
 * <p>Threading: the engine calls the send methods for one connection from one thread at a time (one of its writer
 * threads, or an I/O thread for a blocking ping) and never starts a send before the previous one has completed, so an
 * implementation needs no locking of its own. Sends must not block on the network: they start the write and report
 * its outcome to the callback, on any thread, possibly before the send method returns. {@link #close} may block for a
 * bounded time, and so may {@link #sendPing} where {@link #pingBlocks()}; the engine calls those on its own I/O
 * threads.
 */
public interface Transport {

	/**
	 * Starts sending messages, in order, each as one WebSocket message, in as few socket writes as the container
	 * allows: the engine hands over everything queued for the session at once, so that the cost of a write is shared
	 * by every message in it.
	 * @param messages one or more messages, shared with other sessions: read them through their views, never change
	 * them
	 * @param callback told once, when every message is written or the first one failed
	 */
	void send(List<OutboundMessage> messages, SendCallback callback);

	/** Starts sending a ping with an empty payload; blocks for a bounded time instead where {@link #pingBlocks()}. */
	void sendPing(SendCallback callback);

	/**
	 * Whether {@link #sendPing} blocks until the ping is written, as in containers that only offer a blocking ping
	 * (Jakarta WebSocket); the engine then calls it on its own I/O threads.
	 */
	default boolean pingBlocks() {
		return false;
	}

	/**
	 * Whether this is a Server-Sent Events stream rather than a WebSocket connection: messages are then written as
	 * events ({@link NotifierProtocol#event}), pings as comments, and since such a client sends nothing back, a peer
	 * that went away is found by a write that fails or does not complete within the send timeout, never by missing
	 * pongs.
	 */
	default boolean isEventStream() {
		return false;
	}

	/** Sends a close frame with this status and closes the connection. */
	void close(CloseStatus status);

	/**
	 * Drops the connection without waiting for the close handshake, after a close did not complete in time. Does
	 * nothing where the container's close already gives up on its own.
	 */
	default void abort() {
	}

	/**
	 * Sets the largest inbound message the container itself should accept, where the container enforces the limit
	 * instead of handing over partial messages.
	 */
	default void limitInboundMessageSize(int maxBytes) {
	}

	/** The outcome of one send. */
	@FunctionalInterface
	interface SendCallback {

		/**
		 * Called once when the send has completed.
		 * @param failure why the send failed, or {@code null} if it succeeded
		 */
		void completed(Throwable failure);

	}

}
