package dev.notifier.autoconfigure.web;

import java.net.http.HttpResponse;
import java.util.Map;

import dev.notifier.core.CloseStatus;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static dev.notifier.autoconfigure.web.SecuredTestApplication.ADMIN;
import static dev.notifier.autoconfigure.web.SecuredTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Event streams opened with a real login, form login or HTTP Basic through Spring Security, are the user's sessions
 * like its WebSocket sessions: a logout ends them with a close event 1008 "session ended" (no container does this
 * for a stream, so it is the notifier's own close on Tomcat too), sendToUser and closeUser reach them, and they count
 * against the user's connection cap with the WebSocket sessions. {@link SessionsEndWithTheirCredentialsTests} has
 * the token expiry and re-authorization of streams.
 *
 * <p>A stream its client dropped is found gone only at its next write: heartbeats every 300 ms let the engine see the
 * streams of one test gone before the next.
 */
@SpringBootTest(classes = SecuredTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "notifier.limits.max-connections-per-user=2", "notifier.heartbeat.interval=300ms" })
class EventStreamIdentityTests extends ContainerTestSupport {

	private static final String SESSION_ENDED = EventStreamClient.closeEvent(1008, "session ended");

	@Test
	void loggingOutEndsTheStreamsOfThatLoginWithACloseEvent1008AndLeavesTheOthers() {
		Map<String, String> login = Logins.formLogin(this.port, ALICE);
		EventStreamClient leaving = stream("tasks/1", login);
		TestClient leavingSocket = join("tasks/1", login);
		EventStreamClient otherLogin = stream("tasks/1", Logins.formLogin(this.port, ADMIN));

		Logins.logout(this.port, login);

		assertThat(leaving.awaitCloseEvent()).isEqualTo(SESSION_ENDED);
		assertThat(leavingSocket.awaitClose().code()).isEqualTo(1008);
		awaitSessions("tasks/1", 1);
		assertThat(this.notifier.broadcast("tasks/1", "still served")).isEqualTo(1);
		otherLogin.awaitLines("data: still served");
	}

	@Test
	void aMessageToAUserReachesItsStreamsAndNobodyElse() {
		EventStreamClient aliceByForm = stream("tasks/1", Logins.formLogin(this.port, ALICE));
		TestClient aliceByBasic = join("public/news", Logins.basic(ALICE));
		EventStreamClient admin = stream("tasks/1", Logins.basic(ADMIN));

		assertThat(this.notifier.sendToUser(ALICE, "for alice")).isEqualTo(2);

		aliceByForm.awaitLines("data: for alice");
		assertThat(aliceByBasic.awaitTexts(1)).containsExactly("for alice");
		this.notifier.broadcast("tasks/1", "to the group");
		admin.awaitLines("data: to the group");
		assertThat(admin.events()).doesNotContain("data: for alice");
	}

	@Test
	void closingAUserEndsItsStreamsWithTheStatusAndKeepsServingTheOthers() {
		EventStreamClient alice = stream("tasks/1", Logins.basic(ALICE));
		TestClient aliceSocket = join("tasks/2", Logins.formLogin(this.port, ALICE));
		EventStreamClient admin = stream("tasks/1", Logins.basic(ADMIN));

		assertThat(this.notifier.closeUser(ALICE, CloseStatus.POLICY_VIOLATION.withReason("account locked")))
			.isEqualTo(2);

		assertThat(alice.awaitCloseEvent()).isEqualTo(EventStreamClient.closeEvent(1008, "account locked"));
		assertThat(aliceSocket.awaitClose()).isEqualTo(new TestClient.Closure(1008, "account locked"));
		awaitSessions("tasks/1", 1);
		assertThat(this.notifier.sendToUser(ADMIN, "still served")).isEqualTo(1);
		admin.awaitLines("data: still served");
	}

	@Test
	void aWebSocketAndAStreamFillTheUsersCapAndTheNextConnectionOfEitherKindIsRefusedWith429AndTheReason() {
		join("tasks/1", Logins.basic(ALICE));
		stream("tasks/2", Logins.basic(ALICE));

		TestClient.Refusal socket = TestClient.refused(uri(PATH + "/tasks/3"), Logins.basic(ALICE));
		HttpResponse<String> stream = HttpGet.get(this.port, SSE_PATH + "/tasks/3", Logins.basic(ALICE));

		String reason = "too many connections for the user alice (at most 2)";
		assertThat(socket).isEqualTo(new TestClient.Refusal(429, reason));
		assertThat(stream.statusCode()).isEqualTo(429);
		assertThat(stream.body()).isEqualTo(reason);
		assertThat(this.notifier.sessionCount()).isEqualTo(2);
		stream("tasks/3", Logins.basic(ADMIN));
	}

	@Test
	void anEndedStreamGivesItsPlaceUnderTheCapBack() {
		join("tasks/1", Logins.basic(ALICE));
		EventStreamClient stream = stream("tasks/2", Logins.basic(ALICE));

		this.notifier.close("tasks/2", CloseStatus.NORMAL);
		stream.awaitEnd();

		// The place is given back once the container has completed the stream, just after the engine heard of it.
		Waits.await("a third connection of alice's is admitted")
			.untilAsserted(() -> connect(PATH + "/tasks/3", Logins.basic(ALICE)));
		awaitSessions("tasks/3", 1);
	}

}
