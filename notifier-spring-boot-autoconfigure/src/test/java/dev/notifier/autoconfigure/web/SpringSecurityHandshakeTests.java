package dev.notifier.autoconfigure.web;

import java.security.Principal;
import java.util.Map;

import dev.notifier.autoconfigure.security.SecurityGroupAuthorizer;
import dev.notifier.core.NotifierSession;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.security.core.Authentication;

import static dev.notifier.autoconfigure.web.SecuredTestApplication.ADMIN;
import static dev.notifier.autoconfigure.web.SecuredTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Security at the handshake, with real logins and a real WebSocket client: the user of the request is the
 * session's principal, and a {@link SecurityGroupAuthorizer} decides who joins which group.
 */
@SpringBootTest(classes = SecuredTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class SpringSecurityHandshakeTests extends ContainerTestSupport {

	@Autowired
	private MeterRegistry meters;

	@Test
	void theSessionCookieOfAFormLoginMakesTheUserThePrincipal() {
		join("tasks/1", Logins.formLogin(this.port, ALICE));

		assertThat(principalIn("tasks/1")).isInstanceOf(Authentication.class)
			.extracting(Principal::getName)
			.isEqualTo(ALICE);
	}

	@Test
	void anHttpBasicAuthorizationMakesTheUserThePrincipal() {
		join("tasks/2", Logins.basic(ADMIN));

		assertThat(principalIn("tasks/2")).isInstanceOf(Authentication.class)
			.extracting(Principal::getName)
			.isEqualTo(ADMIN);
	}

	@Test
	void anAnonymousSessionInAPublicGroupHasNoPrincipal() {
		join("public/news");

		assertThat(principalIn("public/news")).isNull();
	}

	@Test
	void anAnonymousHandshakeForAProtectedGroupGetsSpringSecuritysAnswer() {
		TestClient.Refusal refusal = TestClient.refused(uri("/ws/tasks/3"), Map.of());

		assertThat(refusal.status()).as("a redirect to the login page or a Basic challenge").isIn(302, 401);
		assertThat(this.notifier.sessionCount()).isZero();
	}

	@Test
	void aUserWithoutTheRoleOfAGroupIsRefusedWith403AndTheReason() {
		TestClient.Refusal refusal = TestClient.refused(uri("/ws/admin/audit"), Logins.formLogin(this.port, ALICE));

		assertThat(refusal.status()).isEqualTo(403);
		assertThat(refusal.body()).isEqualTo("not allowed to join the group admin/audit");
		assertThat(this.notifier.sessionCount()).isZero();
	}

	@Test
	void aRefusalByTheAuthorizationManagerIsCountedAsUnauthorized() {
		double before = Meters.counter(this.meters, "notifier.handshakes.refused", "reason", "unauthorized");

		TestClient.refused(uri("/ws/admin/counted"), Logins.basic(ALICE));

		assertThat(Meters.counter(this.meters, "notifier.handshakes.refused", "reason", "unauthorized"))
			.isEqualTo(before + 1);
	}

	@Test
	void aUserWithTheRoleOfAGroupJoinsIt() {
		TestClient client = join("admin/audit", Logins.formLogin(this.port, ADMIN));

		assertThat(this.notifier.broadcast("admin/audit", "for admins")).isEqualTo(1);
		assertThat(client.awaitMessages(1)).containsExactly("for admins");
	}

	@Test
	void aGroupThatNoRuleMatchesIsRefused() {
		assertThat(TestClient.refused(uri("/ws/tasks/1/log"), Logins.basic(ADMIN)).status()).isEqualTo(403);
	}

	private Principal principalIn(String group) {
		return this.notifier.sessions(group).stream().findFirst().map(NotifierSession::principal).orElse(null);
	}

}
