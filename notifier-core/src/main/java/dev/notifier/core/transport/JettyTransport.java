package dev.notifier.core.transport;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.OutboundMessage;
import dev.notifier.core.Transport;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * A {@link Transport} over Jetty's own WebSocket session (Jetty 12): every send, ping and close is asynchronous.
 *
 * <p>Messages go to Jetty's WebSocket core below its API: every frame but the last of a send is marked for batching,
 * so Jetty gathers them in its output buffer and writes them with the last one, and text frames carry the message's
 * UTF-8 bytes, encoded once per broadcast instead of once per session.
 *
 * <p>Jetty hands over whole messages only, so it enforces the inbound size limit itself (closing with 1009), and it
 * has an idle timeout of its own, which is switched off: the engine's heartbeat decides when a peer is gone.
 */
public final class JettyTransport implements Transport {

	private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

	private final Session session;

	private final CoreSession core;

	/** Adapts a session. */
	public JettyTransport(Session session) {
		this.session = session;
		this.core = ((WebSocketSession) session).getCoreSession();
		session.setIdleTimeout(Duration.ZERO);
	}

	/** Whether this session is the Jetty implementation this transport drives. */
	public static boolean supports(Session session) {
		return session instanceof WebSocketSession;
	}

	@Override
	public void send(List<OutboundMessage> messages, SendCallback callback) {
		BatchCompletion completion = new BatchCompletion(messages.size(), callback);
		int last = messages.size() - 1;
		for (int i = 0; i <= last; i++) {
			OutboundMessage message = messages.get(i);
			Frame frame = message.isText() ? new Frame(OpCode.TEXT, message.textBytes())
					: new Frame(OpCode.BINARY, message.binary());
			this.core.sendFrame(frame, completion, i < last);
		}
	}

	@Override
	public void sendPing(SendCallback callback) {
		this.session.sendPing(EMPTY.duplicate(), Callback.from(() -> callback.completed(null), callback::completed));
	}

	@Override
	public void close(CloseStatus status) {
		this.session.close(status.code(), status.reason(), Callback.NOOP);
	}

	@Override
	public void abort() {
		this.session.disconnect();
	}

	@Override
	public void limitInboundMessageSize(int maxBytes) {
		this.session.setMaxTextMessageSize(maxBytes);
		this.session.setMaxBinaryMessageSize(maxBytes);
	}

	/** Tells the engine once every frame of a send has completed, with the first failure if any. */
	private static final class BatchCompletion implements org.eclipse.jetty.util.Callback {

		private final AtomicInteger remaining;

		private final AtomicReference<Throwable> failure = new AtomicReference<>();

		private final SendCallback callback;

		BatchCompletion(int frames, SendCallback callback) {
			this.remaining = new AtomicInteger(frames);
			this.callback = callback;
		}

		@Override
		public void succeeded() {
			frameDone();
		}

		@Override
		public void failed(Throwable cause) {
			this.failure.compareAndSet(null, cause);
			frameDone();
		}

		private void frameDone() {
			if (this.remaining.decrementAndGet() == 0) {
				this.callback.completed(this.failure.get());
			}
		}

	}

}
