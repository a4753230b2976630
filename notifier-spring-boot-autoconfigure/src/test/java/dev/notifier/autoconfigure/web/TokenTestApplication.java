package dev.notifier.autoconfigure.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.jwk.source.ImmutableSecret;
import dev.notifier.autoconfigure.security.SecurityGroupAuthorizer;
import dev.notifier.core.GroupAuthorizer;
import dev.notifier.core.HandshakeInfo;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The notifier behind Spring Security's OAuth 2.0 resource server: every handshake carries a bearer JWT, signed with
 * a key of this application (HS256), which {@link #token} mints as an authorization server would. The groups
 * {@code projects/*} are for the members of {@link Members}, which a test may change while sessions are open.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class TokenTestApplication {

	private static final SecretKey KEY = new SecretKeySpec(
			"a key of at least 256 bits for HS256, for tests only".getBytes(StandardCharsets.UTF_8), "HmacSHA256");

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
		return http.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
			.oauth2ResourceServer((resourceServer) -> resourceServer.jwt(Customizer.withDefaults()))
			.build();
	}

	@Bean
	JwtDecoder jwtDecoder() {
		return NimbusJwtDecoder.withSecretKey(KEY).macAlgorithm(MacAlgorithm.HS256).build();
	}

	@Bean
	Members members() {
		return new Members();
	}

	@Bean
	GroupAuthorizer groupAuthorizer(Members members) {
		AuthorizationManager<HandshakeInfo> membersOnly = (authentication, handshake) -> new AuthorizationDecision(
				members.contains(authentication.get().getName()));
		return SecurityGroupAuthorizer.builder().group("projects/*", membersOnly).build();
	}

	/** The handshake header of a bearer JWT for this user that expires after this long. */
	static Map<String, String> token(String user, Duration validFor) {
		Instant now = Instant.now();
		JwtClaimsSet claims = JwtClaimsSet.builder().subject(user).issuedAt(now).expiresAt(now.plus(validFor)).build();
		JwtEncoder encoder = new NimbusJwtEncoder(new ImmutableSecret<>(KEY));
		String jwt = encoder.encode(JwtEncoderParameters.from(JwsHeader.with(MacAlgorithm.HS256).build(), claims))
			.getTokenValue();
		return Map.of("Authorization", "Bearer " + jwt);
	}

	/** Who may join {@code projects/*}; safe to change from any thread. */
	static final class Members {

		private final Set<String> users = ConcurrentHashMap.newKeySet();

		boolean contains(String user) {
			return this.users.contains(user);
		}

		void add(String user) {
			this.users.add(user);
		}

		void remove(String user) {
			this.users.remove(user);
		}

	}

}
