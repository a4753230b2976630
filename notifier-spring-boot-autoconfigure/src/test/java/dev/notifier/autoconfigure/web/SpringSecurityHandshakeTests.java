package dev.notifier.autoconfigure.web;

import java.net.http.HttpResponse;
import java.security.Principal;
import java.util.HashMap;
import java.util.List;
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
 * session's principal, a {@link SecurityGroupAuthorizer} decides who joins which group, and a page of another site
 * cannot learn that verdict through the probe with the user's cookie.
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

	@Test
	void aPageOfAnotherSiteGetsNoProbeVerdictWithTheUsersCookieWhileTheSameOriginGetsIt() {
		Map<String, String> admin = Logins.formLogin(this.port, ADMIN);
		Map<String, String> alice = Logins.formLogin(this.port, ALICE);
		// What a browser sends with the user's cookie: a same-origin fetch, a cross-site <script> tag (no Origin), and
		// a cross-site fetch (an Origin of another site).
		Map<String, String> sameOrigin = Map.of("Sec-Fetch-Site", "same-origin");
		Map<String, String> crossSiteScript = Map.of("Sec-Fetch-Site", "cross-site");
		Map<String, String> crossSiteFetch = Map.of("Sec-Fetch-Site", "cross-site", "Origin", "https://elsewhere.example");

		assertThat(probe(admin, sameOrigin).statusCode()).as("the admin, same origin").isEqualTo(204);
		assertThat(probe(alice, sameOrigin).statusCode()).as("alice, same origin").isEqualTo(403);
		assertThat(probe(alice, sameOrigin).body()).isEqualTo("not allowed to join the group admin/audit");
		for (Map<String, String> crossSite : List.of(crossSiteScript, crossSiteFetch)) {
			HttpResponse<String> mayJoin = probe(admin, crossSite);
			HttpResponse<String> mayNotJoin = probe(alice, crossSite);
			assertThat(mayJoin.statusCode()).as("the admin, %s", crossSite).isEqualTo(403);
			assertThat(mayJoin.body()).as("the admin, %s", crossSite)
				.isEqualTo(mayNotJoin.body())
				.doesNotContain("admin/audit");
			assertThat(mayNotJoin.statusCode()).as("alice, %s", crossSite).isEqualTo(403);
			assertThat(mayJoin.headers().firstValue("Access-Control-Allow-Origin")).as("the admin, %s", crossSite)
				.isEmpty();
		}
	}

	/** The probe of {@code admin/audit}, a plain GET of its URL, with a login's cookie and a browser's headers. */
	private HttpResponse<String> probe(Map<String, String> login, Map<String, String> browserHeaders) {
		Map<String, String> headers = new HashMap<>(login);
		headers.putAll(browserHeaders);
		return HttpGet.get(this.port, PATH + "/admin/audit", headers);
	}

	private Principal principalIn(String group) {
		return this.notifier.sessions(group).stream().findFirst().map(NotifierSession::principal).orElse(null);
	}

}
