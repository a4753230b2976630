package dev.notifier.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The WebSocket subprotocol {@value #NAME}, which carries each message's place in its group's stream to the clients
 * that ask for it, such as {@code /notifier.js}. A client that does not ask receives the bare payloads.
 *
 * <p>Every frame the server sends on it is a header line, a line feed, then the body:
 * <ul>
 * <li>{@code m <epoch>:<offset>} then the payload: a broadcast recorded in the group's history, at that position;</li>
 * <li>{@code m} then the payload: any other message (a group without history, a filtered broadcast, a message sent to
 * the session directly);</li>
 * <li>{@code s} then a JSON object: the first frame of every session. In a group with history it is
 * {@code {"epoch":"…","offset":n,"recovered":true|false}}: where the session's messages continue from (they are those
 * after {@code offset}) and whether the position it asked to resume from could be honoured ({@code false} means
 * messages it missed are gone, or it asked for none, and the client should start over from what follows). In a group
 * without history it is {@code {"recovered":false}}.</li>
 * </ul>
 * A text payload travels in a text frame, a binary one in a binary frame whose first bytes are the ASCII header line.
 * A client resumes by connecting with the query parameter {@value #RESUME_PARAMETER}{@code =<epoch>:<offset>}, the
 * position of the last message it received (see {@link StreamPosition}).
 */
public final class NotifierProtocol {

	/** The subprotocol's name, as a client lists it in {@code Sec-WebSocket-Protocol}. */
	public static final String NAME = "notifier.v1";

	/** The query parameter holding the position to resume from. */
	public static final String RESUME_PARAMETER = "lastEventId";

	private NotifierProtocol() {
	}

	/** Whether the client of this handshake asked for the subprotocol. */
	public static boolean requestedBy(HandshakeInfo handshake) {
		List<String> offered = handshake.headers().get("sec-websocket-protocol");
		if (offered == null) {
			return false;
		}
		for (String header : offered) {
			for (String protocol : header.split(",")) {
				if (protocol.trim().equals(NAME)) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * The position the client of this handshake asks to resume from.
	 * @return the position, or {@code null} if it asks for none
	 * @throws IllegalArgumentException with a sentence for the client if the parameter is malformed
	 */
	public static @Nullable StreamPosition resumePosition(HandshakeInfo handshake) {
		String position = handshake.queryParameter(RESUME_PARAMETER);
		if (position == null || position.isEmpty()) {
			return null;
		}
		try {
			return StreamPosition.parse(position);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("invalid " + RESUME_PARAMETER + ": " + ex.getMessage(), ex);
		}
	}

	/** A message in the subprotocol's form: its header line, at a position or without one, then its payload. */
	static OutboundMessage message(OutboundMessage payload, @Nullable StreamPosition position) {
		String header = (position != null) ? "m " + position + "\n" : "m\n";
		if (payload.isText()) {
			return OutboundMessage.text(header + payload.text());
		}
		byte[] headerBytes = header.getBytes(StandardCharsets.US_ASCII);
		ByteBuffer body = payload.binary();
		ByteBuffer framed = ByteBuffer.allocate(headerBytes.length + body.remaining()).put(headerBytes).put(body).flip();
		return OutboundMessage.binary(framed);
	}

	/**
	 * The status frame that opens every session.
	 * @param continueAfter where its messages continue from, or {@code null} in a group without history
	 */
	static OutboundMessage status(@Nullable StreamPosition continueAfter, boolean recovered) {
		if (continueAfter == null) {
			return OutboundMessage.text("s\n{\"recovered\":false}");
		}
		return OutboundMessage.text("s\n{\"epoch\":\"" + continueAfter.epoch() + "\",\"offset\":"
				+ continueAfter.offset() + ",\"recovered\":" + recovered + "}");
	}

}
