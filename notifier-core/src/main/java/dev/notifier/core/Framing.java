package dev.notifier.core;

/** How a session receives its messages, which {@link Envelope#message(Framing)} builds once per message. */
enum Framing {

	/** The bare payload, as a plain WebSocket client receives it. */
	PAYLOAD,

	/** The {@link NotifierProtocol} subprotocol's frames: a header line with the position, then the payload. */
	NOTIFIER_V1,

	/** Server-Sent Events: the position as the event's {@code id}, the payload as its {@code data}. */
	EVENT_STREAM;

	/** How the session of this handshake on this transport receives its messages. */
	static Framing of(HandshakeInfo handshake, Transport transport) {
		if (transport.isEventStream()) {
			return EVENT_STREAM;
		}
		return NotifierProtocol.requestedBy(handshake) ? NOTIFIER_V1 : PAYLOAD;
	}

}
