package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GroupPatternTest {

	@ParameterizedTest(name = "{0} matches {1}: {2}")
	@CsvSource({
		"chat/*, chat/lobby, true",
		"chat/*, chat/a, true",
		"chat/*, chat, false",
		"chat/*, chat/a/b, false",
		"chat/*, other/a, false",
		"chat/*, chatroom/a, false",
		"*, a, true",
		"*, a/b, false",
		"*/b, a/b, true",
		"*/b, a/c, false",
		"*/*, a/b, true",
		"*/*, a, false",
	})
	void singleStarMatchesExactlyOneSegment(String pattern, String group, boolean matches) {
		assertThat(GroupPattern.compile(pattern).matches(group)).isEqualTo(matches);
	}

	@ParameterizedTest(name = "{0} matches {1}: {2}")
	@CsvSource({
		"**, a, true",
		"**, a/b/c, true",
		"tasks/**, tasks, true",
		"tasks/**, tasks/1, true",
		"tasks/**, tasks/1/log, true",
		"tasks/**, task, false",
		"tasks/**, other/tasks, false",
		"**/log, log, true",
		"**/log, tasks/1/log, true",
		"**/log, tasks/1/logs, false",
		"a/**/b, a/b, true",
		"a/**/b, a/x/b, true",
		"a/**/b, a/x/y/b, true",
		"a/**/b, a/x/y, false",
		"a/**/*, a, false",
		"a/**/*, a/b, true",
		"a/**/*, a/b/c, true",
	})
	void doubleStarMatchesAnyNumberOfSegments(String pattern, String group, boolean matches) {
		assertThat(GroupPattern.compile(pattern).matches(group)).isEqualTo(matches);
	}

	@ParameterizedTest(name = "{0} matches {1}: {2}")
	@CsvSource({
		"chat, chat, true",
		"chat, chat/a, false",
		"chat, cha, false",
		"chat/lobby, chat/lobby, true",
		"chat/lobby, chat/LOBBY, false",
		"a.b, a.b, true",
		"a.b, axb, false",
	})
	void literalMatchesOnlyItself(String pattern, String group, boolean matches) {
		assertThat(GroupPattern.compile(pattern).matches(group)).isEqualTo(matches);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "/", "a/", "/a", "a//b", "a*", "*a", "a/b*/c", "***", "**x", "a/*b" })
	void invalidPatternIsRejected(String pattern) {
		assertThatIllegalArgumentException().isThrownBy(() -> GroupPattern.compile(pattern))
			.withMessageStartingWith("invalid group pattern '" + pattern + "'");
	}

	@Test
	void patternsWithTheSameSegmentsAreEqual() {
		assertThat(GroupPattern.compile("chat/*")).isEqualTo(GroupPattern.compile("chat/*"))
			.hasSameHashCodeAs(GroupPattern.compile("chat/*"))
			.isNotEqualTo(GroupPattern.compile("chat/**"));
		assertThat(GroupPattern.compile("chat/*")).hasToString("chat/*");
	}

}
