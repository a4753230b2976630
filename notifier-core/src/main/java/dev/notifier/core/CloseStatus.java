package dev.notifier.core;

import java.nio.charset.StandardCharsets;

/**
 * A WebSocket close code from RFC 6455 with a reason.
 *
 * <p>Statuses the container reports may carry codes that are never sent in a close frame (1005 no status, 1006
 * abnormal closure); {@link #requireSendable()} is checked wherever a status is sent.
 *
 * @param code the close code
 * @param reason a short human-readable reason, empty when there is none
 */
public record CloseStatus(int code, String reason) {

	/** 1000: the purpose of the connection is fulfilled (a worker finished, a group was closed). */
	public static final CloseStatus NORMAL = new CloseStatus(1000, "");

	/** 1001: the server is going down, or the peer stopped answering heartbeats. */
	public static final CloseStatus GOING_AWAY = new CloseStatus(1001, "going away");

	/** 1008: the session broke a rule of the application. */
	public static final CloseStatus POLICY_VIOLATION = new CloseStatus(1008, "policy violation");

	/** 1009: an inbound message was larger than the server accepts. */
	public static final CloseStatus TOO_BIG = new CloseStatus(1009, "message too big");

	/** 1011: the server hit an unexpected condition. */
	public static final CloseStatus SERVER_ERROR = new CloseStatus(1011, "server error");

	/** 1013: the session could not keep up with what was sent to it. */
	public static final CloseStatus SLOW_CONSUMER = new CloseStatus(1013, "slow consumer");

	private static final int MAX_REASON_BYTES = 123;

	public CloseStatus {
		reason = (reason != null) ? reason : "";
	}

	/** The same code with another reason. */
	public CloseStatus withReason(String reason) {
		return new CloseStatus(this.code, reason);
	}

	/**
	 * Checks that this status may be sent in a close frame.
	 * @return this status
	 * @throws IllegalArgumentException if the code is reserved or out of range, or the reason is too long
	 */
	public CloseStatus requireSendable() {
		if (this.code < 1000 || this.code > 4999 || this.code == 1004 || this.code == 1005 || this.code == 1006
				|| this.code == 1015) {
			throw new IllegalArgumentException(
					"close code " + this.code + " cannot be sent in a close frame (RFC 6455, section 7.4)");
		}
		if (this.reason.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
			throw new IllegalArgumentException(
					"close reason is longer than " + MAX_REASON_BYTES + " bytes in UTF-8: " + this.reason);
		}
		return this;
	}
}
