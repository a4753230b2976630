package dev.notifier.autoconfigure.web;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.notifier.core.GroupNotifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Closing the application closes every session with 1001 "going away" before the server stops, after writing out
 * what was already queued for it. Each test runs its own application, started and closed here, not a cached test
 * context.
 */
@Tag("container")
class ShutdownTests {

	private final List<TestClient> clients = new ArrayList<>();

	private ConfigurableApplicationContext context;

	private int port;

	@AfterEach
	void cleanUp() {
		this.clients.forEach(TestClient::close);
		if (this.context != null) {
			this.context.close();
		}
	}

	@Test
	void everyClientReceives1001WhenTheApplicationCloses() {
		GroupNotifier notifier = start();
		TestClient first = connect("/ws/tasks/1");
		TestClient second = connect("/ws/tasks/1");
		TestClient third = connect("/ws/chat/lobby");
		Waits.await("three sessions").until(() -> notifier.sessionCount() == 3);

		this.context.close();

		for (TestClient client : List.of(first, second, third)) {
			assertThat(client.awaitClose()).isEqualTo(new TestClient.Closure(1001, "going away"));
		}
		assertThat(notifier.sessionCount()).isZero();
	}

	@Test
	void queuedMessagesArriveBeforeThe1001() {
		GroupNotifier notifier = start();
		TestClient client = connect("/ws/tasks/1");
		// The group's count, not the engine's: the engine counts a session before it joins its group, and a broadcast
		// made in between would miss it.
		Waits.await("one session in tasks/1").until(() -> notifier.sessionCount("tasks/1") == 1);
		List<String> sent = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			sent.add("update " + i + " " + "x".repeat(1000));
			notifier.broadcast("tasks/1", sent.get(i));
		}

		this.context.close();

		assertThat(client.awaitClose()).isEqualTo(new TestClient.Closure(1001, "going away"));
		assertThat(client.messages()).containsExactlyElementsOf(sent);
	}

	@Test
	void anEventStreamGetsItsQueuedEventsThenACloseEventWith1001AndEnds() throws Exception {
		GroupNotifier notifier = start();
		HttpResponse<InputStream> stream = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/sse/tasks/1")).build(),
					HttpResponse.BodyHandlers.ofInputStream());
		Waits.await("one stream in tasks/1").until(() -> notifier.sessionCount("tasks/1") == 1);
		notifier.broadcast("tasks/1", "last words");

		this.context.close();

		String events = new String(stream.body().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(events).contains("data: last words\n\n")
			.endsWith("event: close\ndata: {\"code\":1001,\"reason\":\"going away\"}\n\n");
		assertThat(events.indexOf("last words")).isLessThan(events.indexOf("event: close"));
	}

	private GroupNotifier start() {
		this.context = new SpringApplicationBuilder(NotifierTestApplication.class)
			.properties("server.port=0", "spring.main.banner-mode=off")
			.run();
		ServerContainer.expected().assertRunsIn(this.context);
		this.port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
		return this.context.getBean(GroupNotifier.class);
	}

	private TestClient connect(String path) {
		TestClient client = TestClient.connect(URI.create("ws://localhost:" + this.port + path), Map.of());
		this.clients.add(client);
		return client;
	}

}
