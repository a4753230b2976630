package dev.notifier.autoconfigure.security;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.notifier.core.HandshakeInfo;
import org.junit.jupiter.api.Test;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.core.DefaultOAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthentication;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which handshakes' credentials expire: those of an OAuth 2.0 token, as the resource server authenticates it. A JWT's
 * ({@code JwtAuthenticationToken}) is shown with a real login in {@code SessionsEndWithTheirCredentialsTests}.
 */
class OAuth2TokenExpiryTests {

	private final OAuth2TokenExpiry expiry = new OAuth2TokenExpiry();

	@Test
	void anOpaqueAccessTokenExpiresWhenItSays() {
		Instant issued = Instant.parse("2026-01-01T10:00:00Z");
		Instant expires = issued.plusSeconds(300);
		OAuth2AccessToken token = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "opaque", issued, expires);
		BearerTokenAuthentication authentication = new BearerTokenAuthentication(
				new DefaultOAuth2AuthenticatedPrincipal("alice", Map.of("sub", "alice"),
						AuthorityUtils.createAuthorityList("SCOPE_read")),
				token, AuthorityUtils.createAuthorityList("SCOPE_read"));

		assertThat(this.expiry.expiresAt(handshake(authentication))).isEqualTo(expires);
	}

	@Test
	void aPasswordLoginAndAnAnonymousHandshakeNeverExpire() {
		UsernamePasswordAuthenticationToken password = UsernamePasswordAuthenticationToken.authenticated("alice",
				"secret", List.of());

		assertThat(this.expiry.expiresAt(handshake(password))).isNull();
		assertThat(this.expiry.expiresAt(handshake(null))).isNull();
	}

	private static HandshakeInfo handshake(java.security.Principal principal) {
		return new HandshakeInfo("tasks/1", null, principal, Map.of(), Map.of());
	}

}
