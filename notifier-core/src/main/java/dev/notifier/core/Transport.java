package dev.notifier.core;

/**
 * The container's side of one WebSocket connection, as the engine drives it.
 *
 * <p>Threading: the engine calls the send methods from one thread at a time per connection and never starts a send
 * before the previous one has completed, so an implementation needs no locking of its own. Sends must not block on
 * the network: they start the write and report its outcome to the callback, on any thread, possibly before the send
 * method returns. {@link #close} may block for a bounded time, and so may {@link #sendPing} where
 * {@link #pingBlocks()}; the engine calls those on its own I/O threads.
 */
public interface Transport {

	/**
	 * Starts sending one message.
	 * @param message the message, shared with other sessions: read it through its views, never change it
	 * @param more whether the engine has more messages queued behind this one. A transport may then hold this one in
	 * the container's buffer, to be written in one go with those that follow, and complete it at once; once a send
	 * with {@code more == false} has completed, everything held has been written.
	 * @param callback told once the message is written or held
	 */
	void send(OutboundMessage message, boolean more, SendCallback callback);

	/**
	 * Starts sending a ping with an empty payload; blocks for a bounded time instead where {@link #pingBlocks()}. A
	 * ping sent while messages are held goes out with them.
	 */
	void sendPing(SendCallback callback);

	/**
	 * Whether {@link #sendPing} blocks until the ping is written, as in containers that only offer a blocking ping
	 * (Jakarta WebSocket); the engine then calls it on its own I/O threads.
	 */
	default boolean pingBlocks() {
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
