package dev.notifier.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Starts the sample's fake tasks through its HTTP API, as the tasks page does. */
final class SampleTasks {

	private static final HttpClient http = HttpClient.newHttpClient();

	private SampleTasks() {
	}

	/**
	 * Starts a task on the sample at the given base URL ({@code http://host:port}) and returns its id.
	 * @param name the task's name, which its first line repeats; no character of it needs encoding
	 */
	static String start(String baseUrl, String name) throws IOException, InterruptedException {
		HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/tasks?name=" + name))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(started.statusCode()).isEqualTo(201);
		return started.body().replaceAll(".*\"id\":\"(\\d+)\".*", "$1");
	}

}
