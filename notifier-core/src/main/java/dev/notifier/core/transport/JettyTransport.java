package dev.notifier.core.transport;

import java.nio.ByteBuffer;
import java.time.Duration;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.OutboundMessage;
import dev.notifier.core.Transport;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * A {@link Transport} over Jetty's own WebSocket session (Jetty 12): every send, ping and close is asynchronous.
 *
 * <p>Jetty hands over whole messages only, so it enforces the inbound size limit itself (closing with 1009), and it
 * has an idle timeout of its own, which is switched off: the engine's heartbeat decides when a peer is gone.
 */
public final class JettyTransport implements Transport {

	private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

	private final Session session;

	/** Adapts a session. */
	public JettyTransport(Session session) {
		this.session = session;
		session.setIdleTimeout(Duration.ZERO);
	}

	@Override
	public void send(OutboundMessage message, boolean more, SendCallback callback) {
		if (message.isText()) {
			this.session.sendText(message.text(), jettyCallback(callback));
		}
		else {
			this.session.sendBinary(message.binary(), jettyCallback(callback));
		}
	}

	@Override
	public void sendPing(SendCallback callback) {
		this.session.sendPing(EMPTY.duplicate(), jettyCallback(callback));
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

	private static Callback jettyCallback(SendCallback callback) {
		return Callback.from(() -> callback.completed(null), callback::completed);
	}

}
