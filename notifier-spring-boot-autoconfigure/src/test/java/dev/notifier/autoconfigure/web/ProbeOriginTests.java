package dev.notifier.autoconfigure.web;

import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The probe's verdict goes to the endpoint's own origin and to programs only: a page of another site, even of an
 * allowed origin, gets the same 403 whatever the verdict and no CORS headers, so that it cannot learn with the user's
 * cookies whether the user may join a group. {@link CrossOriginProbeTests} opts the allowed origins in.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "notifier.allowed-origin-patterns=https://*.trusted.example")
@Import(BrowserClientTests.PublicGroupsOnly.class)
class ProbeOriginTests extends ContainerTestSupport {

	static final String NOT_ANSWERED = "the probe is answered for the endpoint's own origin only";

	@Test
	void aSameOriginFetchGetsTheVerdict() {
		Map<String, String> sameOrigin = Map.of("Sec-Fetch-Site", "same-origin");

		assertThat(probe("/ws/public/news", sameOrigin).statusCode()).isEqualTo(204);
		HttpResponse<String> refused = probe("/ws/private/x", sameOrigin);
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(refused.body()).isEqualTo("not allowed to join the group private/x");
	}

	@Test
	void aProbeWithTheEndpointsOwnOriginGetsTheVerdictWithoutCorsHeaders() {
		HttpResponse<String> probe = probe("/ws/public/news", Map.of("Origin", "http://localhost:" + this.port));

		assertThat(probe.statusCode()).isEqualTo(204);
		assertThat(probe.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
	}

	@Test
	void aProgramGetsTheVerdict() {
		assertThat(probe("/ws/public/news", Map.of()).statusCode()).isEqualTo(204);
		assertThat(probe("/ws/private/x", Map.of()).statusCode()).isEqualTo(403);
	}

	@Test
	void aRequestFromAnotherSiteWithoutOriginGetsTheSameAnswerWhateverTheVerdict() {
		for (String site : new String[] { "cross-site", "same-site" }) {
			Map<String, String> foreign = Map.of("Sec-Fetch-Site", site);
			HttpResponse<String> allowed = probe("/ws/public/news", foreign);
			HttpResponse<String> refused = probe("/ws/private/x", foreign);

			assertThat(allowed.statusCode()).as(site).isEqualTo(403);
			assertThat(allowed.body()).as(site).isEqualTo(NOT_ANSWERED);
			assertThat(refused.statusCode()).as(site).isEqualTo(403);
			assertThat(refused.body()).as(site).isEqualTo(NOT_ANSWERED);
			assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).as(site).isEmpty();
		}
	}

	@Test
	void anAllowedForeignOriginGetsNeitherTheVerdictNorCorsHeaders() {
		Map<String, String> trusted = Map.of("Origin", "https://app.trusted.example", "Sec-Fetch-Site", "cross-site");

		HttpResponse<String> allowed = probe("/ws/public/news", trusted);
		HttpResponse<String> refused = probe("/ws/private/x", trusted);

		assertThat(allowed.statusCode()).isEqualTo(403);
		assertThat(allowed.body()).isEqualTo(NOT_ANSWERED);
		assertThat(refused.body()).isEqualTo(NOT_ANSWERED);
		assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		assertThat(allowed.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
	}

	@Test
	void anAllowedForeignOriginStillConnects() {
		join("public/news", Map.of("Origin", "https://app.trusted.example"));
	}

	private HttpResponse<String> probe(String path, Map<String, String> headers) {
		return HttpGet.get(this.port, path, headers);
	}

}
