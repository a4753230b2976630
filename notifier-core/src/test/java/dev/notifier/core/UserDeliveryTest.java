package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

/** The per-user verbs: sendToUser and closeUser reach a user's sessions in every group, and only those. */
class UserDeliveryTest extends EngineTestSupport {

	@Test
	void sendToUserReachesEverySessionOfTheUserInEveryGroupAndNoOneElse() {
		NotifierEngine engine = engine();
		Peer aliceInChat = openAs(engine, "chat/lobby", "alice");
		Peer aliceInTasks = openAs(engine, "tasks/1", "alice");
		Peer bob = openAs(engine, "chat/lobby", "bob");
		Peer anonymous = open(engine, "chat/lobby");

		assertThat(engine.sendToUser("alice", "for alice")).isEqualTo(2);

		flush(engine);
		assertThat(aliceInChat.texts()).containsExactly("for alice");
		assertThat(aliceInTasks.texts()).containsExactly("for alice");
		assertThat(bob.texts()).isEmpty();
		assertThat(anonymous.texts()).isEmpty();
	}

	@Test
	void aUserWithoutSessionsGetsNothingAndASessionThatLeftIsNoLongerReached() {
		NotifierEngine engine = engine();
		Peer first = openAs(engine, "chat/lobby", "alice");
		Peer second = openAs(engine, "chat/lobby", "alice");

		assertThat(engine.sendToUser("carol", "nobody")).isZero();
		first.session().close(CloseStatus.NORMAL);

		assertThat(engine.sendToUser("alice", "after")).isEqualTo(1);
		flush(engine);
		assertThat(second.texts()).containsExactly("after");
		assertThat(first.texts()).doesNotContain("after");
	}

	@Test
	void closeUserClosesEverySessionOfTheUserWithTheStatusAndLeavesTheOthersOpen() {
		NotifierEngine engine = engine();
		Peer aliceInChat = openAs(engine, "chat/lobby", "alice");
		Peer aliceInTasks = openAs(engine, "tasks/1", "alice");
		Peer bob = openAs(engine, "chat/lobby", "bob");

		int closed = engine.closeUser("alice", CloseStatus.POLICY_VIOLATION.withReason("account locked"));

		assertThat(closed).isEqualTo(2);
		aliceInChat.awaitClosedWith(1008);
		aliceInTasks.awaitClosedWith(1008);
		assertThat(aliceInChat.transport().closeStatus().reason()).isEqualTo("account locked");
		assertThat(bob.session().isOpen()).isTrue();
		assertThat(engine.closeUser("alice", CloseStatus.NORMAL)).as("nothing left to close").isZero();
		assertThat(engine.sendToUser("bob", "still served")).isEqualTo(1);
	}

	@Test
	void aNullOrBlankUserIsRefusedWithASentenceAndTheEngineKeepsServing() {
		NotifierEngine engine = engine();
		Peer alice = openAs(engine, "chat/lobby", "alice");

		assertThatIllegalArgumentException().isThrownBy(() -> engine.sendToUser(null, "x"))
			.withMessage("The user must be the non-blank name of a principal, but was null");
		assertThatIllegalArgumentException().isThrownBy(() -> engine.sendToUser(" ", "x"))
			.withMessage("The user must be the non-blank name of a principal, but was ' '");
		assertThatIllegalArgumentException().isThrownBy(() -> engine.closeUser("", CloseStatus.NORMAL))
			.withMessageStartingWith("The user must be the non-blank name of a principal");
		assertThatIllegalArgumentException().isThrownBy(() -> engine.closeUser("alice", new CloseStatus(1006, "")))
			.withMessageContaining("1006");

		assertThat(alice.session().isOpen()).isTrue();
		assertThat(engine.sendToUser("alice", "still served")).isEqualTo(1);
	}

}
