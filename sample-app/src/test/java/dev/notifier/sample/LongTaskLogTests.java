package dev.notifier.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import dev.notifier.core.NotifierEngine;
import dev.notifier.core.NotifierStatistics;
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

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private NotifierEngine engine;

	@Test
	void aViewerOfAFinishedFiveThousandLineTaskGetsAllOfItThenTheEnd() throws Exception {
		String id = finishedTask("long");

		RecordingViewer late = new RecordingViewer();
		this.http.newWebSocketBuilder()
			.buildAsync(URI.create("ws://localhost:" + this.port + "/ws/tasks/" + id), late)
			.join();

		await().atMost(PATIENCE).until(late.closed::isDone);
		assertThat(late.closed.get()).as("closed once the whole log is written, not as a slow consumer")
			.isEqualTo(1000);
		assertThat(SampleApplicationTests.numbers(late.texts))
			.isEqualTo(IntStream.rangeClosed(1, 5002).boxed().toList());
		assertThat(late.texts.get(5001)).contains("task finished");
	}

	@Test
	void theTaskPageOfAFinishedFiveThousandLineTaskShowsAllOfItInOrderOverOneConnection() throws Exception {
		Browser.assumeAvailable();
		String id = finishedTask("paged");
		NotifierStatistics statistics = this.engine.statistics();
		long opened = statistics.connectionsOpened();
		long overrun = statistics.connectionsClosed(1013);

		try (Browser browser = Browser.start()) {
			browser.open("http://localhost:" + this.port + "/tasks/" + id);
			await().atMost(PATIENCE).until(() -> "ended".equals(browser.pageState()));
			browser.screenshot("long-task-log");
			List<String> log = browser.logLines();

			assertThat(log).hasSize(5002);
			assertThat(log.get(0)).isEqualTo("task 'paged' started");
			assertThat(log.subList(1, 5001)).extracting((line) -> line.replaceAll(".*\\((\\d+)/5000\\)$", "$1"))
				.isEqualTo(IntStream.rangeClosed(1, 5000).mapToObj(String::valueOf).toList());
			assertThat(log.get(5001)).isEqualTo("task finished");
			assertThat(browser.texts("#state")).singleElement().asString().contains("1000");
		}
		assertThat(statistics.connectionsOpened()).as("one connection, never a reconnect").isEqualTo(opened + 1);
		assertThat(statistics.connectionsClosed(1013)).as("never closed with 1013").isEqualTo(overrun);
	}

	/** Starts a task and waits until it has written its 5,000 steps between "started" and "finished". */
	private String finishedTask(String name) throws Exception {
		String id = SampleTasks.start("http://localhost:" + this.port, name);
		await().atMost(PATIENCE)
			.until(() -> this.engine.history("tasks/" + id).map((history) -> history.lastOffset()).orElse(0L) == 5002);
		return id;
	}

}
