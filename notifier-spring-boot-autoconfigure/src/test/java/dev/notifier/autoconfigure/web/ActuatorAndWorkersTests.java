package dev.notifier.autoconfigure.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.notifier.autoconfigure.actuate.NotifierEndpoint;
import dev.notifier.core.CloseStatus;
import dev.notifier.core.GroupNotifier;
import dev.notifier.core.GroupWorker;
import dev.notifier.core.GroupWorkerFactory;
import dev.notifier.core.NotifierEngine;
import dev.notifier.core.NotifierListener;
import dev.notifier.core.NotifierSession;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group workers declared as beans, and the {@code notifier} Actuator endpoint, health indicator and meters, driven over
 * HTTP while real WebSocket clients are connected.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=health,metrics,notifier",
				"management.endpoint.health.show-details=always", "notifier.workers.idle-timeout=500ms",
				"notifier.outbound.max-queued-messages=2", "notifier.outbound.overflow=drop-newest",
				"notifier.workers.stop-grace=300ms" })
@Import(ActuatorAndWorkersTests.WorkersConfiguration.class)
class ActuatorAndWorkersTests extends ContainerTestSupport {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newHttpClient();

	@Autowired
	private MeterRegistry meters;

	@Autowired
	private TickerFactory tickers;

	@Autowired
	private StubbornFactory stubborn;

	@Autowired
	private NotifierEngine engine;

	@BeforeEach
	void awaitWorkersOfEarlierTestsToStop() {
		Waits.await("workers of earlier tests stop once their groups are empty")
			.until(() -> this.engine.workers().isEmpty());
	}

	@Test
	void workerStartsWithTheFirstViewerAndTheEndpointListsItUntilTheGroupEmpties() throws Exception {
		TestClient viewer = join("ticker/eur");
		viewer.awaitText("tick ticker/eur 2");

		JsonNode overview = get("/actuator/notifier");
		assertThat(overview.at("/totals/sessions").asInt()).isEqualTo(1);
		assertThat(overview.at("/totals/groups").asInt()).isEqualTo(1);
		assertThat(overview.at("/totals/workers").asInt()).isEqualTo(1);
		assertThat(overview.at("/groups/ticker~1eur/sessions").asInt()).isEqualTo(1);
		assertThat(overview.at("/groups/ticker~1eur/worker").asString()).isEqualTo("RUNNING");
		assertThat(overview.at("/sessions/ticker~1eur/count").asInt()).isEqualTo(1);
		assertThat(overview.at("/sessions/ticker~1eur/ids/0").asString())
			.isEqualTo(this.notifier.sessions("ticker/eur").get(0).id());
		assertThat(overview.at("/workers/0/group").asString()).isEqualTo("ticker/eur");
		assertThat(overview.at("/workers/0/factory").asString()).isEqualTo(TickerFactory.class.getName());
		assertThat(overview.at("/workers/0/startedAt").asString()).isNotEmpty();

		viewer.close();
		Waits.await("the idle worker is gone from the endpoint")
			.until(() -> get("/actuator/notifier").at("/totals/workers").asInt() == 0);
		assertThat(get("/actuator/notifier").at("/groups").size()).isZero();
	}

	@Test
	void workerStartedExplicitlyRunsOnceWhateverTheCallsAndJoins() {
		int created = this.tickers.created.get();
		// Kept alive past the idle timeout: a handshake slower than it must not let the worker stop before the join.
		assertThat(this.notifier.startWorker("ticker/usd", Duration.ofMinutes(1))).isTrue();
		assertThat(this.notifier.startWorker("ticker/usd")).isFalse();
		TestClient viewer = join("ticker/usd");

		// The worker ticked before anyone joined: which tick comes first depends on how fast the handshake is.
		assertThat(viewer.awaitTexts(1).get(0)).startsWith("tick ticker/usd ");
		assertThat(this.tickers.created.get() - created).isEqualTo(1);
		// The keep-alive would outlast the test: the next one starts without workers.
		assertThat(this.notifier.stopWorker("ticker/usd")).isTrue();
	}

