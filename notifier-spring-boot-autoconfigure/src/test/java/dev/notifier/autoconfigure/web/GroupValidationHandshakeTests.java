package dev.notifier.autoconfigure.web;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A handshake whose group is not a valid group name is refused with 400 and the reason as a plain-text body. The
 * requests are written by hand so that the request target reaches the server exactly as given: an HTTP client would
 * normalise {@code /ws/a/../b} into {@code /ws/b}.
 *
 * <p>Some targets are refused by the container itself, before the application sees them, with its own error page:
 * that is still the 400 that matters, and each such case names the containers that do it.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "notifier.max-group-length=" + GroupValidationHandshakeTests.MAX_GROUP_LENGTH)
class GroupValidationHandshakeTests extends ContainerTestSupport {

	static final int MAX_GROUP_LENGTH = 20;

	private static final String MISSING = "the group is missing: connect to <path>/<group>, for example /ws/tasks/42";

	private static final String EMPTY_SEGMENT = "the group name has an empty segment";

	private static final String DOT = "the group name has a '.' segment";

	private static final String DOT_DOT = "the group name has a '..' segment";

	private static final String CHARACTER_AT_1 = "the group name has a character outside [A-Za-z0-9._~-] at position 1";

	static Stream<BadGroup> badGroups() {
		return Stream.of(new BadGroup("/ws", MISSING), new BadGroup("/ws/", MISSING),
				new BadGroup("/ws/a//b", EMPTY_SEGMENT, ServerContainer.JETTY),
				new BadGroup("/ws//a", EMPTY_SEGMENT, ServerContainer.JETTY), new BadGroup("/ws/a/", EMPTY_SEGMENT),
				new BadGroup("/ws/a/../b", DOT_DOT), new BadGroup("/ws/a/..", DOT_DOT),
				new BadGroup("/ws/../ws/a", DOT_DOT), new BadGroup("/ws/./a", DOT), new BadGroup("/ws/a/.", DOT),
				new BadGroup("/ws/a%20b", CHARACTER_AT_1),
				new BadGroup("/ws/a%2Fb", null, ServerContainer.TOMCAT, ServerContainer.JETTY),
				new BadGroup("/ws/%2e%2e/a", "the group name has a character outside [A-Za-z0-9._~-] at position 0",
						ServerContainer.JETTY),
				new BadGroup("/ws/a;b", CHARACTER_AT_1), new BadGroup("/ws/a+b", CHARACTER_AT_1),
				new BadGroup("/ws/a:b", CHARACTER_AT_1),
				new BadGroup("/ws/caf%C3%A9", "the group name has a character outside [A-Za-z0-9._~-] at position 3"),
				new BadGroup("/ws/" + "x".repeat(MAX_GROUP_LENGTH + 1),
						"the group name is longer than " + MAX_GROUP_LENGTH + " characters"),
				new BadGroup("/ws/" + "a/".repeat(MAX_GROUP_LENGTH / 2) + "a",
						"the group name is longer than " + MAX_GROUP_LENGTH + " characters"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badGroups")
	void badGroupIsRefusedWith400(BadGroup bad) {
		RawHttp.Response response = RawHttp.handshake(this.port, bad.target());

		assertThat(response.status()).as("status for %s", bad.target()).isEqualTo(400);
		ServerContainer container = ServerContainer.expected();
		if (bad.refusedByContainer().contains(container)) {
			assertThat(response.headers().get("content-type")).as("%s refuses %s itself", container, bad.target())
				.startsWith("text/html");
		}
		else {
			assertThat(response.headers().get("content-type")).as("content type for %s", bad.target())
				.startsWith("text/plain");
			assertThat(response.body()).as("reason for %s", bad.target()).isEqualTo(bad.reason());
		}
		assertThat(this.notifier.sessionCount()).isZero();
	}

	@Test
	void theLongestGroupNameIsAccepted() {
		String longest = "x".repeat(MAX_GROUP_LENGTH - 4) + "/y.z";
		assertThat(longest).hasSize(MAX_GROUP_LENGTH);

		TestClient client = join(longest);
		assertThat(this.notifier.broadcast(longest, "hello")).isEqualTo(1);
		assertThat(client.awaitMessages(1)).containsExactly("hello");
	}

	@Test
	void everyAllowedCharacterIsAccepted() {
		String group = "AZaz09._~-/t.a_s~k-1";
		assertThat(group).hasSizeLessThanOrEqualTo(MAX_GROUP_LENGTH);

		TestClient client = join(group);
		assertThat(this.notifier.broadcast(group, "hello")).isEqualTo(1);
		assertThat(client.awaitMessages(1)).containsExactly("hello");
	}

	@Test
	void theQueryIsNotPartOfTheGroup() {
		TestClient client = join("tasks/1?since=42&x=a/b");

		assertThat(this.notifier.groups()).containsExactly("tasks/1");
		assertThat(this.notifier.sessions("tasks/1")).singleElement()
			.satisfies((session) -> assertThat(session.queryParameters()).containsEntry("since", List.of("42"))
				.containsEntry("x", List.of("a/b")));
		assertThat(this.notifier.broadcast("tasks/1", "hello")).isEqualTo(1);
		assertThat(client.awaitMessages(1)).containsExactly("hello");
	}

	@Test
	void theJdkClientSeesTheStatusAndReasonOfARefusal() {
		TestClient.Refusal refusal = TestClient.refused(uri("/ws"), Map.of());

		assertThat(refusal.status()).isEqualTo(400);
		assertThat(refusal.body()).isEqualTo(MISSING);
	}

	/**
	 * A request target whose group is not valid.
	 * @param target the raw request target
	 * @param reason the reason the notifier gives, {@code null} where every container refuses the target first
	 * @param refusedByContainer the containers that refuse the target themselves, before the notifier sees it
	 */
	record BadGroup(String target, String reason, Set<ServerContainer> refusedByContainer) {

		BadGroup(String target, String reason, ServerContainer... refusedByContainer) {
			this(target, reason, (refusedByContainer.length > 0) ? EnumSet.of(refusedByContainer[0], refusedByContainer)
					: EnumSet.noneOf(ServerContainer.class));
		}

		@Override
		public String toString() {
			return this.target.length() > 40 ? this.target.substring(0, 40) + "..." : this.target;
		}

	}

}
