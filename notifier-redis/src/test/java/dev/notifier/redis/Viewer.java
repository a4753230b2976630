package dev.notifier.redis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.notifier.core.NotifierProtocol;
import org.jspecify.annotations.Nullable;

/**
 * A WebSocket client on the JDK's {@link WebSocket} that records every text message in order and how it closed.
 */
final class Viewer implements AutoCloseable {

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private final List<String> texts = new CopyOnWriteArrayList<>();

	private final List<byte[]> binaries = new CopyOnWriteArrayList<>();

	private final CompletableFuture<Integer> closed = new CompletableFuture<>();

	/** Set before {@code closed} completes with the code of a close frame. */
	private volatile @Nullable String closeReason;

	private final WebSocket webSocket;

	private Viewer(URI uri, @Nullable String user, boolean framed) throws Exception {
		WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
		if (framed) {
			builder.subprotocols(NotifierProtocol.NAME);
		}
		if (user != null) {
			String credentials = user + ":" + ClusterTestApplication.PASSWORD_PREFIX + user;
			builder.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
		}
		this.webSocket = builder.buildAsync(uri, new Recorder()).get(10, TimeUnit.SECONDS);
	}

	/** Joins a group on the instance listening on this port, anonymously. */
	static Viewer join(int port, String group) throws Exception {
		return join(port, group, null);
	}

	/**
	 * Joins a group on the instance listening on this port, signed in with HTTP Basic as a user of
	 * {@link ClusterTestApplication}, or anonymously for {@code null}.
	 */
	static Viewer join(int port, String group, @Nullable String user) throws Exception {
		return new Viewer(URI.create("ws://127.0.0.1:" + port + "/ws/" + group), user, false);
	}

	/**
	 * Joins a group speaking {@link NotifierProtocol}, as the browser client does.
	 * @param groupAndQuery the group, and the query with the position to resume from, if any
	 */
	static Viewer joinFramed(int port, String groupAndQuery) throws Exception {
		return new Viewer(URI.create("ws://127.0.0.1:" + port + "/ws/" + groupAndQuery), null, true);
	}

	List<String> texts() {
		return List.copyOf(this.texts);
	}

	/** The binary messages received so far, in order (assuming each arrives in one part, as small ones do). */
	List<byte[]> binaries() {
		return List.copyOf(this.binaries);
	}

	boolean isClosed() {
		return this.closed.isDone();
	}

	/** The close code, or {@code null} while open. */
	Integer closeCode() {
		return this.closed.getNow(null);
	}

	/** The reason of the close frame received, or {@code null} while open or if the connection was lost. */
	@Nullable String closeReason() {
		return this.closeReason;
	}

	@Override
	public void close() {
		if (!this.closed.isDone()) {
			this.webSocket.abort();
		}
	}

	private final class Recorder implements WebSocket.Listener {

		private final StringBuilder parts = new StringBuilder();

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.parts.append(data);
			if (last) {
				Viewer.this.texts.add(this.parts.toString());
				this.parts.setLength(0);
			}
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
			byte[] bytes = new byte[data.remaining()];
			data.get(bytes);
			Viewer.this.binaries.add(bytes);
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			Viewer.this.closeReason = reason;
			Viewer.this.closed.complete(statusCode);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			Viewer.this.closed.complete(1006);
		}

	}

}
