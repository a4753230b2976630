package dev.notifier.autoconfigure.web;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A reading WebSocket client on the JDK's {@link java.net.http.WebSocket}: it requests every message as soon as it
 * can, records what arrives in order (whole messages: parts are joined) and how the connection closed. The JDK client
 * answers pings with pongs by itself.
 */
final class TestClient implements AutoCloseable {

	static final Duration TIMEOUT = Waits.TIMEOUT;

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

	private final String name;

	private final Recorder recorder = new Recorder();

	private final WebSocket webSocket;

	private TestClient(String name, URI uri, Map<String, String> headers, List<String> subprotocols) {
		this.name = name;
		WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT);
		headers.forEach(builder::header);
		if (!subprotocols.isEmpty()) {
			builder.subprotocols(subprotocols.get(0), subprotocols.subList(1, subprotocols.size()).toArray(String[]::new));
		}
		this.webSocket = join(builder.buildAsync(uri, this.recorder), "connect to " + uri);
	}

	/** Connects, failing the test if the handshake is refused. */
	static TestClient connect(URI uri, Map<String, String> headers) {
		return connect(uri, headers, List.of());
	}

	/** Connects asking for these subprotocols, failing the test if the handshake is refused. */
	static TestClient connect(URI uri, Map<String, String> headers, List<String> subprotocols) {
		return new TestClient(uri.getRawPath() + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : ""), uri,
				headers, subprotocols);
	}

	/** The subprotocol the server selected; empty for none. */
	String subprotocol() {
		return this.webSocket.getSubprotocol();
	}

	/** Tries to connect and expects the handshake to be refused: the refusal carries the status and body. */
	static Refusal refused(URI uri, Map<String, String> headers) {
		WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT);
		headers.forEach(builder::header);
		try {
			builder.buildAsync(uri, new Recorder()).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).abort();
			return fail("expected the handshake for %s to be refused, but it succeeded", uri);
		}
		catch (ExecutionException ex) {
			assertThat(ex.getCause()).as("why connecting to %s failed", uri)
				.isInstanceOf(WebSocketHandshakeException.class);
			var response = ((WebSocketHandshakeException) ex.getCause()).getResponse();
			return new Refusal(response.statusCode(), bodyOf(response.body()));
		}
		catch (InterruptedException | TimeoutException ex) {
			throw new AssertionError("connecting to " + uri + " did not complete within " + TIMEOUT, ex);
		}
	}

	private static String bodyOf(Object body) {
		if (body == null) {
			return "";
		}
		return (body instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : body.toString();
	}

	/** Every whole message received so far, in order: a {@code String} for text, a {@code byte[]} for binary. */
	List<Object> messages() {
		synchronized (this.recorder) {
			return List.copyOf(this.recorder.messages);
		}
	}

	/** The text messages received so far, in order. */
	List<String> texts() {
		return messages().stream().filter(String.class::isInstance).map(String.class::cast).toList();
	}

	/** How many whole messages have arrived. */
	int messageCount() {
		synchronized (this.recorder) {
			return this.recorder.messages.size();
		}
	}

	/** Waits until at least {@code count} messages have arrived; returns them all. */
	List<Object> awaitMessages(int count) {
		Waits.await(this.name + " receives " + count + " messages")
			.until(() -> messageCount() >= count || isClosed());
		assertThat(messageCount()).as("messages received by %s before it closed with %s", this.name,
				this.recorder.closed.getNow(null))
			.isGreaterThanOrEqualTo(count);
		return messages();
	}

	/** Waits until at least {@code count} messages have arrived and checks that they are all text. */
	List<String> awaitTexts(int count) {
		List<Object> messages = awaitMessages(count);
		assertThat(messages).as("messages received by %s", this.name).allMatch(String.class::isInstance);
		return texts();
	}

	/** Waits until this exact text has arrived; returns every message received up to then. */
	List<Object> awaitText(String text) {
		Waits.await(this.name + " receives " + abbreviate(text))
			.until(() -> messages().contains(text) || isClosed());
		assertThat(messages()).as("messages received by %s", this.name).contains(text);
		return messages();
	}

	/** Pings received from the server. */
	int pings() {
		return this.recorder.pings.get();
	}

	/** Sends a whole text message. */
	void send(String text) {
		join(this.webSocket.sendText(text, true), "send a text message");
	}

	/** Sends one text message in several frames: the first parts are not last, the final one is. */
	void sendInParts(String... parts) {
		for (int i = 0; i < parts.length; i++) {
			join(this.webSocket.sendText(parts[i], i == parts.length - 1), "send part " + (i + 1) + " of a message");
		}
	}

	/** Sends a whole binary message. */
	void send(byte[] data) {
		join(this.webSocket.sendBinary(ByteBuffer.wrap(data), true), "send a binary message");
	}

	/** Whether the connection has closed, by a close frame or an error. */
	boolean isClosed() {
		return this.recorder.closed.isDone();
	}

	/** Waits for the server to close the connection; a connection lost without a close frame counts as 1006. */
	Closure awaitClose() {
		try {
			return this.recorder.closed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException | ExecutionException | TimeoutException ex) {
			throw new AssertionError(this.name + " was not closed within " + TIMEOUT + "; it received "
					+ messageCount() + " messages", ex);
		}
	}

	/** Closes the connection with 1000 if it is still open, and drops it. */
	@Override
	public void close() {
		if (!this.webSocket.isOutputClosed()) {
			try {
				this.webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
			}
			catch (InterruptedException | ExecutionException | TimeoutException ex) {
				// dropped below either way
			}
		}
		if (!isClosed()) {
			try {
				this.recorder.closed.get(2, TimeUnit.SECONDS);
			}
			catch (InterruptedException | ExecutionException | TimeoutException ex) {
				// the server did not answer the close frame in time: drop the connection
			}
		}
		this.webSocket.abort();
	}

	@Override
	public String toString() {
		return "TestClient[" + this.name + "]";
	}

	private static <T> T join(CompletableFuture<T> future, String what) {
		try {
			return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException | CompletionException ex) {
			throw new AssertionError("could not " + what + ": " + ex.getCause(), ex.getCause());
		}
		catch (InterruptedException | TimeoutException ex) {
			throw new AssertionError("could not " + what + " within " + TIMEOUT, ex);
		}
	}

	private static String abbreviate(String text) {
		return (text.length() <= 40) ? "'" + text + "'" : "'" + text.substring(0, 40) + "...'";
	}

	/**
	 * How a connection ended.
	 * @param code the close code received, 1006 if the connection was lost without a close frame
	 * @param reason the close reason
	 */
	record Closure(int code, String reason) {
	}

	/**
	 * A refused handshake.
	 * @param status the HTTP status
	 * @param body the response body
	 */
	record Refusal(int status, String body) {
	}

	/** The listener: records whole messages, pings and the close. */
	private static final class Recorder implements WebSocket.Listener {

		private final List<Object> messages = new ArrayList<>();

		private final StringBuilder text = new StringBuilder();

		private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

		private final AtomicInteger pings = new AtomicInteger();

		private final CompletableFuture<Closure> closed = new CompletableFuture<>();

		@Override
		public void onOpen(WebSocket webSocket) {
			webSocket.request(Long.MAX_VALUE);
		}

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			synchronized (this) {
				this.text.append(data);
				if (last) {
					this.messages.add(this.text.toString());
					this.text.setLength(0);
				}
			}
			return null;
		}

		@Override
		public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
			synchronized (this) {
				byte[] bytes = new byte[data.remaining()];
				data.get(bytes);
				this.binary.writeBytes(bytes);
				if (last) {
					this.messages.add(this.binary.toByteArray());
					this.binary.reset();
				}
			}
			return null;
		}

		@Override
		public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
			this.pings.incrementAndGet();
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.closed.complete(new Closure(statusCode, reason));
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			this.closed.complete(new Closure(1006, String.valueOf(error)));
		}

	}

}
