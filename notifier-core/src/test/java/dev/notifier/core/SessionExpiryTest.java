package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

/** Sessions do not outlive their login: credentials that expire, and re-authorization. */
class SessionExpiryTest extends EngineTestSupport {

	@Test
	void aSessionIsClosedWith1008TokenExpiredOnceItsCredentialsHaveExpiredAndNotBefore() {
		// Within the heartbeat timeout, so that only the expiry can close the session.
		Instant expiry = Instant.now().plusSeconds(20);
		NotifierEngine engine = engine((builder) -> builder.sessionExpiry(
				(handshake) -> "alice".equals(handshake.principal().getName()) ? expiry : null));
		Peer alice = openAs(engine, "chat/lobby", "alice");
		Peer bob = openAs(engine, "chat/lobby", "bob");

		advance(Duration.ofSeconds(18));
		engine.sweep();
		assertThat(alice.session().isOpen()).as("two seconds before the expiry").isTrue();

		advance(Duration.ofSeconds(3));
		engine.sweep();
		alice.awaitClosedWith(1008);
		assertThat(alice.transport().closeStatus()).isEqualTo(SessionExpiry.EXPIRED);
		assertThat(bob.session().isOpen()).as("credentials that never expire").isTrue();
		assertThat(engine.broadcast("chat/lobby", "still served")).isEqualTo(1);
	}

	@Test
	void credentialsThatExpiredBeforeTheHandshakeCloseTheSessionAtTheNextSweep() {
		NotifierEngine engine = engine(
				(builder) -> builder.sessionExpiry((handshake) -> Instant.now().minusSeconds(5)));
		Peer late = openAs(engine, "chat/lobby", "alice");

		engine.sweep();

		late.awaitClosedWith(1008);
	}

	@Test
	void reauthorizationClosesTheSessionsTheAuthorizerNowRefusesAndKeepsTheOthers() {
		Set<String> members = ConcurrentHashMap.newKeySet();
		members.addAll(Set.of("alice", "bob"));
		GroupAuthorizer membersOnly = (handshake) -> members.contains(handshake.principal().getName());
		NotifierEngine engine = engine((builder) -> builder.reauthorize(membersOnly, Duration.ofHours(1)));
		Peer alice = openAs(engine, "projects/1", "alice");
		Peer bob = openAs(engine, "projects/1", "bob");

		members.remove("alice");
		engine.reauthorize();

		alice.awaitClosedWith(1008);
		assertThat(alice.transport().closeStatus()).isEqualTo(NotifierEngine.NOT_AUTHORIZED);
		assertThat(bob.session().isOpen()).isTrue();
	}

	@Test
	void anAuthorizerThatFailsOnReauthorizationKeepsTheSessionOpenAndTheOthersAreStillAsked() {
		GroupAuthorizer failsForAlice = (handshake) -> {
			if ("alice".equals(handshake.principal().getName())) {
				throw new IllegalStateException("membership store unavailable");
			}
			return false;
		};
		NotifierEngine engine = engine((builder) -> builder.reauthorize(failsForAlice, Duration.ofHours(1)));
		Peer alice = openAs(engine, "projects/1", "alice");
		Peer bob = openAs(engine, "projects/1", "bob");

		engine.reauthorize();

		bob.awaitClosedWith(1008);
		assertThat(alice.session().isOpen()).isTrue();
	}

	@Test
	void reauthorizationRunsByItselfAtTheIntervalOnAThreadOfItsOwn() {
		Map<String, String> askedOn = new ConcurrentHashMap<>();
		GroupAuthorizer refuses = (handshake) -> {
			askedOn.put(handshake.principal().getName(), Thread.currentThread().getName());
			return false;
		};
		NotifierEngine engine = engine((builder) -> builder.reauthorize(refuses, Duration.ofMillis(50)));
		Peer alice = openAs(engine, "projects/1", "alice");

		alice.awaitClosedWith(1008);
		assertThat(askedOn.get("alice")).startsWith("notifier-reauthorize-");
	}

	@Test
	void aReauthorizationIntervalThatIsNotPositiveIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NotifierEngine.builder(options().build()).reauthorize(GroupAuthorizer.ALLOW_ALL,
					Duration.ZERO))
			.withMessage("The re-authorization interval must be positive: PT0S");
	}

}
