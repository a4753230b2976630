package dev.notifier.autoconfigure.security;

import java.time.Instant;

import dev.notifier.core.HandshakeInfo;
import dev.notifier.core.SessionExpiry;
import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.AbstractOAuth2Token;

/**
 * The expiry of the OAuth 2.0 token a session was opened with: the {@code expiresAt} of the credentials of the
 * handshake's {@link Authentication} when they are an {@link AbstractOAuth2Token}, as with Spring Security's resource
 * server ({@code JwtAuthenticationToken} holds the {@code Jwt}, {@code BearerTokenAuthentication} the access token).
 * Other logins, and tokens without an expiry, never expire here; they follow their HTTP session instead
 * ({@code HttpSessionFollower}).
 *
 * <p>Stateless and safe to share between threads; it only reads the handshake.
 */
public final class OAuth2TokenExpiry implements SessionExpiry {

	@Override
	public @Nullable Instant expiresAt(HandshakeInfo handshake) {
		if (handshake.principal() instanceof Authentication authentication
				&& authentication.getCredentials() instanceof AbstractOAuth2Token token) {
			return token.getExpiresAt();
		}
		return null;
	}

}
