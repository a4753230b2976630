package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;

import org.junit.jupiter.api.Test;

/** A {@link Broadcast} refuses fields that do not fit its target. */
class BroadcastTest extends EngineTestSupport {

	private static final OutboundMessage MESSAGE = OutboundMessage.text("x");

	@Test
	void eachTargetAcceptsTheFieldsItNeeds() {
		NotifierSession sender = open(engine(), "chat/lobby").session();

		assertThat(Broadcast.toGroup("tasks/1", MESSAGE).group()).isEqualTo("tasks/1");
		assertThat(Broadcast.toAll(MESSAGE).group()).isNull();
		assertThat(Broadcast.toGroupFiltered("tasks/1", MESSAGE, (session) -> true).filter()).isNotNull();
		assertThat(Broadcast.toOthers(sender, MESSAGE).sessions()).containsExactly(sender);
		assertThat(Broadcast.toSessions(List.of(sender), MESSAGE).sessions()).containsExactly(sender);
	}

	@Test
	void groupTargetsNeedAValidGroup() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Broadcast(Broadcast.Target.GROUP, null, MESSAGE, null, List.of()))
			.withMessage("a GROUP broadcast needs a group");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Broadcast(Broadcast.Target.GROUP, "a/../b", MESSAGE, null, List.of()))
			.withMessage("invalid group 'a/../b': the group name has a '..' segment");
	}

	@Test
	void otherTargetsHaveNoGroup() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Broadcast(Broadcast.Target.ALL, "tasks/1", MESSAGE, null, List.of()))
			.withMessage("a ALL broadcast has no group, but got 'tasks/1'");
	}

	@Test
	void aFilterGoesWithFilteredBroadcastsOnly() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Broadcast(Broadcast.Target.GROUP_FILTER, "tasks/1", MESSAGE, null, List.of()));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Broadcast(Broadcast.Target.GROUP, "tasks/1", MESSAGE, (session) -> true, List.of()));
	}

	@Test
	void othersLeavesOutExactlyOneSessionOfItsOwnGroup() {
		NotifierSession elsewhere = open(engine(), "chat/other").session();

		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Broadcast(Broadcast.Target.GROUP_OTHERS, "chat/lobby", MESSAGE, null, List.of()));
		assertThatIllegalArgumentException()
			.isThrownBy(
					() -> new Broadcast(Broadcast.Target.GROUP_OTHERS, "chat/lobby", MESSAGE, null, List.of(elsewhere)))
			.withMessage("a GROUP_OTHERS broadcast leaves out exactly one session of its group");
	}

	@Test
	void sessionsGoWithSessionTargetsOnly() {
		NotifierSession session = open(engine(), "chat/lobby").session();

		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Broadcast(Broadcast.Target.ALL, null, MESSAGE, null, List.of(session)));
	}

}
