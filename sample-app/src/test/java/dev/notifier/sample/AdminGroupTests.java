package dev.notifier.sample;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.notifier.core.GroupNotifier;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The login-protected group: {@code admin/audit} reports who joins which group, to signed-in admins only. The tests
 * log in and out with the real login form, CSRF token included, as a browser does.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
class AdminGroupTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final Pattern CSRF_INPUT = Pattern.compile("<input[^>]*name=\"_csrf\"[^>]*>");

	private static final Pattern VALUE = Pattern.compile("value=\"([^\"]*)\"");

	private static final String ARRIVED = "{\"event\":\"arrived\",\"group\":\"admin/audit\",\"user\":\"admin\"}";

	private final HttpClient anonymous = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private GroupNotifier notifier;

	@Test
	void theAdminPageAsksAnAnonymousVisitorToLogIn() throws Exception {
		HttpResponse<String> page = new LoginSession().get("/admin.html");

		assertThat(page.statusCode()).isEqualTo(302);
		assertThat(page.headers().firstValue("Location")).hasValueSatisfying(
				(location) -> assertThat(location).endsWith("/login"));
	}

	@Test
	void theAuditGroupIsRefusedWith403ToAnonymousViewersAndToUsersWithoutTheAdminRole() throws Exception {
		assertThat(refusal(null)).isEqualTo(403);
		assertThat(refusal(new LoginSession().logIn("user", "user").sessionCookie())).isEqualTo(403);
	}

	@Test
	void aSignedInAdminSeesWhoJoinsAGroup() throws Exception {
		LoginSession admin = new LoginSession().logIn("admin", "admin");
		RecordingViewer audit = new RecordingViewer();
		join("/ws/admin/audit", admin.sessionCookie(), audit);

		join("/ws/demo/audited", null, new RecordingViewer());

		await().atMost(TIMEOUT).until(() -> audit.texts.stream()
			.anyMatch((entry) -> entry.contains("\"event\":\"joined\"") && entry.contains("\"group\":\"demo/audited\"")));
	}

	@Test
	void anAdminOnTheAdminPageIsReportedOnceHoweverManyTabsItOpens() throws Exception {
		LoginSession admin = new LoginSession().logIn("admin", "admin");
		RecordingViewer watcher = new RecordingViewer();
		join("/ws/admin/audit", admin.sessionCookie(), watcher);
		await().atMost(TIMEOUT).until(() -> watcher.texts.contains(ARRIVED));
		WebSocket secondTab = join("/ws/admin/audit", admin.sessionCookie(), new RecordingViewer());
		await().atMost(TIMEOUT).until(() -> this.notifier.presence("admin/audit").users().get("admin") == 2);

		secondTab.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
		await().atMost(TIMEOUT).until(() -> this.notifier.presence("admin/audit").users().get("admin") == 1);
		admin.logOut();

		assertThat(watcher.closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1008);
		assertThat(watcher.texts.stream().filter(ARRIVED::equals)).as("one arrival for two tabs").hasSize(1);
		await().atMost(TIMEOUT).until(() -> this.notifier.presence("admin/audit").sessions() == 0);
	}

	@Test
	void loggingOutClosesTheAdminsSessionWith1008() throws Exception {
		LoginSession admin = new LoginSession().logIn("admin", "admin");
		RecordingViewer viewer = new RecordingViewer();
		join("/ws/admin/audit", admin.sessionCookie(), viewer);

		admin.logOut();

		assertThat(viewer.closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1008);
	}

	private int refusal(String cookie) {
		try {
			join("/ws/admin/audit", cookie, new RecordingViewer()).abort();
			throw new AssertionError("the handshake was accepted");
		}
		catch (CompletionException ex) {
			assertThat(ex.getCause()).isInstanceOf(WebSocketHandshakeException.class);
			return ((WebSocketHandshakeException) ex.getCause()).getResponse().statusCode();
		}
	}

	private WebSocket join(String path, String cookie, RecordingViewer viewer) {
		WebSocket.Builder builder = this.anonymous.newWebSocketBuilder();
		if (cookie != null) {
			builder.header("Cookie", cookie);
		}
		return builder.buildAsync(URI.create("ws://localhost:" + this.port + path), viewer).join();
	}

	/** What a browser keeps of a login: its cookies; and the login and logout forms, CSRF token included. */
	private final class LoginSession {

		private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);

		private final HttpClient http = HttpClient.newBuilder()
			.cookieHandler(this.cookies)
			.followRedirects(HttpClient.Redirect.NEVER)
			.build();

		HttpResponse<String> get(String path) throws IOException, InterruptedException {
			return this.http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
		}

		LoginSession logIn(String user, String password) throws IOException, InterruptedException {
			String form = "username=" + encode(user) + "&password=" + encode(password) + "&_csrf="
					+ encode(csrfTokenOf(get("/login").body()));
			HttpResponse<String> response = post("/login", form);
			assertThat(response.statusCode()).as("the login's answer").isEqualTo(302);
			assertThat(response.headers().firstValue("Location")).hasValueSatisfying(
					(location) -> assertThat(location).doesNotContain("error"));
			return this;
		}

		void logOut() throws IOException, InterruptedException {
			HttpResponse<String> response = post("/logout", "_csrf=" + encode(csrfTokenOf(get("/logout").body())));
			assertThat(response.statusCode()).as("the logout's answer: a redirect, or 204 to a program").isIn(302, 204);
		}

		/** The session cookie, as a browser would send it along with the handshake. */
		String sessionCookie() {
			return this.cookies.getCookieStore()
				.get(uri("/"))
				.stream()
				.map(HttpCookie::toString)
				.reduce((first, second) -> first + "; " + second)
				.orElseThrow(() -> new AssertionError("no cookie"));
		}

		private HttpResponse<String> post(String path, String form) throws IOException, InterruptedException {
			return this.http.send(HttpRequest.newBuilder(uri(path))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString(form))
				.build(), HttpResponse.BodyHandlers.ofString());
		}

		private URI uri(String path) {
			return URI.create("http://localhost:" + AdminGroupTests.this.port + path);
		}

	}

	private static String csrfTokenOf(String page) {
		Matcher input = CSRF_INPUT.matcher(page);
		assertThat(input.find()).as("a CSRF token in %s", page).isTrue();
		Matcher value = VALUE.matcher(input.group());
		assertThat(value.find()).as("the value of %s", input.group()).isTrue();
		return value.group(1);
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
