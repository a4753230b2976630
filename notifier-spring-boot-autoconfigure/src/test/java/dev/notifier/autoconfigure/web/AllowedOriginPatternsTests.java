package dev.notifier.autoconfigure.web;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code notifier.allowed-origin-patterns} lets the listed foreign origins in, besides the server's own; every other
 * origin is still refused with 403.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "notifier.allowed-origin-patterns[0]=https://*.trusted.example",
				"notifier.allowed-origin-patterns[1]=http://partner.example:[8080,9090]" })
class AllowedOriginPatternsTests extends ContainerTestSupport {

	@Test
	void aListedOriginIsAccepted() {
		TestClient app = join("news", Map.of("Origin", "https://app.trusted.example"));
		TestClient partner = join("news", Map.of("Origin", "http://partner.example:9090"));

		assertThat(this.notifier.broadcast("news", "hello")).isEqualTo(2);
		assertThat(app.awaitMessages(1)).containsExactly("hello");
		assertThat(partner.awaitMessages(1)).containsExactly("hello");
	}

	@Test
	void anUnlistedOriginIsStillRefused() {
		for (String origin : new String[] { "https://evil.example", "https://trusted.example.evil.example",
				"http://app.trusted.example", "http://partner.example:7070" }) {
			assertThat(TestClient.refused(uri("/ws/news"), Map.of("Origin", origin)).status()).as(origin)
				.isEqualTo(403);
		}
	}

	@Test
	void theSameOriginAndNoOriginAreStillAccepted() {
		TestClient same = join("news", Map.of("Origin", "http://localhost:" + this.port));
		TestClient none = join("news");

		assertThat(this.notifier.broadcast("news", "hello")).isEqualTo(2);
		assertThat(same.awaitMessages(1)).containsExactly("hello");
		assertThat(none.awaitMessages(1)).containsExactly("hello");
	}

}
