package dev.notifier.autoconfigure.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.notifier.core.NotifierEngine;
import dev.notifier.core.NotifierProtocol;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group history over real connections: replay to late joiners, the {@value NotifierProtocol#NAME} subprotocol and
 * resuming with {@code lastEventId}, on Tomcat and on Jetty.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "notifier.history.groups=logs/*", "notifier.history.replay-last=3",
				"management.endpoints.web.exposure.include=notifier,metrics" })
class HistoryTests extends ContainerTestSupport {

	private static final Pattern STATUS = Pattern
		.compile("s\n\\{\"epoch\":\"([0-9a-z]+)\",\"offset\":(\\d+),\"recovered\":(true|false)}");

	@Autowired
	private NotifierEngine engine;

	@Autowired
	private MeterRegistry meters;

	private TestClient joinFramed(String groupAndQuery) {
		String group = groupAndQuery.split("\\?", 2)[0];
		int before = this.notifier.sessionCount(group);
		TestClient client = connect(PATH + "/" + groupAndQuery, Map.of(), List.of(NotifierProtocol.NAME));
		awaitSessions(group, before + 1);
		return client;
	}

	@Test
	void aPlainClientJoiningLateIsReplayedTheLatestMessagesAsBarePayloads() {
		for (int i = 1; i <= 5; i++) {
			this.notifier.broadcast("logs/plain", "line " + i);
		}
		double replayed = replayedMessages();

		TestClient viewer = join("logs/plain");

		assertThat(viewer.awaitTexts(3)).containsExactly("line 3", "line 4", "line 5");
		assertThat(replayedMessages()).as("replayed").isEqualTo(replayed + 3);
		// Not counted here: a line recorded before the replay has read past the end comes with it, as replayed.
		this.notifier.broadcast("logs/plain", "line 6");
		assertThat(viewer.awaitTexts(4)).containsExactly("line 3", "line 4", "line 5", "line 6");
		assertThat(viewer.subprotocol()).isEmpty();
	}

	@Test
	void aClientResumingFromAPositionNoLongerKeptIsToldSoAndReplayedTheLatestMessages() {
		for (int i = 1; i <= 5; i++) {
			this.notifier.broadcast("logs/lost", "line " + i);
		}
		String epoch = this.engine.history("logs/lost").orElseThrow().epoch();
		double replayed = replayedMessages();
		double recovered = Meters.counter(this.meters, "notifier.history.messages", "kind", "recovered");
		double notRecovered = Meters.counter(this.meters, "notifier.history.resumes", "outcome", "not_recovered");

		TestClient again = joinFramed("logs/lost?" + NotifierProtocol.RESUME_PARAMETER + "=earlier0:7");

		assertThat(again.awaitTexts(4)).containsExactly(
				"s\n{\"epoch\":\"" + epoch + "\",\"offset\":2,\"recovered\":false}", "m " + epoch + ":3\nline 3",
				"m " + epoch + ":4\nline 4", "m " + epoch + ":5\nline 5");
		assertThat(Meters.counter(this.meters, "notifier.history.resumes", "outcome", "not_recovered"))
			.isEqualTo(notRecovered + 1);
		assertThat(replayedMessages()).as("a failed resume is replayed the latest messages").isEqualTo(replayed + 3);
		assertThat(Meters.counter(this.meters, "notifier.history.messages", "kind", "recovered")).isEqualTo(recovered);
	}

	@Test
	void aClientAskingForTheSubprotocolGetsItAndEveryMessageWithItsPosition() {
		this.notifier.broadcast("logs/framed", "line 1");
		String epoch = this.engine.history("logs/framed").orElseThrow().epoch();

		TestClient viewer = joinFramed("logs/framed");
		this.notifier.broadcast("logs/framed", "line 2");

		assertThat(viewer.subprotocol()).isEqualTo(NotifierProtocol.NAME);
		assertThat(viewer.awaitTexts(3)).containsExactly(
				"s\n{\"epoch\":\"" + epoch + "\",\"offset\":0,\"recovered\":false}", "m " + epoch + ":1\nline 1",
				"m " + epoch + ":2\nline 2");
	}

	@Test
	void aClientReconnectingWithItsLastPositionGetsExactlyWhatItMissed() {
		TestClient first = joinFramed("logs/resume");
		for (int i = 1; i <= 4; i++) {
			this.notifier.broadcast("logs/resume", "line " + i);
		}
		List<String> seen = first.awaitTexts(5);
		String last = seen.get(4);
		String position = last.substring(2, last.indexOf('\n'));
		first.close();
		awaitSessions("logs/resume", 0);
		for (int i = 5; i <= 9; i++) {
			this.notifier.broadcast("logs/resume", "line " + i);
		}

		TestClient again = joinFramed("logs/resume?" + NotifierProtocol.RESUME_PARAMETER + "=" + position);

		List<String> resumed = again.awaitTexts(6);
		Matcher status = STATUS.matcher(resumed.get(0));
		assertThat(status.matches()).isTrue();
		assertThat(status.group(3)).isEqualTo("true");
		assertThat(status.group(1) + ":" + status.group(2)).isEqualTo(position);
		assertThat(resumed.subList(1, 6)).extracting((text) -> text.substring(text.indexOf('\n') + 1))
			.containsExactly("line 5", "line 6", "line 7", "line 8", "line 9");
		assertThat(Meters.counter(this.meters, "notifier.history.resumes", "outcome", "recovered"))
			.isGreaterThanOrEqualTo(1);
		assertThat(Meters.counter(this.meters, "notifier.history.messages", "kind", "recovered"))
			.isGreaterThanOrEqualTo(5);
	}

	@Test
	void aMalformedResumePositionIsRefusedWith400AndTheReason() {
		double refused = Meters.counter(this.meters, "notifier.handshakes.refused", "reason",
				"invalid_resume_position");

		TestClient.Refusal refusal = TestClient.refused(uri(PATH + "/logs/bad?lastEventId=nocolon"), Map.of());

		assertThat(refusal.status()).isEqualTo(400);
		assertThat(refusal.body())
			.isEqualTo("invalid lastEventId: a stream position is written <epoch>:<offset>, but got 'nocolon'");
		assertThat(Meters.counter(this.meters, "notifier.handshakes.refused", "reason", "invalid_resume_position"))
			.isEqualTo(refused + 1);
		TestClient other = join("logs/bad");
		this.notifier.broadcast("logs/bad", "still serving");
		other.awaitText("still serving");
	}

	@Test
	void theEndpointShowsEachGroupsHistoryAlsoWithoutSessions() throws Exception {
		this.notifier.broadcast("logs/shown", "one");
		this.notifier.broadcast("logs/shown", "two");

		JsonNode overview = get("/actuator/notifier");
		JsonNode history = overview.at("/histories/logs~1shown");
		assertThat(history.at("/messages").asInt()).isEqualTo(2);
		assertThat(history.at("/firstOffset").asLong()).isEqualTo(1);
		assertThat(history.at("/lastOffset").asLong()).isEqualTo(2);
		assertThat(history.at("/bytes").asLong()).isEqualTo(6);
		assertThat(history.at("/epoch").asString()).isEqualTo(this.engine.history("logs/shown").orElseThrow().epoch());
		assertThat(get("/actuator/notifier/logs/shown").at("/history/lastOffset").asLong()).isEqualTo(2);
	}

	private double replayedMessages() {
		return Meters.counter(this.meters, "notifier.history.messages", "kind", "replayed");
	}

	private JsonNode get(String path) throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(path).isEqualTo(200);
		return JsonMapper.builder().build().readTree(response.body());
	}

}
