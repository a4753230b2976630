package dev.notifier.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.ClusterNode;
import dev.notifier.core.OutboundMessage;
import dev.notifier.core.StreamPosition;
import org.jspecify.annotations.Nullable;

/**
 * The payload of everything an instance publishes: a header, then the body.
 *
 * <pre>
 * version   1 byte     {@value #VERSION}
 * kind      1 byte     'T' text, 'B' binary, 'C' close; 't', 'b', 'c' the same for one user; 'R' recorded in a
 *                      group's history; 'M' several of the first six
 * length    2 bytes    of the origin, unsigned, big-endian
 * origin    length     the publishing instance's id, UTF-8
 * user                 only for a user's kinds: its length (2 bytes, unsigned, big-endian), then the name, UTF-8
 * body                 text: the text, UTF-8; binary: the bytes; close: the code (2 bytes, unsigned), the reason,
 *                      UTF-8;
 *                      recorded: its position "&lt;epoch&gt;:&lt;offset&gt;\n" (ASCII), the length of the id of the
 *                      session it leaves out (1 byte) and that id, then the message ('T' or 'B', then its content);
 *                      several: for each, its kind (1 byte), the length of what follows (4 bytes, big-endian), then
 *                      its user, if any, and its body, as above
 * </pre>
 *
 * The body is the message exactly as the publishing engine encoded it, so an object is turned into JSON once in the
 * whole cluster. The origin lets an instance recognise and skip its own echo: it has delivered to its own sessions
 * already; except for a recorded broadcast, which every instance delivers, its origin too, in the order Redis
 * recorded them. Redis itself writes a recorded broadcast's position into the payload (see {@link RedisHistory}): the
 * publishing instance hands it the header and the rest apart ({@link #recordedHeader}, {@link #recordedRest}). What
 * is to be published is first an {@link Entry}; the {@link Outbox} frames one entry, or several published in a row to
 * one channel, as one payload ({@link #payload}).
 *
 * <p>Holds only this instance's origin; safe to use on any thread. Encoding runs on the engine's caller threads,
 * framing where the outbox sends, decoding on Lettuce's event loop thread of the pub/sub connection.
 */
final class PayloadCodec {

	/** The header version this codec writes and reads; a payload of any other version is refused. */
	static final byte VERSION = 1;

	private static final byte TEXT = 'T';

	private static final byte BINARY = 'B';

	private static final byte CLOSE = 'C';

	private static final byte RECORDED = 'R';

	private static final byte SEVERAL = 'M';

	/** What an entry of {@code SEVERAL} takes besides its body: its kind and length. */
	private static final int ENTRY_HEADER_LENGTH = 5;

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

	/** What a recorded broadcast's payload starts with; Redis writes the position after it. */
	byte[] recordedHeader() {
		return header(RECORDED, 0).array();
	}

	/**
	 * What a recorded broadcast's payload ends with, after its position: the session it leaves out, then the message
	 * as {@link #recordedMessage} writes it.
	 * @param exceptSession the id of the session it leaves out, or {@code null}
	 */
	static byte[] recordedRest(@Nullable String exceptSession, byte[] message) {
		byte[] except = (exceptSession != null) ? exceptSession.getBytes(StandardCharsets.UTF_8) : new byte[0];
		if (except.length > 0xFF) {
			throw new IllegalArgumentException("a session id must be at most 255 bytes in UTF-8");
		}
		return ByteBuffer.allocate(1 + except.length + message.length)
			.put((byte) except.length)
			.put(except)
			.put(message)
			.array();
	}

	/** A message as a group's history keeps it in Redis: its kind ('T' or 'B'), then its content. */
	static byte[] recordedMessage(OutboundMessage message) {
		ByteBuffer content = message.isText() ? message.textBytes() : message.binary();
		return ByteBuffer.allocate(1 + content.remaining())
			.put(message.isText() ? TEXT : BINARY)
			.put(content)
			.array();
	}

	/**
	 * A message as {@link #recordedMessage} wrote it.
	 * @throws MalformedPayloadException if it is not one
	 */
	static OutboundMessage message(ByteBuffer recorded) throws MalformedPayloadException {
		if (!recorded.hasRemaining()) {
			throw new MalformedPayloadException("a recorded message without its kind");
		}
		byte kind = recorded.get();
		return switch (kind) {
			case TEXT -> OutboundMessage.text(StandardCharsets.UTF_8.decode(recorded).toString());
			case BINARY -> OutboundMessage.binary(recorded);
			default -> throw new MalformedPayloadException("unknown kind of recorded message " + kind);
		};
	}

	/**
	 * A text or binary message to publish.
	 * @param user the user it is for, or {@code null} for a group's or every group's sessions
	 */
	static Entry entry(@Nullable String user, OutboundMessage message) {
		return message.isText() ? entry(TEXT, user, message.textBytes()) : entry(BINARY, user, message.binary());
	}

	/**
	 * A close to publish.
	 * @param user the user whose sessions to close, or {@code null} for a group's or every group's sessions
	 */
	static Entry entry(@Nullable String user, CloseStatus status) {
		byte[] reason = status.reason().getBytes(StandardCharsets.UTF_8);
		return entry(CLOSE, user,
				ByteBuffer.allocate(2 + reason.length).putShort((short) status.code()).put(reason).flip());
	}