	@Test
	void groupEndpointDescribesEachSessionAndTheWorker() throws Exception {
		join("ticker/gbp?name=first");
		join("ticker/gbp?name=second");
		Waits.await("the worker has started").until(() -> this.engine.worker("ticker/gbp").isPresent());

		JsonNode group = get("/actuator/notifier/ticker/gbp");

		assertThat(group.at("/group").asString()).isEqualTo("ticker/gbp");
		assertThat(group.at("/sessionCount").asInt()).isEqualTo(2);
		assertThat(group.at("/sessions")).hasSize(2);
		JsonNode first = group.at("/sessions/0");
		assertThat(first.at("/id").asString()).isEqualTo(session("ticker/gbp", "first").id());
		assertThat(first.at("/remoteAddress").asString()).contains("127.0.0.1");
		assertThat(first.has("connectedAt")).isTrue();
		assertThat(first.has("queuedMessages")).isTrue();
		assertThat(first.has("queuedBytes")).isTrue();
		assertThat(first.has("sentMessages")).isTrue();
		assertThat(first.has("droppedMessages")).isTrue();
		assertThat(group.at("/worker/group").asString()).isEqualTo("ticker/gbp");
	}

	@Test
	void groupEndpointLeavesOutTheWorkerOfAGroupThatHasNone() throws Exception {
		join("news/plain");

		JsonNode group = get("/actuator/notifier/news/plain");
		JsonNode overview = get("/actuator/notifier");

		assertThat(group.at("/sessionCount").asInt()).isEqualTo(1);
		assertThat(group.has("worker")).isFalse();
		assertThat(overview.at("/groups/news~1plain/sessions").asInt()).isEqualTo(1);
		assertThat(overview.at("/groups/news~1plain").has("worker")).isFalse();
	}

	@Test
	void sessionWithoutAKnownRemoteAddressLeavesItOut() {
		NotifierEndpoint.SessionDescriptor session = new NotifierEndpoint.SessionDescriptor("id-1", "websocket", null,
				Instant.parse("2025-06-03T09:14:01Z"), 0, 0, 0, 0);

		JsonNode written = json.readTree(json.writeValueAsString(session));

		assertThat(written.has("remoteAddress")).isFalse();
		assertThat(written.at("/id").asString()).isEqualTo("id-1");
		assertThat(written.at("/transport").asString()).isEqualTo("websocket");
	}

	@Test
	void groupEndpointAnswers404ForAnUnknownGroupAnd400ForAnInvalidOne() throws Exception {
		assertThat(send(HttpRequest.newBuilder(http("/actuator/notifier/nobody/here")).GET()).statusCode())
			.isEqualTo(404);
		assertThat(send(HttpRequest.newBuilder(http("/actuator/notifier/bad!name")).GET()).statusCode())
			.isEqualTo(400);
	}

	@Test
	void postBroadcastsToTheGroupAndAnswersHowManySessionsItReached() throws Exception {
		TestClient first = join("news/today");
		TestClient second = join("news/today");
		TestClient elsewhere = join("news/yesterday");

		HttpResponse<String> text = post("/actuator/notifier/news/today", "{\"message\":\"extra edition\"}");
		HttpResponse<String> object = post("/actuator/notifier/news/today",
				"{\"message\":\"{\\\"headline\\\":\\\"hi\\\"}\"}");

		assertThat(json.readTree(text.body()).at("/sessions").asInt()).isEqualTo(2);
		assertThat(json.readTree(object.body()).at("/sessions").asInt()).isEqualTo(2);
		assertThat(first.awaitTexts(2)).containsExactly("extra edition", "{\"headline\":\"hi\"}");
		assertThat(second.awaitTexts(2)).containsExactly("extra edition", "{\"headline\":\"hi\"}");
		this.notifier.broadcast("news/yesterday", "marker");
		assertThat(elsewhere.awaitTexts(1)).containsExactly("marker");
	}

	@Test
	void deleteClosesTheGroupWith1000AndStopsItsWorker() throws Exception {
		TestClient viewer = join("ticker/chf");
		viewer.awaitText("tick ticker/chf 1");

		HttpResponse<String> response = send(
				HttpRequest.newBuilder(http("/actuator/notifier/ticker/chf?reason=maintenance")).DELETE());

		JsonNode result = json.readTree(response.body());
		assertThat(result.at("/sessionsClosed").asInt()).isEqualTo(1);
		assertThat(result.at("/workerStopped").asBoolean()).isTrue();
		assertThat(viewer.awaitClose()).isEqualTo(new TestClient.Closure(1000, "maintenance"));
		Waits.await("the worker is gone").until(() -> get("/actuator/notifier").at("/totals/workers").asInt() == 0);
	}

