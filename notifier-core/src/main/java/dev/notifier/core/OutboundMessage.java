package dev.notifier.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * A message encoded once and shared by every session it is delivered to.
 *
 * <p>Immutable and safe to share between threads: binary content is a read-only buffer that each send views through
 * its own duplicate.
 */
public final class OutboundMessage {

	private final @Nullable String text;

	private final @Nullable ByteBuffer binary;

	private final int sizeInBytes;

	/**
	 * The UTF-8 form of a text message, encoded on first use and shared by every session from then on: for
	 * transports that write text frames from bytes. Racing first uses may each encode it; they all get equal bytes.
	 */
	private volatile @Nullable ByteBuffer utf8;

	private OutboundMessage(@Nullable String text, @Nullable ByteBuffer binary, int sizeInBytes) {
		this.text = text;
		this.binary = binary;
		this.sizeInBytes = sizeInBytes;
	}

	/** A text message. */
	public static OutboundMessage text(String text) {
		return new OutboundMessage(text, null, utf8Length(text));
	}

	/** A binary message holding a copy of the buffer's remaining bytes. */
	public static OutboundMessage binary(ByteBuffer data) {
		ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
		return new OutboundMessage(null, copy.asReadOnlyBuffer(), copy.remaining());
	}

	/**
	 * The message for a payload: a {@code String} as text, a {@code byte[]} or {@code ByteBuffer} as binary (copied,
	 * so the caller may reuse it), an {@code OutboundMessage} as it is, and anything else as text from the encoder.
	 */
	public static OutboundMessage of(Object payload, MessageEncoder encoder) {
		if (payload instanceof OutboundMessage message) {
			return message;
		}
		if (payload instanceof String text) {
			return text(text);
		}
		if (payload instanceof byte[] bytes) {
			return binary(ByteBuffer.wrap(bytes));
		}
		if (payload instanceof ByteBuffer buffer) {
			return binary(buffer);
		}
		return text(encoder.encode(payload));
	}

	/** Whether this is a text message. */
	public boolean isText() {
		return this.text != null;
	}

	/** The text of a text message. */
	public String text() {
		if (this.text == null) {
			throw new IllegalStateException("a binary message has no text");
		}
		return this.text;
	}

	/** A new read-only view of a binary message's bytes. */
	public ByteBuffer binary() {
		if (this.binary == null) {
			throw new IllegalStateException("a text message has no binary content");
		}
		return this.binary.duplicate();
	}

	/**
	 * A new read-only view of a text message's UTF-8 bytes, which are encoded once for every session the message
	 * goes to.
	 */
	public ByteBuffer textBytes() {
		ByteBuffer encoded = this.utf8;
		if (encoded == null) {
			encoded = ByteBuffer.wrap(text().getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
			this.utf8 = encoded;
		}
		return encoded.duplicate();
	}

	/** The size of the message's payload on the wire, in bytes. */
	public int sizeInBytes() {
		return this.sizeInBytes;
	}

	private static int utf8Length(String text) {
		int length = text.length();
		int bytes = length;
		for (int i = 0; i < length; i++) {
			char c = text.charAt(i);
			if (c >= 0x80) {
				if (c < 0x800) {
					bytes += 1;
				}
				else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
					bytes += 2;
					i++;
				}
				else {
					bytes += 2;
				}
			}
		}
		return bytes;
	}

	@Override
	public String toString() {
		return (isText() ? "text" : "binary") + " message of " + this.sizeInBytes + " bytes";
	}

}
