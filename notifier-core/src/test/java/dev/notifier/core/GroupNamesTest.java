package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GroupNamesTest {

	@ParameterizedTest
	@ValueSource(strings = { "a", "tasks/42", "a/b/c/d", "A-Z_a.z~0-9", "v1.2/x~y", "..a", "a..", "..." })
	void validNamesHaveNoProblem(String group) {
		assertThat(GroupNames.problem(group, 256)).isNull();
		assertThat(GroupNames.requireValid(group, 256)).isEqualTo(group);
	}

	@Test
	void emptyNameIsMissing() {
		assertThat(GroupNames.problem("", 256))
			.isEqualTo("the group is missing: connect to <path>/<group>, for example /ws/tasks/42");
	}

	@ParameterizedTest
	@ValueSource(strings = { "/", "/a", "a/", "a//b", "a/b/" })
	void emptySegmentIsAProblem(String group) {
		assertThat(GroupNames.problem(group, 256)).isEqualTo("the group name has an empty segment");
	}

	@Test
	void dotSegmentIsAProblem() {
		assertThat(GroupNames.problem(".", 256)).isEqualTo("the group name has a '.' segment");
		assertThat(GroupNames.problem("a/./b", 256)).isEqualTo("the group name has a '.' segment");
	}

	@Test
	void dotDotSegmentIsAProblem() {
		assertThat(GroupNames.problem("..", 256)).isEqualTo("the group name has a '..' segment");
		assertThat(GroupNames.problem("a/..", 256)).isEqualTo("the group name has a '..' segment");
	}

	@Test
	void badCharacterIsReportedWithItsPosition() {
		assertThat(GroupNames.problem("a b", 256))
			.isEqualTo("the group name has a character outside [A-Za-z0-9._~-] at position 1");
		assertThat(GroupNames.problem("tasks/%2F", 256)).endsWith("at position 6");
		assertThat(GroupNames.problem("é", 256)).endsWith("at position 0");
		assertThat(GroupNames.problem("a*", 256)).endsWith("at position 1");
		assertThat(GroupNames.problem("a?b", 256)).endsWith("at position 1");
		assertThat(GroupNames.problem("a\\b", 256)).endsWith("at position 1");
	}

	@Test
	void nameLongerThanTheLimitIsAProblem() {
		assertThat(GroupNames.problem("a".repeat(10), 10)).isNull();
		assertThat(GroupNames.problem("a".repeat(11), 10)).isEqualTo("the group name is longer than 10 characters");
	}

	@Test
	void requireValidThrowsWithTheProblem() {
		assertThatIllegalArgumentException().isThrownBy(() -> GroupNames.requireValid("a/../b", 256))
			.withMessage("invalid group 'a/../b': the group name has a '..' segment");
	}

}
