package dev.notifier.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

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

	/** The header in which a browser's {@code EventSource} sends the last event id back when it reconnects. */
	public static final String LAST_EVENT_ID_HEADER = "Last-Event-ID";

	private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\r|\n");

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
	 * The position the client of this handshake asks to resume from: the {@value #LAST_EVENT_ID_HEADER} header an
	 * {@code EventSource} sends when it reconnects, else the {@value #RESUME_PARAMETER} query parameter.
	 * @return the position, or {@code null} if it asks for none
	 * @throws IllegalArgumentException with a sentence for the client if the one given is malformed
	 */
	public static @Nullable StreamPosition resumePosition(HandshakeInfo handshake) {
		String header = handshake.header(LAST_EVENT_ID_HEADER);
		String position = (header != null && !header.isEmpty()) ? header : handshake.queryParameter(RESUME_PARAMETER);
		if (position == null || position.isEmpty()) {
			return null;
		}
		try {
			return StreamPosition.parse(position);
		}
		catch (IllegalArgumentException ex) {
			String source = (header != null && !header.isEmpty()) ? LAST_EVENT_ID_HEADER : RESUME_PARAMETER;
			throw new IllegalArgumentException("invalid " + source + ": " + ex.getMessage(), ex);
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
	 * A message as a Server-Sent Event: its position as the {@code id}, when it has one, and its payload as the
	 * {@code data}, one {@code data:} line per line of it; a binary payload as an event named {@code binary} whose
	 * data is the payload in Base64. A browser's {@code EventSource} hands text payloads to {@code onmessage} as they
	 * were broadcast, and sends the last {@code id} back as {@code Last-Event-ID} when it reconnects.
	 */
	static OutboundMessage event(OutboundMessage payload, @Nullable StreamPosition position) {
		String data = payload.isText() ? payload.text() : Base64.getEncoder().encodeToString(bytes(payload.binary()));
		StringBuilder event = new StringBuilder(data.length() + 48);
		if (position != null) {
			event.append("id: ").append(position).append('\n');
		}
		if (!payload.isText()) {
			event.append("event: binary\n");
		}
		for (String line : LINE_BREAK.split(data, -1)) {
			event.append("data: ").append(line).append('\n');
		}
		return OutboundMessage.text(event.append('\n').toString());
	}

	private static byte[] bytes(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.get(bytes);
		return bytes;
	}

	/**
	 * The status that opens every session that receives positions: the {@code s} frame of the subprotocol, or, on an
	 * event stream, an event named {@code status} with the same JSON.
	 * @param continueAfter where its messages continue from, or {@code null} in a group without history
	 */
	static OutboundMessage status(Framing framing, @Nullable StreamPosition continueAfter, boolean recovered) {
		String json = (continueAfter != null) ? "{\"epoch\":\"" + continueAfter.epoch() + "\",\"offset\":"
				+ continueAfter.offset() + ",\"recovered\":" + recovered + "}" : "{\"recovered\":false}";
		return OutboundMessage
			.text((framing == Framing.EVENT_STREAM) ? "event: status\ndata: " + json + "\n\n" : "s\n" + json);
	}

}
