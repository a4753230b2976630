package dev.notifier.autoconfigure.security;

import dev.notifier.core.GroupAuthorizer;
import dev.notifier.core.HandshakeInfo;
import org.jspecify.annotations.Nullable;

import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;

/**
 * A {@link GroupAuthorizer} that asks Spring Security's {@link AuthorizationManager}s, one per group pattern:
 *
 * <pre class="code">
 * &#64;Bean
 * GroupAuthorizer groupAuthorizer() {
 * 	return SecurityGroupAuthorizer.builder()
 * 		.group("admin/**", AuthorityAuthorizationManager.hasRole("ADMIN"))
 * 		.group("tasks/*", AuthenticatedAuthorizationManager.authenticated())
 * 		.build();
 * }
 * </pre>
 *
 * <p>The rules are tried in the order they were added and the first whose pattern matches the group decides, as
 * {@code authorizeHttpRequests} does for request matchers: put specific patterns before general ones. A group that no
 * pattern matches is refused. Patterns are group patterns, as for listeners ({@code *} is one segment, {@code **} any
 * number); the rules are those of {@link GroupAuthorizer#byGroupPattern()}.
 *
 * <p>The managers see the handshake's principal, the {@link Authentication} Spring Security put on the request
 * ({@code null} for an anonymous one), and the {@link HandshakeInfo} as the object to authorize. A manager that
 * abstains (a {@code null} result) refuses. Immutable and safe to share between threads.
 */
public final class SecurityGroupAuthorizer implements GroupAuthorizer {

	private final GroupAuthorizer rules;

	private SecurityGroupAuthorizer(GroupAuthorizer rules) {
		this.rules = rules;
	}

	/** A builder with no rules: until one is added, every group is refused. */
	public static Builder builder() {
		return new Builder();
	}

	@Override
	public boolean authorize(HandshakeInfo handshake) {
		return this.rules.authorize(handshake);
	}

	private static boolean decide(AuthorizationManager<HandshakeInfo> manager, HandshakeInfo handshake) {
		AuthorizationResult result = manager.authorize(() -> authenticationOf(handshake), handshake);
		return result != null && result.isGranted();
	}

	private static @Nullable Authentication authenticationOf(HandshakeInfo handshake) {
		return (handshake.principal() instanceof Authentication authentication) ? authentication : null;
	}

	/** Builds a {@link SecurityGroupAuthorizer}; not thread-safe. */
	public static final class Builder {

		private final GroupAuthorizer.ByGroupPattern rules = GroupAuthorizer.byGroupPattern();

		private Builder() {
		}

		/**
		 * Lets the manager decide who may join the groups matching the pattern, unless an earlier rule matches them.
		 * @param pattern a group pattern, such as {@code admin/**} or {@code tasks/*}
		 * @param manager the decision, such as {@code AuthorityAuthorizationManager.hasRole("ADMIN")}
		 * @return this builder
		 * @throws IllegalArgumentException if the pattern is not a valid group pattern
		 */
		public Builder group(String pattern, AuthorizationManager<HandshakeInfo> manager) {
			this.rules.group(pattern, (handshake) -> decide(manager, handshake));
			return this;
		}

		public SecurityGroupAuthorizer build() {
			return new SecurityGroupAuthorizer(this.rules.build());
		}

	}

}
