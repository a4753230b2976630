package dev.notifier.core;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * Joins the parts of one inbound message, checking the running size against the limit before each part is kept, so
 * that an oversized message is refused as soon as its parts pass the limit and the rest is never buffered. A message
 * that arrives in one part is checked and handed over without a copy.
 *
 * <p>Not thread-safe: it belongs to the container's inbound thread of one connection (see {@link Connection}), which
 * reports parts one at a time. It holds a buffer only while a message arrives in parts.
 */
final class InboundAssembly {

	/** Where whole messages, and the verdict on oversized ones, go. */
	interface Sink {

		void text(String message);

		/** The message, to be handed to listeners only through read-only views. */
		void binary(ByteBuffer message);

		/** The message passed the limit; its parts so far are discarded. */
		void tooBig();

	}

	private final int maxBytes;

	private final Sink sink;

	private @Nullable StringBuilder text;

	private byte @Nullable [] binary;

	private int size;

	InboundAssembly(int maxBytes, Sink sink) {
		this.maxBytes = maxBytes;
		this.sink = sink;
	}

	void text(String part, boolean last) {
		int partSize = OutboundMessage.text(part).sizeInBytes();
		if (this.text == null && last) {
			if (!exceedsLimit(partSize)) {
				this.sink.text(part);
			}
			return;
		}
		if (exceedsLimit(this.size + partSize)) {
			return;
		}
		if (this.text == null) {
			this.text = new StringBuilder(part.length() * 2);
		}
		this.text.append(part);
		this.size += partSize;
		if (last) {
			String message = this.text.toString();
			reset();
			this.sink.text(message);
		}
	}

	void binary(ByteBuffer part, boolean last) {
		if (this.binary == null && last) {
			if (!exceedsLimit(part.remaining())) {
				this.sink.binary(part);
			}
			return;
		}
		int size = this.size + part.remaining();
		if (exceedsLimit(size)) {
			return;
		}
		if (this.binary == null || this.binary.length < size) {
			int capacity = Math.min(this.maxBytes, Math.max(size, 2 * size));
			this.binary = (this.binary == null) ? new byte[capacity] : Arrays.copyOf(this.binary, capacity);
		}
		part.get(this.binary, this.size, part.remaining());
		this.size = size;
		if (last) {
			ByteBuffer message = ByteBuffer.wrap(this.binary, 0, this.size).asReadOnlyBuffer();
			reset();
			this.sink.binary(message);
		}
	}

	private boolean exceedsLimit(int size) {
		if (size <= this.maxBytes) {
			return false;
		}
		reset();
		this.sink.tooBig();
		return true;
	}

	/** Drops a message in progress. */
	void reset() {
		this.text = null;
		this.binary = null;
		this.size = 0;
	}

}
