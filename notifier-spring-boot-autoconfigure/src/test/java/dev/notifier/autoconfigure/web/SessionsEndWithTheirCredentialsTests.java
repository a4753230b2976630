package dev.notifier.autoconfigure.web;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import dev.notifier.core.NotifierSession;
import dev.notifier.core.SessionExpiry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions opened with a real bearer JWT through Spring Security's resource server close with 1008 "token expired"
 * when the token expires, and with 1008 "not authorized" when re-authorization refuses them; the others stay served.
 * Event streams end the same way, with a close event.
 */
@SpringBootTest(classes = TokenTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "notifier.security.reauthorize-interval=200ms")
class SessionsEndWithTheirCredentialsTests extends ContainerTestSupport {

	@Autowired
	private TokenTestApplication.Members members;

	@AfterEach
	void forgetMembers() {
		this.members.remove("alice");
		this.members.remove("bob");
	}

	@Test
	void aSessionClosesWith1008TokenExpiredWhenItsTokenExpiresAndNotBefore() {
		this.members.add("alice");
		this.members.add("bob");
		// A JWT's exp is in whole seconds: the token expires at the latest second before now + 3s, or after it.
		Instant expiry = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS);
		TestClient alice = join("projects/1", TokenTestApplication.token("alice", Duration.ofSeconds(3)));
		TestClient bob = join("projects/1", TokenTestApplication.token("bob", Duration.ofHours(1)));
		NotifierSession aliceSession = this.notifier.sessions("projects/1")
			.stream()
			.filter((session) -> "alice".equals(session.principal().getName()))
			.findFirst()
			.orElseThrow();
		assertThat(aliceSession.principal()).as("the handshake's principal").isInstanceOf(JwtAuthenticationToken.class);

		TestClient.Closure closure = alice.awaitClose();

		assertThat(Instant.now()).as("closed once the token expired").isAfterOrEqualTo(expiry);
		assertThat(closure).isEqualTo(new TestClient.Closure(1008, SessionExpiry.EXPIRED.reason()));
		awaitSessions("projects/1", 1);
		this.notifier.broadcast("projects/1", "still served");
		assertThat(bob.awaitTexts(1)).containsExactly("still served");
	}

	@Test
	void reauthorizationClosesWith1008TheSessionsOfAUserNoLongerAllowedAndKeepsServingTheOthers() {
		this.members.add("alice");
		this.members.add("bob");
		TestClient alice = join("projects/1", TokenTestApplication.token("alice", Duration.ofHours(1)));
		TestClient bob = join("projects/1", TokenTestApplication.token("bob", Duration.ofHours(1)));

		this.members.remove("alice");

		assertThat(alice.awaitClose()).isEqualTo(new TestClient.Closure(1008, "not authorized"));
		awaitSessions("projects/1", 1);
		this.notifier.broadcast("projects/1", "still served");
		assertThat(bob.awaitTexts(1)).containsExactly("still served");
	}

	@Test
	void aStreamEndsWithACloseEvent1008TokenExpiredWhenItsTokenExpiresAndNotBefore() {
		this.members.add("alice");
		this.members.add("bob");
		// A JWT's exp is in whole seconds: the token expires at the latest second before now + 3s, or after it.
		Instant expiry = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS);
		EventStreamClient alice = stream("projects/1", TokenTestApplication.token("alice", Duration.ofSeconds(3)));
		EventStreamClient bob = stream("projects/1", TokenTestApplication.token("bob", Duration.ofHours(1)));

		String closeEvent = alice.awaitCloseEvent();

		assertThat(Instant.now()).as("ended once the token expired").isAfterOrEqualTo(expiry);
		assertThat(closeEvent).isEqualTo(EventStreamClient.closeEvent(1008, SessionExpiry.EXPIRED.reason()));
		awaitSessions("projects/1", 1);
		this.notifier.broadcast("projects/1", "still served");
		bob.awaitLines("data: still served");
	}

	@Test
	void reauthorizationEndsWithACloseEvent1008TheStreamsOfAUserNoLongerAllowedAndKeepsServingTheOthers() {
		this.members.add("alice");
		this.members.add("bob");
		EventStreamClient alice = stream("projects/1", TokenTestApplication.token("alice", Duration.ofHours(1)));
		EventStreamClient bob = stream("projects/1", TokenTestApplication.token("bob", Duration.ofHours(1)));

		this.members.remove("alice");

		assertThat(alice.awaitCloseEvent()).isEqualTo(EventStreamClient.closeEvent(1008, "not authorized"));
		awaitSessions("projects/1", 1);
		this.notifier.broadcast("projects/1", "still served");
		bob.awaitLines("data: still served");
	}

}