	private static Entry entry(byte kind, @Nullable String user, ByteBuffer content) {
		if (user == null) {
			byte[] body = new byte[content.remaining()];
			content.get(body);
			return new Entry(kind, body);
		}
		byte[] name = user.getBytes(StandardCharsets.UTF_8);
		if (name.length > 0xFFFF) {
			throw new IllegalArgumentException("A user's name must be at most 65535 bytes in UTF-8 to reach the "
					+ "other instances, but has " + name.length);
		}
		byte[] body = ByteBuffer.allocate(2 + name.length + content.remaining())
			.putShort((short) name.length)
			.put(name)
			.put(content)
			.array();
		return new Entry((byte) (kind + TO_USER), body);
	}

	/**
	 * The payload publishing entries, in order: one entry as its kind, several as {@code 'M'}.
	 * @param entries at least one
	 */
	byte[] payload(List<Entry> entries) {
		if (entries.size() == 1) {
			Entry entry = entries.get(0);
			return header(entry.kind(), entry.body().length).put(entry.body()).array();
		}
		int length = 0;
		for (Entry entry : entries) {
			length += entry.framedLength();
		}
		ByteBuffer payload = header(SEVERAL, length);
		for (Entry entry : entries) {
			payload.put(entry.kind()).putInt(entry.body().length).put(entry.body());
		}
		return payload.array();
	}

	/**
	 * What another instance published.
	 * @param payload a payload as received
	 * @return the messages and closes, in the order they were published; none for this instance's own echo
	 * @throws MalformedPayloadException if the payload is not one this codec writes
	 */
	List<Published> decode(byte[] payload) throws MalformedPayloadException {
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
		ByteBuffer body = buffer.position(HEADER_LENGTH + originLength).slice();
		if (payload[1] == RECORDED) {
			return List.of(recorded(body));
		}
		if (ByteBuffer.wrap(payload, HEADER_LENGTH, originLength).equals(ByteBuffer.wrap(this.origin))) {
			return List.of();
		}
		if (payload[1] != SEVERAL) {
			return List.of(published(payload[1], body));
		}
		List<Published> several = new ArrayList<>();
		while (body.hasRemaining()) {
			if (body.remaining() < ENTRY_HEADER_LENGTH) {
				throw new MalformedPayloadException("an entry cut short in its header");
			}
			byte kind = body.get();
			int length = body.getInt();
			if (length < 0 || length > body.remaining()) {
				throw new MalformedPayloadException("an entry of " + length + " bytes past the end of the payload");
			}
			several.add(published(kind, body.slice(body.position(), length)));
			body.position(body.position() + length);
		}
		return several;
	}

	private static Published published(byte kind, ByteBuffer body) throws MalformedPayloadException {
		String user = null;
		if (kind == TEXT + TO_USER || kind == BINARY + TO_USER || kind == CLOSE + TO_USER) {
			user = user(body);
			kind = (byte) (kind - TO_USER);
		}
		Published published = switch (kind) {
			case TEXT -> new Published.Message(OutboundMessage.text(StandardCharsets.UTF_8.decode(body).toString()));
			case BINARY -> new Published.Message(OutboundMessage.binary(body));
			case CLOSE -> close(body);
			default -> throw new MalformedPayloadException("unknown kind " + kind);
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

	private static Published recorded(ByteBuffer body) throws MalformedPayloadException {
		int newline = -1;
		for (int i = body.position(); i < body.limit() && newline < 0; i++) {
			if (body.get(i) == '\n') {
				newline = i;
			}
		}
		if (newline < 0) {
			throw new MalformedPayloadException("a recorded broadcast without its position");
		}
		byte[] position = new byte[newline - body.position()];
		body.get(position).get();
		StreamPosition parsed;
		try {
			parsed = StreamPosition.parse(new String(position, StandardCharsets.US_ASCII));
		}
		catch (IllegalArgumentException ex) {
			throw new MalformedPayloadException(ex.getMessage());
		}
		if (!body.hasRemaining() || body.remaining() < 1 + Byte.toUnsignedInt(body.get(body.position()))) {
			throw new MalformedPayloadException("a recorded broadcast cut short");
		}
		byte[] except = new byte[Byte.toUnsignedInt(body.get())];
		body.get(except);
		String exceptSession = (except.length > 0) ? new String(except, StandardCharsets.UTF_8) : null;
		return new Published.Recorded(parsed, message(body.slice()), exceptSession);
	}

	private static Published close(ByteBuffer body) throws MalformedPayloadException {
		if (body.remaining() < 2) {
			throw new MalformedPayloadException("a close without its code");
		}
		int code = Short.toUnsignedInt(body.getShort());
		return new Published.Close(new CloseStatus(code, StandardCharsets.UTF_8.decode(body).toString()));
	}

	private ByteBuffer header(byte kind, int bodyLength) {
		return ByteBuffer.allocate(HEADER_LENGTH + this.origin.length + bodyLength)
			.put(VERSION)
			.put(kind)
			.putShort((short) this.origin.length)
			.put(this.origin);
	}

	/**
	 * A message or close to publish, before it is framed in a payload.
	 * @param kind its kind, as the payload's header or an entry of several names it
	 * @param body its user, if any, and its body
	 */
	record Entry(byte kind, byte[] body) {

		/** The bytes it takes among several. */
		int framedLength() {
			return ENTRY_HEADER_LENGTH + this.body.length;
		}

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

		/** A broadcast recorded in its group's history, at its position. */
		record Recorded(StreamPosition position, OutboundMessage message,
				@Nullable String exceptSession) implements Published {

			@Override
			public void applyTo(ClusterNode node, @Nullable String group) {
				if (group != null) {
					node.deliverRecorded(group, this.position, this.message, this.exceptSession);
				}
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
