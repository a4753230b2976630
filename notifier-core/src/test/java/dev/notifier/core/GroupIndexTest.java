package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The registry: sessions indexed by group and by id. */
class GroupIndexTest extends EngineTestSupport {

	@Test
	void broadcastToGroupReachesOnlyThatGroup() {
		NotifierEngine engine = engine();
		Peer a1 = open(engine, "tasks/1");
		Peer a2 = open(engine, "tasks/1");
		Peer b = open(engine, "tasks/2");
		Peer c = open(engine, "tasks");

		int queued = engine.broadcast("tasks/1", "done");

		assertThat(queued).isEqualTo(2);
		assertThat(a1.texts()).containsExactly("done");
		assertThat(a2.texts()).containsExactly("done");
		assertThat(b.texts()).isEmpty();
		assertThat(c.texts()).isEmpty();
	}

	@Test
	void sessionCountCountsEveryOpenSessionAndEachGroup() {
		NotifierEngine engine = engine();
		open(engine, "a");
		open(engine, "a");
		open(engine, "b/c");

		assertThat(engine.sessionCount()).isEqualTo(3);
		assertThat(engine.sessionCount("a")).isEqualTo(2);
		assertThat(engine.sessionCount("b/c")).isEqualTo(1);
	}

	@Test
	void unknownGroupHasNoSessionsAndBroadcastToItQueuesNothing() {
		NotifierEngine engine = engine();
		open(engine, "a");

		assertThat(engine.sessionCount("nobody")).isZero();
		assertThat(engine.sessions("nobody")).isEmpty();
		assertThat(engine.broadcast("nobody", "hello")).isZero();
		assertThat(engine.sequence("nobody")).isZero();
	}

	@Test
	void engineWithoutSessionsIsEmpty() {
		NotifierEngine engine = engine();

		assertThat(engine.sessionCount()).isZero();
		assertThat(engine.groups()).isEmpty();
		assertThat(engine.broadcastAll("hello")).isZero();
	}

	@Test
	void groupsListsEveryGroupWithAnOpenSession() {
		NotifierEngine engine = engine();
		open(engine, "a");
		open(engine, "a");
		open(engine, "b/c");

		assertThat(engine.groups()).containsExactlyInAnyOrder("a", "b/c");
	}

	@Test
	void sessionsOfAGroupAreExactlyItsOpenSessions() {
		NotifierEngine engine = engine();
		Peer a1 = open(engine, "a");
		Peer a2 = open(engine, "a");
		open(engine, "b");

		assertThat(engine.sessions("a")).containsExactlyInAnyOrder(a1.session(), a2.session());
	}

	@Test
	void sessionIsFoundByItsIdWhileOpen() {
		NotifierEngine engine = engine();
		Peer peer = open(engine, "a");

		assertThat(engine.session(peer.session().id())).containsSame(peer.session());
		assertThat(engine.session("no-such-id")).isEmpty();

		peer.session().close(CloseStatus.NORMAL);

		assertThat(engine.session(peer.session().id())).isEmpty();
	}

	@Test
	void sessionIdsAreUnique() {
		NotifierEngine engine = engine();
		Peer a = open(engine, "a");
		Peer b = open(engine, "a");

		assertThat(a.session().id()).isNotEqualTo(b.session().id());
	}

	@Test
	void sessionKnowsItsGroupAndHandshake() {
		NotifierEngine engine = engine();
		HandshakeInfo handshake = new HandshakeInfo("rooms/7", null, null,
				Map.of("x-user", List.of("ann")), Map.of("since", List.of("3")));
		RecordingTransport transport = new RecordingTransport(RecordingTransport.Mode.INLINE);
		NotifierSession session = engine.open(handshake, transport).session();

		assertThat(session.group()).isEqualTo("rooms/7");
		assertThat(session.handshakeHeaders()).containsEntry("x-user", List.of("ann"));
		assertThat(session.queryParameters()).containsEntry("since", List.of("3"));
		assertThat(session.connectedAt()).isNotNull();
		assertThat(session.isOpen()).isTrue();
	}

