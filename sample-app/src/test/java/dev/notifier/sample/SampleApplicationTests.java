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
		properties = { "management.server.port=0", "sample.ticker.period=100ms" })
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
		assertThat(page.body()).contains("notifier sample").contains("new WebSocket(");
	}

	@Test
	void postedMessageShouldReachTheViewersOfItsGroupOnly() throws Exception {
		List<String> task42 = new CopyOnWriteArrayList<>();
		List<String> task43 = new CopyOnWriteArrayList<>();
		WebSocket viewer42 = connect("/ws/tasks/42", task42);
		WebSocket viewer43 = connect("/ws/tasks/43", task43);
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(uri("http", "/broadcast/tasks/42"))
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
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(uri("http", "/broadcast/tasks//42"))
					.POST(HttpRequest.BodyPublishers.ofString("x"))
					.build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("empty segment");
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
