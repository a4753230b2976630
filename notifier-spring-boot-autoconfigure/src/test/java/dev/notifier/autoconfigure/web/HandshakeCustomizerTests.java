package dev.notifier.autoconfigure.web;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.notifier.autoconfigure.NotifierHandshakeCustomizer;
import dev.notifier.core.CloseStatus;
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
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link NotifierHandshakeCustomizer} adds the application's own interceptor and handshake handler to the endpoint,
 * while the notifier's checks keep running first; the interceptor runs for the event streams of the groups too. One
 * connection per address, so that a place under the limits that an application's refusal failed to give back would
 * show as a 429 on the next handshake.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "notifier.limits.max-connections-per-address=1")
@Import(HandshakeCustomizerTests.CustomizerConfiguration.class)
class HandshakeCustomizerTests extends ContainerTestSupport {

	@Autowired
	private RecordingInterceptor interceptor;

	@Autowired
	private CountingHandshakeHandler handshakeHandler;

	private final HttpClient http = HttpClient.newHttpClient();

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
	void theApplicationsInterceptorSeesTheEventStreamTheNotifierAccepted() throws Exception {
		HttpResponse<InputStream> stream = openStream("/sse/public/stream");

		try (InputStream events = stream.body()) {
			assertThat(stream.statusCode()).isEqualTo(200);
			awaitSessions("public/stream", 1);
			assertThat(this.interceptor.groupsSeen()).contains("public/stream");
			this.notifier.close("public/stream", CloseStatus.NORMAL);
			events.readAllBytes();
		}
	}

	@Test
	void theApplicationsInterceptorIsNotAskedAboutEventStreamsTheNotifierRefused() {
		int before = this.interceptor.groupsSeen().size();

		assertThat(HttpGet.get(this.port, "/sse/public/a!b", Map.of()).statusCode()).as("invalid group").isEqualTo(400);
		assertThat(HttpGet.get(this.port, "/sse/private/x", Map.of()).statusCode()).as("the authorizer")
			.isEqualTo(403);

		assertThat(this.interceptor.groupsSeen()).hasSize(before);
	}

	@Test
	void aRefusalByTheApplicationsInterceptorHasTheStatusItSetOnBothTransports() {
		assertThat(TestClient.refused(uri("/ws/public/unlawful"), Map.of()).status()).isEqualTo(451);
		assertThat(HttpGet.get(this.port, "/sse/public/unlawful", Map.of()).statusCode()).isEqualTo(451);
		assertThat(this.notifier.sessionCount()).isZero();
	}

	@Test
	void anEventStreamTheApplicationsInterceptorRefusedWithoutAStatusIs403AndGivesThePlaceBack() throws Exception {
		assertThat(HttpGet.get(this.port, "/sse/public/refused", Map.of()).statusCode()).isEqualTo(403);

		HttpResponse<InputStream> stream = openStream("/sse/public/after-refusal");

		try (InputStream events = stream.body()) {
			assertThat(stream.statusCode()).as("a place under the limits is free").isEqualTo(200);
			awaitSessions("public/after-refusal", 1);
			this.notifier.close("public/after-refusal", CloseStatus.NORMAL);
			events.readAllBytes();
		}
	}

	@Test
	void theHandshakeHandlerFromTheCustomizerPerformsTheUpgrade() {
		int before = this.handshakeHandler.handshakes();

		join("public/upgraded");

		assertThat(this.handshakeHandler.handshakes()).isEqualTo(before + 1);
	}

	/** Opens an event stream; the test reads it to its end, once it had the server end it. */
	private HttpResponse<InputStream> openStream(String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.header("Accept", "text/event-stream")
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
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

	/**
	 * Records the group of every handshake it is asked about, refuses {@code public/refused} without setting a status,
	 * and {@code public/unlawful} with 451.
	 */
	static final class RecordingInterceptor implements HandshakeInterceptor {

		private final List<String> groupsSeen = new CopyOnWriteArrayList<>();

		@Override
		public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response,
				WebSocketHandler wsHandler, Map<String, Object> attributes) {
			HandshakeInfo handshake = (HandshakeInfo) attributes.get(HandshakeInfo.class.getName());
			this.groupsSeen.add(handshake.group());
			if ("public/unlawful".equals(handshake.group())) {
				response.setStatusCode(HttpStatus.UNAVAILABLE_FOR_LEGAL_REASONS);
				return false;
			}
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
