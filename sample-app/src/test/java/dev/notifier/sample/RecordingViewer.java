package dev.notifier.sample;

import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** A JDK WebSocket listener that records the whole texts a viewer receives and the close code it gets. */
final class RecordingViewer implements WebSocket.Listener {

	final List<String> texts = new CopyOnWriteArrayList<>();

	final CompletableFuture<Integer> closed = new CompletableFuture<>();

	/** The parts of a text message that has not fully arrived; the client may hand one message over in several. */
	private final StringBuilder parts = new StringBuilder();

	@Override
	public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
		this.parts.append(data);
		if (last) {
			this.texts.add(this.parts.toString());
			this.parts.setLength(0);
		}
		webSocket.request(1);
		return null;
	}

	@Override
	public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
		this.closed.complete(statusCode);
		return null;
	}

}
