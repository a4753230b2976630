package dev.notifier.autoconfigure.web;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code notifier.probe.cross-origin=true}, pages of the allowed origins read the probe's verdict, with the CORS
 * headers that let a credentialed {@code fetch} see it; other origins still cannot.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "notifier.allowed-origin-patterns=https://*.trusted.example", "notifier.probe.cross-origin=true" })
@Import(BrowserClientTests.PublicGroupsOnly.class)
class CrossOriginProbeTests extends ContainerTestSupport {

	private static final Map<String, String> TRUSTED = Map.of("Origin", "https://app.trusted.example",
			"Sec-Fetch-Site", "cross-site");

	@Test
	void anAllowedOriginReadsTheVerdict() {
		HttpResponse<String> allowed = HttpGet.get(this.port, "/ws/public/news", TRUSTED);
		HttpResponse<String> refused = HttpGet.get(this.port, "/ws/private/x", TRUSTED);

		assertThat(allowed.statusCode()).isEqualTo(204);
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(refused.body()).isEqualTo("not allowed to join the group private/x");
		for (HttpResponse<String> probe : List.of(allowed, refused)) {
			assertThat(probe.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.trusted.example");
			assertThat(probe.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
			assertThat(probe.headers().allValues("Vary")).contains("Origin");
		}
	}

	@Test
	void anOriginThatIsNotAllowedStillGetsNoCorsHeaders() {
		HttpResponse<String> probe = HttpGet.get(this.port, "/ws/public/news",
				Map.of("Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"));

		assertThat(probe.statusCode()).isEqualTo(403);
		assertThat(probe.body()).isEqualTo("the origin https://evil.example is not allowed");
		assertThat(probe.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
	}

	@Test
	void aCrossSiteRequestWithoutOriginStillGetsNoVerdict() {
		HttpResponse<String> probe = HttpGet.get(this.port, "/ws/public/news", Map.of("Sec-Fetch-Site", "cross-site"));

		assertThat(probe.statusCode()).isEqualTo(403);
		assertThat(probe.body()).isEqualTo(ProbeOriginTests.NOT_ANSWERED);
	}

}