	@Test
	void deleteWithAReasonTooLongForACloseFrameIs400AndChangesNothing() throws Exception {
		TestClient viewer = join("ticker/sek");
		viewer.awaitText("tick ticker/sek 1");

		HttpResponse<String> response = send(HttpRequest
			.newBuilder(http("/actuator/notifier/ticker/sek?reason=" + "x".repeat(124)))
			.DELETE());

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(this.notifier.sessionCount("ticker/sek")).isEqualTo(1);
		assertThat(get("/actuator/notifier/ticker/sek").at("/worker/state").asString()).isEqualToIgnoringCase("running");
	}

	@Test
	void listenerDependingOnTheNotifierIsWiredAndHearsItsGroup() {
		TestClient client = join("echo/room");

		client.send("hello");

		assertThat(client.awaitTexts(1)).containsExactly("hello");
	}

	@Test
	void healthIsUpWithSessionsGroupsAndWorkers() throws Exception {
		join("ticker/jpy");
		Waits.await("the worker has started").until(() -> this.engine.worker("ticker/jpy").isPresent());

		JsonNode health = get("/actuator/health/notifier");

		assertThat(health.at("/status").asString()).isEqualTo("UP");
		assertThat(health.at("/details/sessions").asInt()).isEqualTo(1);
		assertThat(health.at("/details/groups").asInt()).isEqualTo(1);
		assertThat(health.at("/details/workers").asInt()).isEqualTo(1);
	}

	@Test
	void metersMoveWhenTheirEventsHappen() throws Exception {
		double opened = counter("notifier.connections.opened", Map.of());
		double closedNormally = counter("notifier.connections.closed", Map.of("reason", "normal"));
		double sent = counter("notifier.messages.sent", Map.of());
		double bytes = counter("notifier.bytes.sent", Map.of());
		double writes = counter("notifier.writes", Map.of());
		double refused = counter("notifier.handshakes.refused", Map.of("reason", "invalid_group"));
		double dropped = counter("notifier.messages.dropped", Map.of("policy", "drop_newest"));
		double broadcasts = this.meters.get("notifier.broadcast.fanout").functionTimer().count();

		TestClient reader = join("metrics/a");
		assertThat(gauge("notifier.sessions", Map.of())).isEqualTo(1);
		assertThat(gauge("notifier.groups", Map.of())).isEqualTo(1);
		assertThat(gauge("notifier.workers", Map.of("state", "running"))).isZero();
		this.notifier.broadcast("metrics/a", "12345");
		reader.awaitText("12345");
		Waits.await("sent counted").until(() -> counter("notifier.messages.sent", Map.of()) == sent + 1);
		assertThat(counter("notifier.bytes.sent", Map.of())).isEqualTo(bytes + 5);
		assertThat(counter("notifier.writes", Map.of())).isEqualTo(writes + 1);
		assertThat(this.meters.get("notifier.broadcast.fanout").functionTimer().count()).isEqualTo(broadcasts + 1);
		assertThat(counter("notifier.connections.opened", Map.of())).isEqualTo(opened + 1);

		assertThat(TestClient.refused(uri(PATH + "/a!b"), Map.of()).status()).isEqualTo(400);
		assertThat(counter("notifier.handshakes.refused", Map.of("reason", "invalid_group"))).isEqualTo(refused + 1);

		RawSilentClient silent = joinSilently("metrics/slow");
		for (int i = 0; i < 2000; i++) {
			this.notifier.broadcast("metrics/slow", "x".repeat(2048));
		}
		assertThat(counter("notifier.messages.dropped", Map.of("policy", "drop_newest"))).isGreaterThan(dropped);
		silent.close();

		join("ticker/aud");
		Waits.await("the worker has started").until(() -> this.engine.worker("ticker/aud").isPresent());
		assertThat(gauge("notifier.workers", Map.of("state", "running"))).isEqualTo(1);

		this.notifier.close("metrics/a", CloseStatus.NORMAL);
		reader.awaitClose();
		Waits.await("closed counted")
			.until(() -> counter("notifier.connections.closed", Map.of("reason", "normal")) >= closedNormally + 1);
	}

	@Test
	void closeMetersCountGoingAwayApartFromNormal() {
		double goingAway = counter("notifier.connections.closed", Map.of("reason", "going_away"));
		double normal = counter("notifier.connections.closed", Map.of("reason", "normal"));
		TestClient viewer = join("metrics/leaving");

		this.notifier.close("metrics/leaving", CloseStatus.GOING_AWAY);

		assertThat(viewer.awaitClose().code()).isEqualTo(1001);
		Waits.await("going away counted")
			.until(() -> counter("notifier.connections.closed", Map.of("reason", "going_away")) == goingAway + 1);
		assertThat(counter("notifier.connections.closed", Map.of("reason", "normal"))).isEqualTo(normal);
	}

