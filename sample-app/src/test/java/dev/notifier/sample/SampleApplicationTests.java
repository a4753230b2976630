package dev.notifier.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "sample.ticker.period=100ms", "sample.tasks.lines=5",
				"sample.tasks.line-interval=50ms" })
class SampleApplicationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@LocalManagementPort
	private int managementPort;

	@Test
	void indexPageShouldBeServed() throws Exception {
		HttpResponse<String> page = this.http.send(HttpRequest.newBuilder(uri("http", "/")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("notifier sample").contains("notifier.connect(");
	}

	@Test
	void postedMessageShouldReachTheViewersOfItsGroupOnly() throws Exception {
		List<String> task42 = new CopyOnWriteArrayList<>();
		List<String> task43 = new CopyOnWriteArrayList<>();
		WebSocket viewer42 = connect("/ws/demo/42", task42);
		WebSocket viewer43 = connect("/ws/demo/43", task43);
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(uri("http", "/broadcast/demo/42"))
					.POST(HttpRequest.BodyPublishers.ofString("build started"))
					.build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.body()).contains("\"sessions\":1");
		await().atMost(Duration.ofSeconds(10)).until(() -> task42.contains("build started"));
		assertThat(task43).isEmpty();
		viewer42.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
		viewer43.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
	}

	@Test
	void postToAnInvalidGroupShouldAnswer400WithTheReason() throws Exception {
		// Not an empty segment (demo//42): Spring Security's firewall refuses a path with '//' before any controller.
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(uri("http", "/broadcast/demo/4*2"))
					.POST(HttpRequest.BodyPublishers.ofString("x"))
					.build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("character outside [A-Za-z0-9._~-] at position 6");
	}

	@Test
	void tickerWorkerRunsWhileSomeoneWatchesAndTheMonitorShowsIt() throws Exception {
		List<String> quotes = new CopyOnWriteArrayList<>();
		WebSocket viewer = connect("/ws/ticker/acme", quotes);
		await().atMost(Duration.ofSeconds(10)).until(() -> quotes.size() >= 2);
		assertThat(quotes.get(0)).contains("\"ticker\":\"acme\"").contains("\"price\":");
		assertThat(monitor()).contains("\"ticker/acme\"").contains("\"workers\":1");

		viewer.sendClose(WebSocket.NORMAL_CLOSURE, "").join();

		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(monitor()).doesNotContain("ticker/acme").contains("\"workers\":0"));
	}

	@Test
	void everyViewerOfATaskSeesItsWholeLogOnceInOrderThenTheEnd() throws Exception {
		String id = SampleTasks.start("http://localhost:" + this.port, "release");
		RecordingViewer first = new RecordingViewer();
		RecordingViewer second = new RecordingViewer();
		this.http.newWebSocketBuilder().buildAsync(uri("ws", "/ws/tasks/" + id), first).join();
		this.http.newWebSocketBuilder().buildAsync(uri("ws", "/ws/tasks/" + id), second).join();

		await().atMost(Duration.ofSeconds(10)).until(() -> first.closed.isDone() && second.closed.isDone());
		assertThat(first.closed.get()).isEqualTo(1000);
		assertThat(second.closed.get()).isEqualTo(1000);
		assertThat(numbers(first.texts)).isEqualTo(numbers(second.texts)).containsExactly(1, 2, 3, 4, 5, 6, 7);
		assertThat(first.texts.get(0)).contains("task 'release' started");
	}

	@Test
	void viewerOfAnUnknownTaskIsRefused() {
		assertThat(this.http.newWebSocketBuilder()
			.buildAsync(uri("ws", "/ws/tasks/999999"), new WebSocket.Listener() {
			})
			.handle((socket, failure) -> ((java.net.http.WebSocketHandshakeException) failure.getCause()).getResponse()
				.statusCode())
			.join()).isEqualTo(403);
	}

	/** The line numbers received, in the order received. */
	static List<Integer> numbers(List<String> lines) {
		return lines.stream().map((line) -> Integer.valueOf(line.replaceAll(".*\"n\":(\\d+).*", "$1"))).toList();
	}

	private String monitor() throws Exception {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + this.managementPort + "/actuator/notifier"))
					.build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	private WebSocket connect(String path, List<String> received) {
		return this.http.newWebSocketBuilder().buildAsync(uri("ws", path), new WebSocket.Listener() {

			@Override
			public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
				received.add(data.toString());
				webSocket.request(1);
				return null;
			}

		}).join();
	}

	private URI uri(String scheme, String path) {
		return URI.create(scheme + "://localhost:" + this.port + path);
	}

}
