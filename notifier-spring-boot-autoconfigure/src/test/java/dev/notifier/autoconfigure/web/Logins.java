package dev.notifier.autoconfigure.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real logins to {@link SecuredTestApplication}, as a browser makes them: the handshake then carries the session
 * cookie of a form login, or an HTTP Basic authorization header.
 */
final class Logins {

	private static final HttpClient HTTP = HttpClient.newBuilder()
		.connectTimeout(TestClient.TIMEOUT)
		.followRedirects(HttpClient.Redirect.NEVER)
		.build();

	private Logins() {
	}

	/** Logs in with the login form and returns the handshake header that carries the new HTTP session's cookie. */
	static Map<String, String> formLogin(int port, String user) {
		return formLogin(port, user, Map.of());
	}

	/**
	 * Logs in again within the HTTP session of an earlier {@link #formLogin}, as a browser does when its user signs
	 * in again, and returns the handshake header with the session's cookie: Spring Security changes the HTTP
	 * session's id at every login, against session fixation.
	 */
	static Map<String, String> formLogin(int port, String user, Map<String, String> login) {
		String form = "username=" + encode(user) + "&password=" + encode(SecuredTestApplication.PASSWORD_PREFIX + user);
		HttpResponse<String> response = send(port, "/login", HttpRequest.BodyPublishers.ofString(form), login);
		assertThat(response.statusCode()).as("the login's answer").isEqualTo(302);
		assertThat(response.headers().firstValue("location")).as("where the login redirects")
			.hasValueSatisfying((location) -> assertThat(location).doesNotContain("error"));
		String cookie = response.headers()
			.firstValue("set-cookie")
			.orElseThrow(() -> new AssertionError("the login set no cookie: " + response.headers()));
		return Map.of("Cookie", cookie.split(";", 2)[0]);
	}

	/** Logs out the HTTP session of a {@link #formLogin}, which invalidates it. */
	static void logout(int port, Map<String, String> login) {
		HttpResponse<String> response = send(port, "/logout", HttpRequest.BodyPublishers.noBody(), login);
		assertThat(response.statusCode()).as("the logout's answer: 204 to a program, a redirect to a browser")
			.isIn(204, 302);
	}

	/** The handshake header of an HTTP Basic login. */
	static Map<String, String> basic(String user) {
		String credentials = user + ":" + SecuredTestApplication.PASSWORD_PREFIX + user;
		return Map.of("Authorization",
				"Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
	}

	private static HttpResponse<String> send(int port, String path, HttpRequest.BodyPublisher body,
			Map<String, String> headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.timeout(TestClient.TIMEOUT)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(body);
		headers.forEach(request::header);
		try {
			return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted", ex);
		}
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
