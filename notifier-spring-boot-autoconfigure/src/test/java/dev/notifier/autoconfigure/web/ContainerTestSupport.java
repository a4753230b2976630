package dev.notifier.autoconfigure.web;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.notifier.core.GroupNotifier;
import dev.notifier.core.NotifierEngine;
import dev.notifier.core.NotifierSession;
import dev.notifier.core.NotifierStatistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The base of the container behaviour tests: a real server on a random port (the subclass is a
 * {@code @SpringBootTest(webEnvironment = RANDOM_PORT)} of {@link NotifierTestApplication}) and real clients.
 *
 * <p>Tagged {@code container}: the build runs these tests once on Tomcat and once on Jetty, and every test first
 * checks that the server it got is the container of the run ({@link ServerContainer}). Clients opened through this
 * class are closed after each test, and the test waits until the engine has let go of every session, so tests sharing
 * an application context start from an empty engine.
 */
@Tag("container")
abstract class ContainerTestSupport {

	/** The notifier's default base path. */
	static final String PATH = "/ws";

	/** The default base path of the event streams. */
	static final String SSE_PATH = "/sse";

	@LocalServerPort
	protected int port;

	@Autowired
	protected GroupNotifier notifier;

	@Autowired
	private NotifierEngine engine;

	@Autowired
	private ApplicationContext context;

	private final List<AutoCloseable> clients = new ArrayList<>();

	@BeforeEach
	void checkContainer() {
		ServerContainer.expected().assertRunsIn(this.context);
		assertThat(this.notifier.sessionCount()).as("sessions left by an earlier test").isZero();
	}

	@AfterEach
	void closeClients() throws Exception {
		for (AutoCloseable client : this.clients) {
			client.close();
		}
		this.clients.clear();
		Waits.await("the engine lets go of every session once the clients are gone")
			.until(() -> this.notifier.sessionCount() == 0);
		// A session leaves its group as its close begins and is counted closed once the container reports the end:
		// a close counted during the next test would move that test's meters.
		Waits.await("the engine hears every connection end").until(() -> openConnections() == 0);
	}

	/** Connections opened and not yet counted closed; their places under the connection limits are not free. */
	long openConnections() {
		NotifierStatistics statistics = this.engine.statistics();
		long closed = 0;
		for (int code : NotifierStatistics.closeCodes()) {
			closed += statistics.connectionsClosed(code);
		}
		return statistics.connectionsOpened() - closed;
	}

	/** A {@code ws://} URI on the test server for this path (and query). */
	URI uri(String pathAndQuery) {
		return URI.create("ws://localhost:" + this.port + pathAndQuery);
	}

	/** Joins a group, for example {@code tasks/1} or {@code tasks/1?role=admin}, and waits until it is registered. */
	TestClient join(String groupAndQuery) {
		return join(groupAndQuery, Map.of());
	}

	/** Joins a group with extra handshake headers, and waits until the engine has registered the session. */
	TestClient join(String groupAndQuery, Map<String, String> headers) {
		return joined(groupAndQuery, () -> connect(PATH + "/" + groupAndQuery, headers));
	}

	/** Opens a client on this path, whatever it is, without waiting for the engine. */
	TestClient connect(String pathAndQuery, Map<String, String> headers) {
		return connect(pathAndQuery, headers, List.of());
	}

	/** Opens a client on this path asking for these subprotocols, without waiting for the engine. */
	TestClient connect(String pathAndQuery, Map<String, String> headers, List<String> subprotocols) {
		return closedAfterTheTest(TestClient.connect(uri(pathAndQuery), headers, subprotocols));
	}

	/**
	 * Opens the event stream of a group, for example {@code tasks/1} or {@code tasks/1?lastEventId=...}, with these
	 * request headers, and waits until the engine has registered its session.
	 */
	EventStreamClient stream(String groupAndQuery, Map<String, String> headers) {
		return joined(groupAndQuery, () -> closedAfterTheTest(
				EventStreamClient.open(this.port, SSE_PATH + "/" + groupAndQuery, headers)));
	}

	/** Joins a group with a client that never reads and never answers pings. */
	RawSilentClient joinSilently(String groupAndQuery) {
		return joined(groupAndQuery,
				() -> closedAfterTheTest(RawSilentClient.connect(this.port, PATH + "/" + groupAndQuery)));
	}

	/** Opens the event stream of a group with a client that reads nothing after the response's head. */
	RawSilentClient streamSilently(String groupAndQuery) {
		return joined(groupAndQuery,
				() -> closedAfterTheTest(RawSilentClient.openEventStream(this.port, SSE_PATH + "/" + groupAndQuery)));
	}

	/** Opens a client into a group (and query) and waits until the engine has one more session in the group. */
	private <C> C joined(String groupAndQuery, Supplier<C> open) {
		String group = groupAndQuery.split("\\?", 2)[0];
		int before = this.notifier.sessionCount(group);
		C client = open.get();
		awaitSessions(group, before + 1);
		return client;
	}

	private <C extends AutoCloseable> C closedAfterTheTest(C client) {
		this.clients.add(client);
		return client;
	}

	/** Waits until the engine counts exactly this many sessions in the group. */
	void awaitSessions(String group, int count) {
		Waits.await(count + " sessions in " + group)
			.until(() -> this.notifier.sessionCount(group) == count);
	}

	/** The session of a group that connected with {@code ?name=<name>}. */
	NotifierSession session(String group, String name) {
		return this.notifier.sessions(group)
			.stream()
			.filter((session) -> List.of(name).equals(session.queryParameters().get("name")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no session named " + name + " in " + group));
	}

}
