package dev.notifier.autoconfigure.web;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import dev.notifier.core.SessionExpiry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Event streams opened with a real bearer JWT through Spring Security's resource server end like WebSocket sessions
 * ({@link SessionsEndWithTheirCredentialsTests}, whose application this shares): with a close event 1008
 * "token expired" when the token expires, and 1008 "not authorized" when re-authorization refuses them; the others
 * stay served.
 */
@SpringBootTest(classes = TokenTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "notifier.security.reauthorize-interval=200ms")
class EventStreamCredentialsTests extends ContainerTestSupport {

	@Autowired
	private TokenTestApplication.Members members;

	@AfterEach
	void forgetMembers() {
		this.members.remove("alice");
		this.members.remove("bob");
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
