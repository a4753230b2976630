package dev.notifier.autoconfigure.security;

import java.security.Principal;
import java.util.Map;

import dev.notifier.core.HandshakeInfo;
import org.junit.jupiter.api.Test;

import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.authorization.AuthenticatedAuthorizationManager;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorityAuthorizationManager;
import org.springframework.security.authorization.SingleResultAuthorizationManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link SecurityGroupAuthorizer}: the first rule whose pattern matches the group decides, with the handshake's
 * {@code Authentication}.
 */
class SecurityGroupAuthorizerTests {

	private static final TestingAuthenticationToken ADMIN = authenticated("ada", "ROLE_ADMIN", "ROLE_USER");

	private static final TestingAuthenticationToken USER = authenticated("bob", "ROLE_USER");

	private final SecurityGroupAuthorizer authorizer = SecurityGroupAuthorizer.builder()
		.group("admin/**", AuthorityAuthorizationManager.hasRole("ADMIN"))
		.group("tasks/*", AuthenticatedAuthorizationManager.authenticated())
		.group("public/**", SingleResultAuthorizationManager.permitAll())
		.build();

	@Test
	void aUserWithTheRoleJoinsTheGroupsOfTheRule() {
		assertThat(this.authorizer.authorize(handshake("admin/audit/1", ADMIN))).isTrue();
	}

	@Test
	void aUserWithoutTheRoleIsRefused() {
		assertThat(this.authorizer.authorize(handshake("admin/audit/1", USER))).isFalse();
	}

	@Test
	void anAnonymousHandshakeIsRefusedWhereARoleIsRequired() {
		assertThat(this.authorizer.authorize(handshake("admin/audit/1", null))).isFalse();
	}

	@Test
	void anAnonymousHandshakeIsRefusedWhereAuthenticationIsRequired() {
		assertThat(this.authorizer.authorize(handshake("tasks/42", null))).isFalse();
		assertThat(this.authorizer.authorize(handshake("tasks/42", USER))).isTrue();
	}

	@Test
	void aPrincipalThatIsNotAnAuthenticationCountsAsAnonymous() {
		Principal containerUser = () -> "carol";

		assertThat(this.authorizer.authorize(handshake("tasks/42", containerUser))).isFalse();
	}

	@Test
	void aGroupThatNoPatternMatchesIsRefused() {
		assertThat(this.authorizer.authorize(handshake("tasks/42/log", ADMIN))).isFalse();
		assertThat(this.authorizer.authorize(handshake("other", ADMIN))).isFalse();
	}

	@Test
	void theFirstMatchingRuleDecides() {
		SecurityGroupAuthorizer authorizer = SecurityGroupAuthorizer.builder()
			.group("tasks/secret", SingleResultAuthorizationManager.denyAll())
			.group("tasks/*", SingleResultAuthorizationManager.permitAll())
			.build();

		assertThat(authorizer.authorize(handshake("tasks/secret", ADMIN))).isFalse();
		assertThat(authorizer.authorize(handshake("tasks/open", null))).isTrue();
	}

	@Test
	void aManagerThatAbstainsRefuses() {
		SecurityGroupAuthorizer authorizer = SecurityGroupAuthorizer.builder()
			.group("**", (authentication, handshake) -> null)
			.build();

		assertThat(authorizer.authorize(handshake("tasks/1", ADMIN))).isFalse();
	}

	@Test
	void theManagerSeesTheHandshake() {
		SecurityGroupAuthorizer authorizer = SecurityGroupAuthorizer.builder()
			.group("projects/*", (authentication, handshake) -> new AuthorizationDecision(
					handshake.group().equals("projects/" + authentication.get().getName())))
			.build();

		assertThat(authorizer.authorize(handshake("projects/bob", USER))).isTrue();
		assertThat(authorizer.authorize(handshake("projects/ada", USER))).isFalse();
	}

	@Test
	void withoutRulesEveryGroupIsRefused() {
		assertThat(SecurityGroupAuthorizer.builder().build().authorize(handshake("public/news", ADMIN))).isFalse();
	}

	@Test
	void anInvalidPatternFailsAsTheRuleIsAdded() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SecurityGroupAuthorizer.builder()
				.group("admin/a*", SingleResultAuthorizationManager.permitAll()))
			.withMessageContaining("invalid group pattern 'admin/a*'");
	}

	private static HandshakeInfo handshake(String group, Principal principal) {
		return new HandshakeInfo(group, null, principal, Map.of(), Map.of());
	}

	private static TestingAuthenticationToken authenticated(String name, String... authorities) {
		TestingAuthenticationToken token = new TestingAuthenticationToken(name, "password", authorities);
		token.setAuthenticated(true);
		return token;
	}

}
