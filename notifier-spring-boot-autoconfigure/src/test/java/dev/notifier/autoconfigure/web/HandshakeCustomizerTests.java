package dev.notifier.autoconfigure.web;

import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.notifier.autoconfigure.NotifierHandshakeCustomizer;
import dev.notifier.core.GroupAuthorizer;
import dev.notifier.core.HandshakeInfo;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link NotifierHandshakeCustomizer} adds the application's own interceptor and handshake handler to the endpoint,
 * while the notifier's checks keep running first. One connection per address, so that a place under the limits that
 * an application's refusal failed to give back would show as a 429 on the next handshake.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "notifier.limits.max-connections-per-address=1")
@Import(HandshakeCustomizerTests.CustomizerConfiguration.class)
class HandshakeCustomizerTests extends ContainerTestSupport {

	@Autowired
	private RecordingInterceptor interceptor;

	@Autowired
	private CountingHandshakeHandler handshakeHandler;

	@Test
	void theApplicationsInterceptorSeesTheHandshakeTheNotifierAccepted() {
		join("public/news");

		assertThat(this.interceptor.groupsSeen()).contains("public/news");
	}

	@Test
	void theApplicationsInterceptorIsNotAskedAboutHandshakesTheNotifierRefused() {
		int before = this.interceptor.groupsSeen().size();

		assertThat(RawHttp.handshake(this.port, "/ws/public/../private/x").status()).as("invalid group").isEqualTo(400);
		assertThat(TestClient.refused(uri("/ws/private/x"), Map.of()).status()).as("the authorizer").isEqualTo(403);

		assertThat(this.interceptor.groupsSeen()).hasSize(before);
	}

	@Test
	void aRefusalByTheApplicationsInterceptorGivesThePlaceUnderTheLimitsBack() {
		// The interceptor refuses without setting a status: the notifier must still give the place back.
		assertThat(TestClient.refused(uri("/ws/public/refused"), Map.of()).status()).isNotEqualTo(101);

		TestClient client = join("public/after-refusal");

		assertThat(this.notifier.broadcast("public/after-refusal", "in")).isEqualTo(1);
		assertThat(client.awaitMessages(1)).containsExactly("in");
	}

	@Test
	void theHandshakeHandlerFromTheCustomizerPerformsTheUpgrade() {
		int before = this.handshakeHandler.handshakes();

		join("public/upgraded");

		assertThat(this.handshakeHandler.handshakes()).isEqualTo(before + 1);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		@Bean
		GroupAuthorizer publicGroupsOnly() {
			return (handshake) -> handshake.group().startsWith("public/");
		}

		@Bean
		RecordingInterceptor recordingInterceptor() {
			return new RecordingInterceptor();
		}

		@Bean
		CountingHandshakeHandler countingHandshakeHandler() {
			return new CountingHandshakeHandler();
		}

		@Bean
		NotifierHandshakeCustomizer handshakeCustomizer(RecordingInterceptor interceptor,
				CountingHandshakeHandler handshakeHandler) {
			return (handshake) -> handshake.addInterceptor(interceptor).handshakeHandler(handshakeHandler);
		}

	}

	/** Records the group of every handshake it is asked about, and refuses {@code public/refused}. */
	static final class RecordingInterceptor implements HandshakeInterceptor {

		private final List<String> groupsSeen = new CopyOnWriteArrayList<>();

		@Override
		public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response,
				WebSocketHandler wsHandler, Map<String, Object> attributes) {
			HandshakeInfo handshake = (HandshakeInfo) attributes.get(HandshakeInfo.class.getName());
			this.groupsSeen.add(handshake.group());
			return !"public/refused".equals(handshake.group());
		}

		@Override
		public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler wsHandler,
				@Nullable Exception exception) {
		}

		List<String> groupsSeen() {
			return List.copyOf(this.groupsSeen);
		}

	}

	/**
	 * Spring's handler, counting the users it determines: it does so once per upgrade it performs (a subclass, as the
	 * tests check the upgrade strategy of the handler they find).
	 */
	static final class CountingHandshakeHandler extends DefaultHandshakeHandler {

		private final AtomicInteger handshakes = new AtomicInteger();

		@Override
		protected @Nullable Principal determineUser(ServerHttpRequest request, WebSocketHandler wsHandler,
				Map<String, Object> attributes) {
			this.handshakes.incrementAndGet();
			return super.determineUser(request, wsHandler, attributes);
		}

		int handshakes() {
			return this.handshakes.get();
		}

	}

}
