package dev.notifier.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.ClusterNode;
import dev.notifier.core.OutboundMessage;
import org.jspecify.annotations.Nullable;

/**
 * The payload of everything an instance publishes: a header, then the body.
 *
 * <pre>
 * version   1 byte     {@value #VERSION}
 * kind      1 byte     'T' text, 'B' binary, 'C' close; 't', 'b', 'c' the same for one user
 * length    2 bytes    of the origin, unsigned, big-endian
 * origin    length     the publishing instance's id, UTF-8
 * user                 only for a user's kinds: its length (2 bytes, unsigned, big-endian), then the name, UTF-8
 * body                 text: the text, UTF-8; binary: the bytes; close: the code (2 bytes, unsigned), the reason, UTF-8
 * </pre>
 *
 * The body is the message exactly as the publishing engine encoded it, so an object is turned into JSON once in the
 * whole cluster. The origin lets an instance recognise and skip its own echo: it has delivered to its own sessions
 * already.
 *
 * <p>Holds only this instance's origin; safe to use on any thread. Encoding runs on the engine's caller threads,
 * decoding on Lettuce's event loop thread of the pub/sub connection.
 */
final class PayloadCodec {

	/** The header version this codec writes and reads; a payload of any other version is refused. */
	static final byte VERSION = 1;

	private static final byte TEXT = 'T';

	private static final byte BINARY = 'B';

	private static final byte CLOSE = 'C';

	/** What a kind becomes for one user: its lower case. */
	private static final int TO_USER = 'a' - 'A';

	private static final int HEADER_LENGTH = 4;

	private final byte[] origin;

	/**
	 * A codec for the payloads of one instance.
	 * @param instanceId the instance's id, written as the origin of what it publishes
	 */
	PayloadCodec(String instanceId) {
		this.origin = instanceId.getBytes(StandardCharsets.UTF_8);
		if (this.origin.length > 0xFFFF) {
			throw new IllegalArgumentException("instanceId must be at most 65535 bytes in UTF-8");
		}
	}

	/** The payload publishing a text or binary message. */
	byte[] encode(OutboundMessage message) {
		return encode(null, message);
	}

	/** The payload publishing a close. */
	byte[] encode(CloseStatus status) {
		return encode(null, status);
	}

	/**
	 * The payload publishing a text or binary message.
	 * @param user the user it is for, or {@code null} for a group's or every group's sessions
	 */
	byte[] encode(@Nullable String user, OutboundMessage message) {
		if (message.isText()) {
			byte[] text = message.text().getBytes(StandardCharsets.UTF_8);
			return header(TEXT, user, text.length).put(text).array();
		}
		ByteBuffer binary = message.binary();
		return header(BINARY, user, binary.remaining()).put(binary).array();
	}

	/**
	 * The payload publishing a close.
	 * @param user the user whose sessions to close, or {@code null} for a group's or every group's sessions
	 */
	byte[] encode(@Nullable String user, CloseStatus status) {
		byte[] reason = status.reason().getBytes(StandardCharsets.UTF_8);
		return header(CLOSE, user, 2 + reason.length).putShort((short) status.code()).put(reason).array();
	}

	/**
	 * What another instance published.
	 * @param payload a payload as received
	 * @return the message or close, or {@code null} for this instance's own echo
	 * @throws MalformedPayloadException if the payload is not one this codec writes
	 */
	@Nullable Published decode(byte[] payload) throws MalformedPayloadException {
		if (payload.length < HEADER_LENGTH) {
			throw new MalformedPayloadException("shorter than the header (" + payload.length + " bytes)");
		}
		if (payload[0] != VERSION) {
			throw new MalformedPayloadException("version " + payload[0] + " instead of " + VERSION);
		}
		ByteBuffer buffer = ByteBuffer.wrap(payload);
		int originLength = Short.toUnsignedInt(buffer.getShort(2));
		if (payload.length - HEADER_LENGTH < originLength) {
			throw new MalformedPayloadException("an origin of " + originLength + " bytes past the end of "
					+ payload.length);
		}
		if (ByteBuffer.wrap(payload, HEADER_LENGTH, originLength).equals(ByteBuffer.wrap(this.origin))) {
			return null;
		}
		ByteBuffer body = buffer.position(HEADER_LENGTH + originLength).slice();
		byte kind = payload[1];
		String user = null;
		if (kind == TEXT + TO_USER || kind == BINARY + TO_USER || kind == CLOSE + TO_USER) {
			user = user(body);
			kind = (byte) (kind - TO_USER);
		}
		Published published = switch (kind) {
			case TEXT -> new Published.Message(OutboundMessage.text(StandardCharsets.UTF_8.decode(body).toString()));
			case BINARY -> new Published.Message(OutboundMessage.binary(body));
			case CLOSE -> close(body);
			default -> throw new MalformedPayloadException("unknown kind " + payload[1]);
		};
		return (user != null) ? new Published.ToUser(user, published) : published;
	}

