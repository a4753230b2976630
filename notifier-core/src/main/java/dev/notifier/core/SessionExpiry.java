package dev.notifier.core;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * When the credentials a session was opened with expire, such as an OAuth 2.0 access token's {@code exp}: once that
 * time passes, the engine closes the session with {@link #EXPIRED}, so that a session never outlives its login.
 *
 * <p>Called once per connection, on the container's thread that opens it; it must answer from what the handshake
 * carries and never block. The engine's heartbeat sweep checks the expiries, so a session is closed within a second
 * of its credentials' expiry.
 */
@FunctionalInterface
public interface SessionExpiry {

	/** 1008 "token expired": the status of a session closed because its credentials expired. */
	CloseStatus EXPIRED = CloseStatus.POLICY_VIOLATION.withReason("token expired");

	/** No session expires. */
	SessionExpiry NEVER = (handshake) -> null;

	/**
	 * When the credentials of this handshake expire.
	 * @return the expiry, or {@code null} if they do not expire
	 */
	@Nullable Instant expiresAt(HandshakeInfo handshake);

}