	@Test
	void groupDisappearsWhenItsLastSessionCloses() {
		NotifierEngine engine = engine();
		Peer a1 = open(engine, "a");
		Peer a2 = open(engine, "a");
		open(engine, "b");

		a1.session().close(CloseStatus.NORMAL);
		assertThat(engine.groups()).containsExactlyInAnyOrder("a", "b");
		assertThat(engine.sessionCount("a")).isEqualTo(1);

		a2.session().close(CloseStatus.NORMAL);
		assertThat(engine.groups()).containsExactly("b");
		assertThat(engine.sessionCount("a")).isZero();
		assertThat(engine.sessionCount()).isEqualTo(1);
	}

	@Test
	void groupDisappearsWhenThePeerClosesItsLastConnection() {
		NotifierEngine engine = engine();
		Peer peer = open(engine, "a");

		peer.connection().onClosed(new CloseStatus(1006, "abnormal"));

		assertThat(engine.groups()).isEmpty();
		assertThat(engine.sessionCount()).isZero();
		assertThat(peer.session().isOpen()).isFalse();
	}

	@Test
	void groupComesBackEmptyOfHistoryWhenASessionJoinsAgain() {
		NotifierEngine engine = engine();
		Peer first = open(engine, "a");
		engine.broadcast("a", "one");
		long before = engine.sequence("a");
		first.session().close(CloseStatus.NORMAL);
		assertThat(engine.sequence("a")).as("no group, no number").isZero();

		Peer second = open(engine, "a");
		engine.broadcast("a", "two");

		assertThat(engine.groups()).containsExactly("a");
		assertThat(engine.sessions("a")).containsExactly(second.session());
		assertThat(second.texts()).containsExactly("two");
		assertThat(engine.sequence("a")).as("numbers keep growing across the group's comings and goings")
			.isGreaterThan(before);
	}

	@Test
	void groupSequenceStartsFromTheWallClockInMicroseconds() {
		NotifierEngine engine = engine();
		long before = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());

		open(engine, "a");

		assertThat(engine.sequence("a")).isBetween(before,
				ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()) + 1);
	}

	@Test
	void closedSessionReceivesNoBroadcast() {
		NotifierEngine engine = engine();
		Peer closed = open(engine, "a");
		Peer open = open(engine, "a");
		closed.session().close(CloseStatus.NORMAL);

		assertThat(engine.broadcast("a", "hello")).isEqualTo(1);
		assertThat(open.texts()).containsExactly("hello");
		assertThat(closed.texts()).isEmpty();
	}

	@Test
	void broadcastToAnInvalidGroupNameThrowsWithTheReason() {
		NotifierEngine engine = engine();

		assertThatIllegalArgumentException().isThrownBy(() -> engine.broadcast("a//b", "x"))
			.withMessage("invalid group 'a//b': the group name has an empty segment");
		assertThatIllegalArgumentException().isThrownBy(() -> engine.broadcast("", "x"))
			.withMessageStartingWith("invalid group '': the group is missing");
		assertThatIllegalArgumentException().isThrownBy(() -> engine.broadcast("a/../b", "x"))
			.withMessageContaining("'..' segment");
		assertThatIllegalArgumentException().isThrownBy(() -> engine.broadcast("a b", "x"))
			.withMessageContaining("character outside [A-Za-z0-9._~-] at position 1");
	}

	@Test
	void broadcastFilterToAnInvalidGroupNameThrows() {
		NotifierEngine engine = engine();

		assertThatIllegalArgumentException().isThrownBy(() -> engine.broadcastFilter("a/", "x", (s) -> true))
			.withMessageContaining("invalid group 'a/'");
	}

	@Test
	void broadcastToAGroupNameLongerThanTheLimitThrows() {
		NotifierEngine engine = engine(options().maxGroupLength(5));

		assertThatIllegalArgumentException().isThrownBy(() -> engine.broadcast("abcdef", "x"))
			.withMessageContaining("longer than 5 characters");
		assertThat(engine.broadcast("abcde", "x")).isZero();
	}

}
