package dev.notifier.autoconfigure.web;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A broadcast reaches the sessions of its group and no other: not a sibling group, not a parent, not a child.
 *
 * <p>That a session did not receive something is shown without waiting for time to pass: a broadcast queues its
 * message for every recipient before it returns, and a session receives what is queued for it in order, so once a
 * marker sent afterwards has arrived, anything wrongly queued earlier would have arrived too.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class GroupIsolationTests extends ContainerTestSupport {

	private static final String MARKER = "marker";

	@Test
	void broadcastReachesOnlyTheSessionsOfItsGroup() {
		TestClient first = join("tasks/1");
		TestClient second = join("tasks/1");
		TestClient other = join("tasks/2");

		assertThat(this.notifier.broadcast("tasks/1", "for tasks/1")).isEqualTo(2);
		assertThat(this.notifier.broadcast("tasks/2", "for tasks/2")).isEqualTo(1);
		this.notifier.broadcastAll(MARKER);

		assertThat(first.awaitText(MARKER)).containsExactly("for tasks/1", MARKER);
		assertThat(second.awaitText(MARKER)).containsExactly("for tasks/1", MARKER);
		assertThat(other.awaitText(MARKER)).containsExactly("for tasks/2", MARKER);
	}

	@Test
	void nestedGroupsAreSeparateGroups() {
		TestClient parent = join("a");
		TestClient child = join("a/b");
		TestClient grandchild = join("a/b/c");

		assertThat(this.notifier.groups()).contains("a", "a/b", "a/b/c");
		assertThat(this.notifier.broadcast("a/b", "for a/b")).isEqualTo(1);
		assertThat(this.notifier.broadcast("a", "for a")).isEqualTo(1);
		assertThat(this.notifier.broadcast("a/b/c", "for a/b/c")).isEqualTo(1);
		this.notifier.broadcastAll(MARKER);

		assertThat(parent.awaitText(MARKER)).containsExactly("for a", MARKER);
		assertThat(child.awaitText(MARKER)).containsExactly("for a/b", MARKER);
		assertThat(grandchild.awaitText(MARKER)).containsExactly("for a/b/c", MARKER);
	}

	@Test
	void broadcastToAGroupWithoutSessionsReachesNobody() {
		TestClient client = join("tasks/1");

		assertThat(this.notifier.broadcast("tasks/10", "for tasks/10")).isZero();
		assertThat(this.notifier.broadcast("tasks", "for tasks")).isZero();
		assertThat(this.notifier.broadcast("tasks/1", MARKER)).isEqualTo(1);

		assertThat(client.awaitText(MARKER)).containsExactly(MARKER);
	}

	@Test
	void groupNamesAreCaseSensitive() {
		TestClient lower = join("room");
		TestClient upper = join("Room");

		assertThat(this.notifier.broadcast("Room", "for Room")).isEqualTo(1);
		assertThat(this.notifier.broadcast("room", "for room")).isEqualTo(1);
		this.notifier.broadcastAll(MARKER);

		assertThat(lower.awaitText(MARKER)).containsExactly("for room", MARKER);
		assertThat(upper.awaitText(MARKER)).containsExactly("for Room", MARKER);
	}

	@Test
	void aClosedClientLeavesItsGroup() {
		TestClient leaving = join("tasks/1");
		TestClient staying = join("tasks/1");

		leaving.close();
		awaitSessions("tasks/1", 1);

		assertThat(this.notifier.broadcast("tasks/1", "after leaving")).isEqualTo(1);
		assertThat(staying.awaitMessages(1)).containsExactly("after leaving");
		assertThat(leaving.messages()).isEmpty();
	}

}