	/** Reads the user of a user's kind, leaving the body after it. */
	private static String user(ByteBuffer body) throws MalformedPayloadException {
		if (body.remaining() < 2) {
			throw new MalformedPayloadException("a user's payload without the user");
		}
		int length = Short.toUnsignedInt(body.getShort());
		if (body.remaining() < length) {
			throw new MalformedPayloadException("a user of " + length + " bytes past the end of the payload");
		}
		ByteBuffer name = body.slice(body.position(), length);
		body.position(body.position() + length);
		return StandardCharsets.UTF_8.decode(name).toString();
	}

	private static Published close(ByteBuffer body) throws MalformedPayloadException {
		if (body.remaining() < 2) {
			throw new MalformedPayloadException("a close without its code");
		}
		int code = Short.toUnsignedInt(body.getShort());
		return new Published.Close(new CloseStatus(code, StandardCharsets.UTF_8.decode(body).toString()));
	}

	private ByteBuffer header(byte kind, @Nullable String user, int bodyLength) {
		if (user == null) {
			return header(kind, bodyLength);
		}
		byte[] name = user.getBytes(StandardCharsets.UTF_8);
		if (name.length > 0xFFFF) {
			throw new IllegalArgumentException("A user's name must be at most 65535 bytes in UTF-8 to reach the "
					+ "other instances, but has " + name.length);
		}
		return header((byte) (kind + TO_USER), 2 + name.length + bodyLength).putShort((short) name.length).put(name);
	}

	private ByteBuffer header(byte kind, int bodyLength) {
		return ByteBuffer.allocate(HEADER_LENGTH + this.origin.length + bodyLength)
			.put(VERSION)
			.put(kind)
			.putShort((short) this.origin.length)
			.put(this.origin);
	}

	/** What another instance published, decoded, ready to be applied to this instance's sessions. */
	sealed interface Published {

		/**
		 * Applies this to the local sessions of a group.
		 * @param group the group, or {@code null} for every group
		 */
		void applyTo(ClusterNode node, @Nullable String group);

		/** A broadcast. */
		record Message(OutboundMessage message) implements Published {

			@Override
			public void applyTo(ClusterNode node, @Nullable String group) {
				node.deliver(group, this.message);
			}

		}

		/** A group close, or a close of every group. */
		record Close(CloseStatus status) implements Published {

			@Override
			public void applyTo(ClusterNode node, @Nullable String group) {
				node.close(group, this.status);
			}

		}

		/** A message or close for one user's sessions, whatever their groups. */
		record ToUser(String user, Published published) implements Published {

			/** Applies to the user's local sessions; the channel's group plays no part. */
			@Override
			public void applyTo(ClusterNode node, @Nullable String group) {
				if (this.published instanceof Message message) {
					node.deliverToUser(this.user, message.message());
				}
				else if (this.published instanceof Close close) {
					node.closeUser(this.user, close.status());
				}
			}

		}

		/** Whether this is a close, which the inbound hand-off never drops. */
		default boolean isClose() {
			return this instanceof Close || (this instanceof ToUser toUser && toUser.published() instanceof Close);
		}

	}

	/** A payload that this codec does not write: another version, or bytes that are not a payload at all. */
	static final class MalformedPayloadException extends Exception {

		MalformedPayloadException(String reason) {
			super(reason);
		}

	}

}
