package dev.notifier.autoconfigure.web;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.notifier.core.NotifierListener;
import dev.notifier.core.Presence;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;

import static dev.notifier.autoconfigure.web.SecuredTestApplication.ADMIN;
import static dev.notifier.autoconfigure.web.SecuredTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Presence with real logins, in the groups of {@code notifier.presence.groups}: who is in a group, a user's join and
 * leave for the listeners, and the group in the Actuator endpoint.
 */
@SpringBootTest(classes = { SecuredTestApplication.class, PresenceTests.Recorder.class },
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "notifier.presence.groups=public/**", "management.endpoints.web.exposure.include=notifier" })
class PresenceTests extends ContainerTestSupport {

	@Autowired
	private Recorder recorder;

	@Test
	void presenceCountsTheSessionsOfEachSignedInUserAndTheAnonymousOnesInTheTotal() {
		join("public/news", Logins.formLogin(this.port, ALICE));
		join("public/news", Logins.basic(ALICE));
		join("public/news", Logins.basic(ADMIN));
		join("public/news");

		Waits.await("the presence of public/news")
			.until(() -> this.notifier.presence("public/news")
				.equals(new Presence("public/news", 4, Map.of(ALICE, 2, ADMIN, 1), true)));
	}

	@Test
	void aUserJoinsWithItsFirstSessionAndLeavesWithItsLastEvenWhenItsLoginEnds() {
		Map<String, String> login = Logins.formLogin(this.port, ALICE);
		TestClient byForm = join("public/lounge", login);
		Waits.await("alice's join").until(() -> this.recorder.events("public/lounge").size() == 1);
		TestClient byBasic = join("public/lounge", Logins.basic(ALICE));
		TestClient admin = join("public/lounge", Logins.basic(ADMIN));
		Waits.await("admin's join").until(() -> this.recorder.events("public/lounge").size() == 2);

		Logins.logout(this.port, login);
		byForm.awaitClose();
		byBasic.close();
		Waits.await("alice's leave").until(() -> this.recorder.events("public/lounge").size() == 3);

		assertThat(this.recorder.events("public/lounge")).containsExactly("join public/lounge alice",
				"join public/lounge admin", "leave public/lounge alice");
		assertThat(this.notifier.presence("public/lounge").users()).containsOnlyKeys(ADMIN);
		assertThat(admin.isClosed()).isFalse();
	}

	@Test
	void theActuatorEndpointShowsWhoIsInAGroupWithPresenceOnly() throws Exception {
		join("public/board", Logins.basic(ALICE));
		join("public/board");
		join("tasks/1", Logins.basic(ALICE));
		Waits.await("alice in the presence of public/board")
			.until(() -> this.notifier.presence("public/board").contains(ALICE));

		JsonNode news = actuator("/actuator/notifier/public/board");
		JsonNode tasks = actuator("/actuator/notifier/tasks/1");

		JsonNode presence = news.get("presence");
		assertThat(presence.get("sessions").asInt()).isEqualTo(2);
		assertThat(presence.get("userCount").asInt()).isEqualTo(1);
		assertThat(presence.get("users").get(ALICE).asInt()).isEqualTo(1);
		assertThat(presence.get("complete").asBoolean()).isTrue();
		assertThat(tasks.has("presence")).as("tasks/1 has no presence").isFalse();
	}

	@Test
	void askingForThePresenceOfAGroupWithoutPresenceIsRefusedAndTheGroupStaysServed() {
		TestClient alice = join("tasks/1", Logins.basic(ALICE));

		assertThatIllegalArgumentException().isThrownBy(() -> this.notifier.presence("tasks/1"))
			.withMessage("The group 'tasks/1' has no presence: no presence group pattern matches it "
					+ "(notifier.presence.groups)");

		this.notifier.broadcast("tasks/1", "still served");
		assertThat(alice.awaitTexts(1)).containsExactly("still served");
	}

	private JsonNode actuator(String path) {
		HttpResponse<String> response = HttpGet.get(this.port, path, Logins.basic(ADMIN));
		assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
		return JsonMapper.builder().build().readTree(response.body());
	}

	/**
	 * A listener bean recording presence events as lines such as {@code "join public/news alice"}; each test uses a
	 * group of its own, so events that arrive after a test has ended do not disturb the next.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class Recorder implements NotifierListener {

		private final List<String> events = new CopyOnWriteArrayList<>();

		List<String> events(String group) {
			return this.events.stream().filter((event) -> event.contains(" " + group + " ")).toList();
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
