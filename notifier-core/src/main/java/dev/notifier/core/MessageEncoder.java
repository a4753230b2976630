package dev.notifier.core;

/**
 * Turns an object that is neither text nor bytes into the text of a WebSocket message, once per broadcast.
 */
@FunctionalInterface
public interface MessageEncoder {

	/** Refuses to encode objects: only {@code String}, {@code byte[]} and {@code ByteBuffer} can be sent. */
	MessageEncoder NONE = (payload) -> {
		throw new IllegalArgumentException("no MessageEncoder is configured, so a " + payload.getClass().getName()
				+ " cannot be sent; send a String, byte[] or ByteBuffer");
	};

	/**
	 * Encodes the payload.
	 * @throws IllegalArgumentException if the payload cannot be encoded
	 */
	String encode(Object payload);

}