	@Test
	void workerMetersShowAStoppingWorkerAndCountItsInterrupt() {
		double interrupted = counter("notifier.workers.interrupted", Map.of());
		try {
			// Kept alive, so that the idle timeout cannot stop it before the test does.
			assertThat(this.notifier.startWorker("stubborn/1", Duration.ofMinutes(1))).isTrue();
			Waits.await("the worker runs").until(() -> this.stubborn.running.getCount() == 0);
			assertThat(gauge("notifier.workers", Map.of("state", "stopping"))).isZero();

			this.notifier.stopWorker("stubborn/1");

			assertThat(gauge("notifier.workers", Map.of("state", "stopping"))).isEqualTo(1);
			assertThat(gauge("notifier.workers", Map.of("state", "running"))).isZero();
			Waits.await("the interrupt after the stop grace is counted")
				.until(() -> counter("notifier.workers.interrupted", Map.of()) == interrupted + 1);
			assertThat(gauge("notifier.workers", Map.of("state", "stopping"))).as("it ignored the interrupt too")
				.isEqualTo(1);
		}
		finally {
			this.stubborn.release.countDown();
		}
		Waits.await("the worker has ended").until(() -> this.engine.worker("stubborn/1").isEmpty());
		assertThat(gauge("notifier.workers", Map.of("state", "stopping"))).isZero();
	}

	private double counter(String name, Map<String, String> tags) {
		var search = this.meters.get(name);
		tags.forEach(search::tag);
		return search.functionCounter().count();
	}

	private double gauge(String name, Map<String, String> tags) {
		var search = this.meters.get(name);
		tags.forEach(search::tag);
		return search.gauge().value();
	}

	private URI http(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	private JsonNode get(String path) throws Exception {
		HttpResponse<String> response = send(HttpRequest.newBuilder(http(path)).GET());
		assertThat(response.statusCode()).as("GET " + path).isEqualTo(200);
		return json.readTree(response.body());
	}

	private HttpResponse<String> post(String path, String body) throws Exception {
		HttpResponse<String> response = send(HttpRequest.newBuilder(http(path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body)));
		assertThat(response.statusCode()).as("POST " + path + " " + response.body()).isEqualTo(200);
		return response;
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return this.http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
	}

	/** A periodic worker for every {@code ticker/*} group, counting how many it creates. */
	static class TickerFactory implements GroupWorkerFactory {

		final AtomicInteger created = new AtomicInteger();

		@Override
		public String groupPattern() {
			return "ticker/*";
		}

		@Override
		public GroupWorker create(String group) {
			this.created.incrementAndGet();
			AtomicInteger ticks = new AtomicInteger();
			return GroupWorker.periodic(Duration.ofMillis(50),
					(context) -> context.broadcast("tick " + group + " " + ticks.incrementAndGet()));
		}

	}

	/**
	 * A blocking worker for {@code stubborn/*} groups that ignores both the stop flag and interrupts until the test
	 * releases it: it stays {@code STOPPING} as long as the test needs.
	 */
	static class StubbornFactory implements GroupWorkerFactory {

		final CountDownLatch running = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		@Override
		public String groupPattern() {
			return "stubborn/*";
		}

		@Override
		public GroupWorker create(String group) {
			return GroupWorker.blocking((context) -> {
				this.running.countDown();
				while (true) {
					try {
						this.release.await();
						return;
					}
					catch (InterruptedException ex) {
						// Ignored on purpose: this worker is the one the stop grace was made for.
					}
				}
			});
		}

	}

	@TestConfiguration(proxyBeanMethods = false)
	static class WorkersConfiguration {

		@Bean
		TickerFactory tickerFactory() {
			return new TickerFactory();
		}

		@Bean
		StubbornFactory stubbornFactory() {
			return new StubbornFactory();
		}

		/** A listener that needs the notifier it listens to: the engine resolves listeners only once it starts. */
		@Bean
		NotifierListener echoListener(GroupNotifier notifier) {
			return new NotifierListener() {

				@Override
				public String groupPattern() {
					return "echo/*";
				}

				@Override
				public void onTextMessage(NotifierSession session, String message) {
					notifier.broadcast(session.group(), message);
				}

			};
		}

	}

}
