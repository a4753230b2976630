package dev.notifier.autoconfigure;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the WebSocket handshakes the notifier endpoint refused, by reason, for metrics. Safe to update from every
 * request thread.
 */
public final class HandshakeRefusals {

	/** Why a handshake was refused. */
	public enum Reason {

		/** 400: the group in the path is missing or malformed. */
		INVALID_GROUP,

		/** 400: the position to resume from ({@code lastEventId}) is malformed. */
		INVALID_RESUME_POSITION,

		/** 403: the Origin header names an origin that is not allowed. */
		FORBIDDEN_ORIGIN,

		/** 403: the {@link dev.notifier.core.GroupAuthorizer} said no. */
		UNAUTHORIZED,

		/** 429: the user holds {@code notifier.limits.max-connections-per-user} connections already. */
		TOO_MANY_USER_CONNECTIONS,

		/** 429: the address holds {@code notifier.limits.max-connections-per-address} connections already. */
		TOO_MANY_ADDRESS_CONNECTIONS

	}

	private final Map<Reason, LongAdder> refusals = new EnumMap<>(Reason.class);

	public HandshakeRefusals() {
		for (Reason reason : Reason.values()) {
			this.refusals.put(reason, new LongAdder());
		}
	}

	/** How many handshakes were refused for this reason. */
	public long count(Reason reason) {
		return this.refusals.get(reason).sum();
	}

	void refused(Reason reason) {
		this.refusals.get(reason).increment();
	}

}
