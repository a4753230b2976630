package dev.notifier.autoconfigure.web;

import java.net.http.HttpResponse;
import java.util.Map;

import dev.notifier.autoconfigure.HandshakeRefusals;
import dev.notifier.core.GroupAuthorizer;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the browser client needs from the server: the script at {@code /notifier.js} and {@code /notifier.mjs} with a
 * JavaScript media type (browsers refuse a module of any other type), and the probe, a plain {@code GET} of a group's
 * URL that tells a refused handshake (400, 403: do not retry) from an acceptable one (204) without joining. Who may
 * read the verdict is the subject of {@link ProbeOriginTests}.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
@Import(BrowserClientTests.PublicGroupsOnly.class)
class BrowserClientTests extends ContainerTestSupport {

	@Autowired
	private HandshakeRefusals refusals;

	@Test
	void theClientScriptIsServed() {
		HttpResponse<String> script = get("/notifier.js", Map.of());

		assertThat(script.statusCode()).isEqualTo(200);
		assertThat(script.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).containsPattern("^(text|application)/javascript"));
		assertThat(script.headers().firstValue("Cache-Control")).hasValue("no-cache");
		assertThat(script.body()).contains("global.notifier = { connect: connect };");
	}

	@Test
	void theClientModuleIsServedAsJavaScript() {
		HttpResponse<String> module = get("/notifier.mjs", Map.of());

		assertThat(module.statusCode()).isEqualTo(200);
		assertThat(module.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).containsPattern("^(text|application)/javascript"));
		assertThat(module.body()).contains("import './notifier.js';").contains("export const connect");
	}

	@Test
	void aProbeOfAnAcceptableGroupIsAnswered204WithoutJoining() {
		HttpResponse<String> probe = get("/ws/public/news", Map.of());

		assertThat(probe.statusCode()).isEqualTo(204);
		assertThat(this.notifier.sessionCount()).isZero();
	}

	@Test
	void aProbeOfAMalformedGroupIsAnswered400WithTheReason() {
		HttpResponse<String> probe = get("/ws/public/", Map.of());

		assertThat(probe.statusCode()).isEqualTo(400);
		assertThat(probe.body()).isEqualTo("the group name has an empty segment");
	}

	@Test
	void aProbeOfARefusedGroupIsAnswered403WithTheReason() {
		HttpResponse<String> probe = get("/ws/private/x", Map.of());

		assertThat(probe.statusCode()).isEqualTo(403);
		assertThat(probe.body()).isEqualTo("not allowed to join the group private/x");
	}

	@Test
	void aForeignPageCannotReadTheProbesAnswer() {
		HttpResponse<String> probe = get("/ws/public/news", Map.of("Origin", "https://elsewhere.example"));

		assertThat(probe.statusCode()).isEqualTo(403);
		assertThat(probe.body()).isEqualTo("the origin https://elsewhere.example is not allowed");
		assertThat(probe.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		assertThat(probe.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
	}

	@Test
	void probesAreNotCountedAsRefusedHandshakes() {
		long before = totalRefusals();
		get("/ws/private/x", Map.of());
		get("/ws/public/", Map.of());
		get("/ws/public/news", Map.of("Origin", "https://elsewhere.example"));

		assertThat(totalRefusals()).isEqualTo(before);
		assertThat(TestClient.refused(uri("/ws/private/x"), Map.of()).status()).isEqualTo(403);
		assertThat(totalRefusals()).isEqualTo(before + 1);
	}

	private long totalRefusals() {
		long total = 0;
		for (HandshakeRefusals.Reason reason : HandshakeRefusals.Reason.values()) {
			total += this.refusals.count(reason);
		}
		return total;
	}

	private HttpResponse<String> get(String path, Map<String, String> headers) {
		return HttpGet.get(this.port, path, headers);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class PublicGroupsOnly {

		@Bean
		GroupAuthorizer publicGroupsOnly() {
			return (handshake) -> handshake.group().startsWith("public/");
		}

	}

}
