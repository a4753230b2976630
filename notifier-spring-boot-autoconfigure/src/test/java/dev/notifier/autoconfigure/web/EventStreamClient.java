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
 * A Server-Sent Events stream of the test server, read line by line on a thread of its own as a browser's
 * {@code EventSource} would, with the request headers a test gives it (a login's cookie, for example). Closing it
 * closes the connection, which the server notices at its next write (a message or a heartbeat): test classes that
 * open streams set a short {@code notifier.heartbeat.interval}, or have the server end them.
 */
final class EventStreamClient implements AutoCloseable {

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TestClient.TIMEOUT).build();

	private final String path;

	private final HttpResponse<InputStream> response;

	/**
	 * Not a copy-on-write list, which copies every line received so far on each new one: the slow-consumer test's
	 * stream receives thousands.
	 */
	private final Queue<String> lines = new ConcurrentLinkedQueue<>();

	private volatile boolean ended;

	private EventStreamClient(String path, HttpResponse<InputStream> response) {
		this.path = path;
		this.response = response;
	}

	/** Opens the stream at this path (and query), failing the test unless the server answers 200. */
	static EventStreamClient open(int port, String path, Map<String, String> headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.header("Accept", "text/event-stream");
		headers.forEach(request::header);
		HttpResponse<InputStream> response;
		try {
			response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
		}
		catch (IOException ex) {
			throw new AssertionError("GET " + path + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted", ex);
		}
		EventStreamClient stream = new EventStreamClient(path, response);
		if (response.statusCode() != 200) {
			stream.close();
		}
		assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
		Thread reader = new Thread(stream::read, "event-stream " + path);
		reader.setDaemon(true);
		reader.start();
		return stream;
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

	/** Every line received so far, in order, the blank lines that end events included. */
	List<String> events() {
		return List.copyOf(this.lines);
	}

	/** Waits until the stream has received this line. */
	void awaitLines(String line) {
		Waits.await(this.path + " receives " + line).until(() -> this.lines.contains(line));
	}

	/** Whether the server has ended the stream (or the test closed it). */
	boolean hasEnded() {
		return this.ended;
	}

	/** Waits until the server has ended the stream. */
	void awaitEnd() {
		Waits.await(this.path + " ends").until(() -> this.ended);
	}

	/** Waits until the server has ended the stream and returns the data of its close event, as JSON. */
	String awaitCloseEvent() {
		awaitEnd();
		List<String> events = events();
		int close = events.lastIndexOf("event: close");
		assertThat(close).as("the close event among the lines of %s: %s", this.path, events)
			.isNotNegative()
			.isLessThan(events.size() - 1);
		assertThat(events.get(close + 1)).as("the line after the close event").startsWith("data: ");
		return events.get(close + 1).substring("data: ".length());
	}

	/** The data of the close event the server sends with this status. */
	static String closeEvent(int code, String reason) {
		return "{\"code\":" + code + ",\"reason\":\"" + reason + "\"}";
	}

	/** Drops the stream, as a browser closing the page would. */
	@Override
	public void close() {
		try {
			this.response.body().close();
		}
		catch (IOException ex) {
			// Dropped either way.
		}
	}

}
