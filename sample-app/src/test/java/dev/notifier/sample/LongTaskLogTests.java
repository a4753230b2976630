package dev.notifier.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.IntStream;

import dev.notifier.core.NotifierEngine;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A viewer who opens a long task's page after it has finished gets the whole log, however much longer it is than a
 * session's queue (1024 messages), and then the end: the group's history replays it at the viewer's pace.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "sample.tasks.lines=5000", "sample.tasks.line-interval=0ms" })
class LongTaskLogTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private NotifierEngine engine;

	@Test
	void aViewerOfAFinishedFiveThousandLineTaskGetsAllOfItThenTheEnd() throws Exception {
		HttpResponse<String> started = this.http.send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/api/tasks?name=long"))
					.POST(HttpRequest.BodyPublishers.noBody())
					.build(),
				HttpResponse.BodyHandlers.ofString());
		String id = started.body().replaceAll(".*\"id\":\"(\\d+)\".*", "$1");
		// 5,000 steps between "started" and "finished".
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.engine.history("tasks/" + id).map((history) -> history.lastOffset()).orElse(0L) == 5002);

		RecordingViewer late = new RecordingViewer();
		this.http.newWebSocketBuilder()
			.buildAsync(URI.create("ws://localhost:" + this.port + "/ws/tasks/" + id), late)
			.join();

		await().atMost(Duration.ofSeconds(30)).until(late.closed::isDone);
		assertThat(late.closed.get()).as("closed once the whole log is written, not as a slow consumer")
			.isEqualTo(1000);
		assertThat(SampleApplicationTests.numbers(late.texts))
			.isEqualTo(IntStream.rangeClosed(1, 5002).boxed().toList());
		assertThat(late.texts.get(5001)).contains("task finished");
	}

}
