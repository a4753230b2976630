package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

/** Presence on one engine: who is in a group with presence, and a user's join and leave for the listeners. */
class PresenceTest extends EngineTestSupport {

	private final PresenceRecorder chat = new PresenceRecorder("chat/*");

	@Test
	void presenceCountsTheSessionsOfEachUserAndTheAnonymousOnesInTheTotalOnly() {
		NotifierEngine engine = engineWithPresence(List.of("chat/*"));
		openAs(engine, "chat/lobby", "alice");
		openAs(engine, "chat/lobby", "alice");
		openAs(engine, "chat/lobby", "bob");
		open(engine, "chat/lobby");
		openAs(engine, "chat/other", "carol");

		Presence presence = engine.presence("chat/lobby");

		assertThat(presence).isEqualTo(new Presence("chat/lobby", 4, Map.of("alice", 2, "bob", 1), true));
		assertThat(presence.contains("carol")).isFalse();
		assertThat(engine.presence("chat/empty")).isEqualTo(new Presence("chat/empty", 0, Map.of(), true));
	}

	@Test
	void aUserJoinsWithItsFirstSessionAndLeavesWithItsLastOnce() {
		NotifierEngine engine = engineWithPresence(List.of("chat/*"), this.chat);
		Peer first = openAs(engine, "chat/lobby", "alice");
		eventually().until(() -> this.chat.events.equals(List.of("join chat/lobby alice")));
		Peer second = openAs(engine, "chat/lobby", "alice");
		open(engine, "chat/lobby").session().close(CloseStatus.NORMAL);

		first.session().close(CloseStatus.NORMAL);
		eventually().until(() -> engine.presence("chat/lobby").equals(
				new Presence("chat/lobby", 1, Map.of("alice", 1), true)));
		second.session().close(CloseStatus.NORMAL);

		eventually().until(() -> this.chat.events.size() == 2);
		assertThat(this.chat.events).containsExactly("join chat/lobby alice", "leave chat/lobby alice");
		assertThat(engine.presence("chat/lobby").users()).isEmpty();
	}

	@Test
	void listenersHearOnlyTheGroupsOfTheirPatternAndGroupsWithoutPresenceHaveNoEvents() {
		PresenceRecorder everywhere = new PresenceRecorder("**");
		NotifierEngine engine = engineWithPresence(List.of("chat/*", "admin/**"), this.chat, everywhere);
		openAs(engine, "admin/audit", "root");
		openAs(engine, "tasks/1", "alice");
		openAs(engine, "chat/lobby", "bob");

		eventually().until(() -> everywhere.events.size() == 2);
		assertThat(everywhere.events).containsExactlyInAnyOrder("join admin/audit root", "join chat/lobby bob");
		assertThat(this.chat.events).containsExactly("join chat/lobby bob");
		assertThat(engine.hasPresence("tasks/1")).isFalse();
	}

	@Test
	void aGroupWithoutPresenceOrAnInvalidGroupIsRefusedWithTheReason() {
		NotifierEngine engine = engineWithPresence(List.of("chat/*"));
		openAs(engine, "chat/lobby", "alice");

		assertThatIllegalArgumentException().isThrownBy(() -> engine.presence("tasks/1"))
			.withMessage("The group 'tasks/1' has no presence: no presence group pattern matches it "
					+ "(notifier.presence.groups)");
		assertThatIllegalArgumentException().isThrownBy(() -> engine.presence("chat//x"));
		assertThat(engine.presence("chat/lobby").users()).containsOnlyKeys("alice");
	}

	@Test
	void anInvalidPresencePatternIsRefusedWhenTheEngineIsBuilt() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NotifierEngine.builder(options().build()).presence(List.of("chat/a*")))
			.withMessageContaining("invalid group pattern 'chat/a*'");
	}

	@Test
	void aListenerFailingOnAPresenceEventDoesNotKeepTheOthersFromHearingIt() {
		NotifierListener failing = new PresenceRecorder("**") {

			@Override
			public void onPresenceJoin(String group, String user) {
				throw new IllegalStateException("broken listener");
			}

		};
		NotifierEngine engine = engineWithPresence(List.of("chat/*"), failing, this.chat);
		openAs(engine, "chat/lobby", "alice");
		eventually().until(() -> this.chat.events.size() == 1);
		Peer bob = openAs(engine, "chat/lobby", "bob");
		eventually().until(() -> this.chat.events.size() == 2);
		bob.session().close(CloseStatus.NORMAL);

		eventually().until(() -> this.chat.events.size() == 3);
		assertThat(this.chat.events).containsExactly("join chat/lobby alice", "join chat/lobby bob",
				"leave chat/lobby bob");
	}

	@Test
	void aSessionThatJoinsAndLeavesBeforeThePresenceThreadLooksIsNeitherAnnouncedNorCounted() {
		NotifierEngine engine = engineWithPresence(List.of("chat/*"), this.chat);
		openAs(engine, "chat/lobby", "alice").session().close(CloseStatus.NORMAL);
		openAs(engine, "chat/lobby", "bob");

		eventually().until(() -> this.chat.events.contains("join chat/lobby bob"));
		assertThat(this.chat.events).as("alice's join, if heard, is followed by her leave")
			.isIn(List.of("join chat/lobby bob"),
					List.of("join chat/lobby alice", "leave chat/lobby alice", "join chat/lobby bob"));
		assertThat(engine.presence("chat/lobby").users()).containsOnlyKeys("bob");
	}

	@Test
	void withoutPresenceGroupsNoGroupHasPresence() {
		NotifierEngine engine = engine(this.chat);
		openAs(engine, "chat/lobby", "alice");

		assertThat(engine.hasPresence("chat/lobby")).isFalse();
		assertThatIllegalArgumentException().isThrownBy(() -> engine.presence("chat/lobby"));
	}

	/** Records presence events as lines such as {@code "join chat/lobby alice"}. */
	static class PresenceRecorder implements NotifierListener {

		private final String pattern;

		final List<String> events = new CopyOnWriteArrayList<>();

		PresenceRecorder(String pattern) {
			this.pattern = pattern;
		}

		@Override
		public String groupPattern() {
			return this.pattern;
		}

		@Override
		public void onPresenceJoin(String group, String user) {
			this.events.add("join " + group + " " + user);
		}

		@Override
		public void onPresenceLeave(String group, String user) {
			this.events.add("leave " + group + " " + user);
		}

	}

}
