package dev.notifier.core;

import org.jspecify.annotations.Nullable;

/**
 * A message on its way to sessions, shared by all of them: the message and, for a broadcast recorded in its group's
 * history, its position in the group's stream. Sessions that speak {@link NotifierProtocol} get its framed form,
 * built once on first use.
 *
 * <p>Immutable apart from that cached form, and safe to share between threads.
 */
final class Envelope {

	private final OutboundMessage message;

	private final @Nullable StreamPosition position;

	/** The stream that recorded it; {@code null} for a message not recorded. */
	private final @Nullable HistoryStream stream;

	/** When it was recorded, on the engine's nano clock; 0 for a message not recorded. */
	private final long recordedNanos;

	/**
	 * The id of the session a recorded {@code broadcastOthers} left out, so that a replay read from the stream leaves
	 * it out too; {@code null} for any other message. An id rather than the session: the stream outlives sessions.
	 */
	private final @Nullable String exceptSession;

	/** Whether it is a frame of the protocol itself rather than an application's message. */
	private final boolean control;

	/** The {@link Framing#NOTIFIER_V1} form; racing first uses may each build it, they build equal messages. */
	private volatile @Nullable OutboundMessage framed;

	/** The {@link Framing#EVENT_STREAM} form, built like {@link #framed}. */
	private volatile @Nullable OutboundMessage event;

	private Envelope(OutboundMessage message, @Nullable StreamPosition position, @Nullable HistoryStream stream,
			long recordedNanos, @Nullable String exceptSession, boolean control) {
		this.message = message;
		this.position = position;
		this.stream = stream;
		this.recordedNanos = recordedNanos;
		this.exceptSession = exceptSession;
		this.control = control;
	}

	/** A message that is not part of a group's history. */
	static Envelope of(OutboundMessage message) {
		return new Envelope(message, null, null, 0, null, false);
	}

	/**
	 * A broadcast recorded in its group's history at this position.
	 * @param exceptSession the id of the session it leaves out ({@code broadcastOthers}), or {@code null}
	 */
	static Envelope recorded(OutboundMessage message, HistoryStream stream, StreamPosition position,
			long recordedNanos, @Nullable String exceptSession) {
		return new Envelope(message, position, stream, recordedNanos, exceptSession, false);
	}

	/** A message of the protocol itself, already in the form of the one session it is sent to. */
	static Envelope control(OutboundMessage frame) {
		return new Envelope(frame, null, null, 0, null, true);
	}

	OutboundMessage message() {
		return this.message;
	}

	/** The message as a session with this framing receives it. */
	OutboundMessage message(Framing framing) {
		if (this.control || framing == Framing.PAYLOAD) {
			return this.message;
		}
		if (framing == Framing.NOTIFIER_V1) {
			OutboundMessage form = this.framed;
			if (form == null) {
				form = NotifierProtocol.message(this.message, this.position);
				this.framed = form;
			}
			return form;
		}
		OutboundMessage form = this.event;
		if (form == null) {
			form = NotifierProtocol.event(this.message, this.position);
			this.event = form;
		}
		return form;
	}

	/** Whether it is a frame of the protocol itself, which listeners do not hear of. */
	boolean isControl() {
		return this.control;
	}

	/** Whether it is a broadcast recorded in its group's history. */
	boolean isRecorded() {
		return this.position != null;
	}

	/** The stream that recorded it; only for a recorded broadcast. */
	HistoryStream stream() {
		return this.stream;
	}

	/** The offset in its group's stream; only for a recorded broadcast. */
	long offset() {
		return this.position.offset();
	}

	long recordedNanos() {
		return this.recordedNanos;
	}

	/** Whether it is a recorded broadcast that leaves out the session with this id. */
	boolean leavesOut(String sessionId) {
		return sessionId.equals(this.exceptSession);
	}

	int sizeInBytes() {
		return this.message.sizeInBytes();
	}

}
