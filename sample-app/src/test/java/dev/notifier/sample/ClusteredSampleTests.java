package dev.notifier.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample as two clustered instances on the Redis server at {@code NOTIFIER_TEST_REDIS} (default
 * {@code redis://127.0.0.1:6379}), as docs/cluster.md runs it: a task started on one instance is watched live from the
 * other. Keys and channels carry a prefix of this test's own.
 */
class ClusteredSampleTests {

	private final HttpClient http = HttpClient.newHttpClient();

	private final String prefix = "notifier-sample-test-" + UUID.randomUUID() + ":";

	private final List<ConfigurableApplicationContext> instances = new ArrayList<>();

	@AfterEach
	void stop() {
		if (!this.instances.isEmpty()) {
			StringRedisTemplate redis = this.instances.get(0).getBean(StringRedisTemplate.class);
			redis.delete(redis.keys(this.prefix + "*"));
		}
		this.instances.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void aTaskStartedOnOneInstanceIsWatchedLiveFromTheOther() throws Exception {
		int a = start();
		int b = start();

		String id = SampleTasks.start("http://127.0.0.1:" + a, "release");

		RecordingViewer onB = new RecordingViewer();
		this.http.newWebSocketBuilder()
			.buildAsync(URI.create("ws://127.0.0.1:" + b + "/ws/tasks/" + id), onB)
			.join();

		await().atMost(Duration.ofSeconds(15)).until(onB.closed::isDone);
		assertThat(onB.closed.get()).as("the task's end closes the viewer on the other instance").isEqualTo(1000);
		assertThat(SampleApplicationTests.numbers(onB.texts)).containsExactly(1, 2, 3, 4, 5, 6, 7);
		assertThat(onB.texts.get(0)).contains("task 'release' started");
		assertThat(onB.texts.get(onB.texts.size() - 1)).contains("task finished");
	}

	private int start() {
		String redis = System.getenv().getOrDefault("NOTIFIER_TEST_REDIS", "redis://127.0.0.1:6379");
		// As command-line arguments, like the two commands of docs/cluster.md: they win over application.properties.
		ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class).run(
				"--server.port=0", "--management.server.port=0", "--notifier.cluster.mode=redis",
				"--notifier.cluster.prefix=" + this.prefix, "--spring.data.redis.url=" + redis,
				"--sample.tasks.lines=5", "--sample.tasks.line-interval=200ms", "--spring.main.banner-mode=off");
		this.instances.add(context);
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

}
