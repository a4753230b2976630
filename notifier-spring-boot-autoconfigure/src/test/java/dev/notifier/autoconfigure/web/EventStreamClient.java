package dev.notifier.autoconfigure.web;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An event stream read by the JDK's HTTP client line by line, on a thread of its own, as a browser's
 * {@code EventSource} would. Closing it closes the connection, which the server notices at its next write (a message
 * or a heartbeat): test classes that open streams set a short {@code notifier.heartbeat.interval}, or have the server
 * end them.
 */
final class EventStreamClient implements AutoCloseable {

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TestClient.TIMEOUT).build();

	private final HttpResponse<InputStream> response;

	/**
	 * Not a copy-on-write list, which copies every line received so far on each new one: a slow-consumer test's
	 * stream receives thousands.
	 */
	private final Queue<String> lines = new ConcurrentLinkedQueue<>();

	private volatile boolean ended;

	private EventStreamClient(HttpResponse<InputStream> response) {
		this.response = response;
	}

	/** Opens the stream at this path (and query) of the test server, which must answer 200, and starts reading it. */
	static EventStreamClient open(int port, String pathAndQuery, Map<String, String> headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + pathAndQuery))
			.header("Accept", "text/event-stream");
		headers.forEach(request::header);
		HttpResponse<InputStream> response;
		try {
			response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
		}
		catch (IOException ex) {
			throw new AssertionError("GET " + pathAndQuery + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted", ex);
		}
		assertThat(response.statusCode()).as("GET %s", pathAndQuery).isEqualTo(200);
		EventStreamClient client = new EventStreamClient(response);
		Thread reader = new Thread(client::read, "event-stream " + pathAndQuery);
		reader.setDaemon(true);
		reader.start();
		return client;
	}

	private void read() {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.response.body(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				this.lines.add(line);
			}
		}
		catch (IOException ex) {
			// Closed by the test.
		}
		this.ended = true;
	}

	/** The response's headers. */
	HttpHeaders headers() {
		return this.response.headers();
	}

	/** Every line received so far, blank lines (the ends of events) included. */
	List<String> events() {
		return List.copyOf(this.lines);
	}

	void awaitLines(String line) {
		Waits.await("the stream receives " + line).until(() -> this.lines.contains(line));
	}

	void awaitEnd() {
		Waits.await("the stream ends").until(() -> this.ended);
	}

	@Override
	public void close() throws IOException {
		this.response.body().close();
	}

}
