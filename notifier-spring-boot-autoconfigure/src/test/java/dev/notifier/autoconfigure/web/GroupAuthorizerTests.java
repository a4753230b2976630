package dev.notifier.autoconfigure.web;

import java.util.Map;

import dev.notifier.core.GroupAuthorizer;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application's {@link GroupAuthorizer} bean decides at the handshake who joins which group: a refusal is a 403
 * with the reason as the body. This one lets everyone into {@code public/...}, and others only with a token in the
 * query or an admin role header, which shows what the authorizer sees of the request.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
@Import(GroupAuthorizerTests.AuthorizerConfiguration.class)
class GroupAuthorizerTests extends ContainerTestSupport {

	@Autowired
	private MeterRegistry meters;

	@Test
	void anAuthorizedGroupIsJoined() {
		TestClient client = join("public/news");

		assertThat(this.notifier.broadcast("public/news", "hello")).isEqualTo(1);
		assertThat(client.awaitMessages(1)).containsExactly("hello");
	}

	@Test
	void aRefusedGroupIsAnswered403WithTheReason() {
		TestClient.Refusal refusal = TestClient.refused(uri("/ws/private/x"), Map.of());

		assertThat(refusal.status()).isEqualTo(403);
		assertThat(refusal.body()).isEqualTo("not allowed to join the group private/x");
		assertThat(this.notifier.sessionCount()).isZero();
	}

	@Test
	void aRefusalIsCountedAsUnauthorized() {
		double before = Meters.counter(this.meters, "notifier.handshakes.refused", "reason", "unauthorized");

		TestClient.refused(uri("/ws/private/counted"), Map.of());

		assertThat(Meters.counter(this.meters, "notifier.handshakes.refused", "reason", "unauthorized"))
			.isEqualTo(before + 1);
	}

	@Test
	void theAuthorizerGetsTheWholeGroupName() {
		assertThat(TestClient.refused(uri("/ws/public"), Map.of()).status()).isEqualTo(403);
		assertThat(TestClient.refused(uri("/ws/x/public/news"), Map.of()).status()).isEqualTo(403);
	}

	@Test
	void theAuthorizerSeesTheQueryParameters() {
		assertThat(TestClient.refused(uri("/ws/private/x?token=wrong"), Map.of()).status()).isEqualTo(403);
		TestClient client = join("private/x?token=let-me-in");

		assertThat(this.notifier.broadcast("private/x", "secret")).isEqualTo(1);
		assertThat(client.awaitMessages(1)).containsExactly("secret");
	}

	@Test
	void theAuthorizerSeesTheHeadersByLowerCaseName() {
		TestClient client = join("private/y", Map.of("X-Role", "admin"));

		assertThat(this.notifier.sessions("private/y")).singleElement()
			.satisfies((session) -> assertThat(session.handshakeHeaders()).containsKey("x-role"));
		assertThat(client.isClosed()).isFalse();
	}

	@Test
	void anInvalidGroupIsRefusedWith400BeforeTheAuthorizerIsAsked() {
		RawHttp.Response response = RawHttp.handshake(this.port, "/ws/public/../private/x");

		assertThat(response.status()).isEqualTo(400);
		assertThat(response.body()).isEqualTo("the group name has a '..' segment");
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class AuthorizerConfiguration {

		@Bean
		GroupAuthorizer publicGroupsOnly() {
			return (handshake) -> handshake.group().startsWith("public/")
					|| "let-me-in".equals(handshake.queryParameter("token"))
					|| "admin".equals(handshake.header("X-Role"));
		}

	}

}
