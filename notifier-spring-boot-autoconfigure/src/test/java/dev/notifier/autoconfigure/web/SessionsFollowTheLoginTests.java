package dev.notifier.autoconfigure.web;

import java.time.Duration;
import java.util.Map;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static dev.notifier.autoconfigure.web.SecuredTestApplication.ADMIN;
import static dev.notifier.autoconfigure.web.SecuredTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions follow the login: when the HTTP session of a form login ends, by a real logout or by timing out, the
 * WebSocket sessions opened with it are closed with 1008 "session ended"; other logins' sessions stay.
 *
 * <p>Tomcat also closes them itself, as Jakarta WebSocket asks of containers, with its own reason and on the thread
 * that ends the HTTP session, while the notifier hands its own close frame to its I/O threads. Both listen to the same
 * end, and whichever close frame goes out first is the one the client gets: on Tomcat either reason is right, and runs
 * see both. An event stream opened with the same login tells them apart: Tomcat has no close of its own for it, so
 * its close event 1008 "session ended" proves that the notifier followed that logout, on Tomcat as on Jetty.
 */
@SpringBootTest(classes = SecuredTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
@Import(SessionsFollowTheLoginTests.ShortHttpSessions.class)
class SessionsFollowTheLoginTests extends ContainerTestSupport {

	private static final String TOMCATS_REASON = "This connection was established under an authenticated HTTP "
			+ "session that has ended.";

	/** A {@code GET} with a login's cookie makes its HTTP session time out after one second without requests. */
	private static final String TIME_OUT_SOON = "/http-session/time-out-after-a-second";

	@Test
	void loggingOutClosesTheSessionsOpenedWithThatLoginWith1008() {
		Map<String, String> login = Logins.formLogin(this.port, ALICE);
		TestClient first = join("tasks/1", login);
		TestClient second = join("public/news", login);
		EventStreamClient stream = stream("tasks/2", login);

		Logins.logout(this.port, login);

		assertEndedWithTheLogin(first.awaitClose());
		assertEndedWithTheLogin(second.awaitClose());
		assertThat(stream.awaitCloseEvent()).as("the notifier's own close")
			.isEqualTo(EventStreamClient.closeEvent(1008, "session ended"));
		awaitSessions("tasks/1", 0);
	}

	@Test
	void loggingOutLeavesTheSessionsOfOtherLoginsOpen() {
		Map<String, String> aliceHere = Logins.formLogin(this.port, ALICE);
		Map<String, String> aliceElsewhere = Logins.formLogin(this.port, ALICE);
		Map<String, String> admin = Logins.formLogin(this.port, ADMIN);
		TestClient leaving = join("tasks/1", aliceHere);
		TestClient staying = join("tasks/1", aliceElsewhere);
		TestClient other = join("tasks/1", admin);

		Logins.logout(this.port, aliceHere);

		assertEndedWithTheLogin(leaving.awaitClose());
		awaitSessions("tasks/1", 2);
		assertThat(this.notifier.broadcast("tasks/1", "still here")).isEqualTo(2);
		assertThat(staying.awaitMessages(1)).containsExactly("still here");
		assertThat(other.awaitMessages(1)).containsExactly("still here");
	}

	@Test
	void aSessionWithoutAnHttpSessionIsNotFollowed() {
		Map<String, String> login = Logins.formLogin(this.port, ALICE);
		TestClient basic = join("tasks/2", Logins.basic(ALICE));
		TestClient anonymous = join("public/news");
		join("tasks/1", login);

		Logins.logout(this.port, login);

		awaitSessions("tasks/1", 0);
		assertThat(basic.isClosed()).isFalse();
		assertThat(anonymous.isClosed()).isFalse();
		assertThat(this.notifier.sessionCount()).isEqualTo(2);
	}

	@Test
	void aLoginWithNoSessionOpenEndsQuietly() {
		Map<String, String> login = Logins.formLogin(this.port, ALICE);
		join("tasks/1", login).close();
		awaitSessions("tasks/1", 0);

		Logins.logout(this.port, login);

		assertThat(this.notifier.sessionCount()).isZero();
	}

	@Test
	void aSessionIsClosedWhenItsLoginEndsAfterTheHttpSessionChangedItsId() {
		Map<String, String> firstLogin = Logins.formLogin(this.port, ALICE);
		TestClient client = join("tasks/1", firstLogin);
		Map<String, String> secondLogin = Logins.formLogin(this.port, ALICE, firstLogin);
		assertThat(secondLogin).as("the HTTP session's cookie after a new login").isNotEqualTo(firstLogin);

		Logins.logout(this.port, secondLogin);

		assertEndedWithTheLogin(client.awaitClose());
		awaitSessions("tasks/1", 0);
	}

	@Test
	void aLoginThatTimesOutClosesTheSessionsOpenedWithItWith1008() {
		Map<String, String> login = Logins.formLogin(this.port, ALICE);
		TestClient client = join("tasks/1", login);
		assertThat(HttpGet.get(this.port, TIME_OUT_SOON, login).statusCode()).isEqualTo(204);

		// A container finds a timed-out HTTP session when a request names it, or on a background sweep (Tomcat's
		// runs every minute, Jetty's every ten): each poll is such a request, polls farther apart than the timeout,
		// lest they keep the session alive.
		Waits.await("the HTTP session times out and its WebSocket session closes")
			.pollDelay(Duration.ofMillis(1500))
			.pollInterval(Duration.ofMillis(1500))
			.until(() -> {
				HttpGet.get(this.port, "/", login);
				return client.isClosed();
			});

		assertEndedWithTheLogin(client.awaitClose());
		awaitSessions("tasks/1", 0);
	}

	/** On Tomcat, the client gets Tomcat's close or the notifier's, whichever went out first (see above). */
	private static void assertEndedWithTheLogin(TestClient.Closure closure) {
		assertThat(closure.code()).isEqualTo(1008);
		if (ServerContainer.expected() == ServerContainer.TOMCAT) {
			assertThat(closure.reason()).isIn("session ended", TOMCATS_REASON);
		}
		else {
			assertThat(closure.reason()).isEqualTo("session ended");
		}
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class ShortHttpSessions {

		@Bean
		ServletRegistrationBean<HttpServlet> timeOutSoon() {
			return new ServletRegistrationBean<>(new TimeOutSoon(), TIME_OUT_SOON);
		}

	}

	/** Sets the HTTP session of the request to time out after a second; Tomcat's per-context timeout is in minutes. */
	static class TimeOutSoon extends HttpServlet {

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) {
			request.getSession(false).setMaxInactiveInterval(1);
			response.setStatus(HttpServletResponse.SC_NO_CONTENT);
		}

	}

}
