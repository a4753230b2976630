package dev.notifier.autoconfigure;

import java.time.Duration;
import java.util.List;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.Connection;
import dev.notifier.core.HandshakeInfo;
import dev.notifier.core.NotifierEngine;
import dev.notifier.core.NotifierProtocol;
import dev.notifier.core.Transport;
import dev.notifier.core.transport.JakartaTransport;
import dev.notifier.core.transport.JettyTransport;
import dev.notifier.core.transport.TomcatTransport;
import jakarta.servlet.http.HttpSession;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.SubProtocolCapable;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;

/**
 * The Spring {@link WebSocketHandler} for the notifier endpoint: it adapts each connection to the engine and reports
 * what arrives. Messages are taken in parts ({@link #supportsPartialMessages()}) so the container's message buffers
 * stay small and the engine enforces the inbound size limit while a message arrives.
 *
 * <p>A connection that closes gives back its slot under the connection limits, taken at the handshake by
 * {@link NotifierHandshakeInterceptor}, and stops being followed by the {@link HttpSessionFollower}, if any. The
 * container reports every connection it opened as closed, also one this handler refused or the engine gave up on.
 */
public final class NotifierWebSocketHandler implements WebSocketHandler, SubProtocolCapable {

	private static final String CONNECTION_ATTRIBUTE = Connection.class.getName();

	private static final boolean JAKARTA_PRESENT = ClassUtils.isPresent("jakarta.websocket.Session",
			NotifierWebSocketHandler.class.getClassLoader());

	private static final boolean JETTY_PRESENT = ClassUtils
		.isPresent("org.eclipse.jetty.websocket.common.WebSocketSession", NotifierWebSocketHandler.class.getClassLoader());

	private static final Log logger = LogFactory.getLog(NotifierWebSocketHandler.class);

	private final NotifierEngine engine;

	private final Duration blockingSendTimeout;

	private final @Nullable HttpSessionFollower httpSessions;

	/**
	 * A handler for the engine's connections. The auto-configuration declares one and backs off for a bean of this
	 * type of the application's own, for example one that follows HTTP sessions with a follower it shares elsewhere.
	 * @param engine the engine each connection opens a session of
	 * @param blockingSendTimeout how long a blocking ping or close frame may take (the send timeout)
	 * @param httpSessions the follower that closes sessions whose HTTP session ended, or {@code null}
	 */
	public NotifierWebSocketHandler(NotifierEngine engine, Duration blockingSendTimeout,
			@Nullable HttpSessionFollower httpSessions) {
		this.engine = engine;
		this.blockingSendTimeout = blockingSendTimeout;
		this.httpSessions = httpSessions;
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) throws Exception {
		HandshakeInfo handshake = (HandshakeInfo) session.getAttributes()
			.get(NotifierHandshakeInterceptor.HANDSHAKE_ATTRIBUTE);
		Transport transport = transportOf(session);
		if (handshake == null || transport == null) {
			logger.error("Closing WebSocket session " + session.getId() + ": "
					+ ((handshake == null) ? "it did not pass the notifier handshake"
							: "its container is neither Jakarta WebSocket nor Jetty"));
			session.close(org.springframework.web.socket.CloseStatus.SERVER_ERROR);
			return;
		}
		Connection connection = this.engine.open(handshake, transport);
		session.getAttributes().put(CONNECTION_ATTRIBUTE, connection);
		HttpSession httpSession = httpSessionOf(session);
		if (httpSession != null) {
			this.httpSessions.opened(httpSession, connection.session());
		}
	}

	/** The HTTP session to follow, if the handshake had one with a user and sessions follow their login. */
	private @Nullable HttpSession httpSessionOf(WebSocketSession session) {
		return (this.httpSessions != null)
				? (HttpSession) session.getAttributes().get(NotifierHandshakeInterceptor.HTTP_SESSION_ATTRIBUTE) : null;
	}

	private @Nullable Transport transportOf(WebSocketSession session) {
		if (!(session instanceof NativeWebSocketSession nativeSession)) {
			return null;
		}
		Object container = nativeSession.getNativeSession();
		if (JAKARTA_PRESENT && container instanceof jakarta.websocket.Session jakartaSession) {
			return TomcatTransport.supports(jakartaSession)
					? TomcatTransport.of(jakartaSession, this.blockingSendTimeout)
					: new JakartaTransport(jakartaSession, this.blockingSendTimeout);
		}
		if (JETTY_PRESENT && container instanceof org.eclipse.jetty.websocket.api.Session jettySession
				&& JettyTransport.supports(jettySession)) {
			return new JettyTransport(jettySession);
		}
		return null;
	}

	@Override
	public void handleMessage(WebSocketSession session, WebSocketMessage<?> message) {
		Connection connection = connectionOf(session);
		if (connection == null) {
			return;
		}
		if (message instanceof TextMessage text) {
			connection.onText(text.getPayload(), text.isLast());
		}
		else if (message instanceof BinaryMessage binary) {
			connection.onBinary(binary.getPayload(), binary.isLast());
		}
		else if (message instanceof PongMessage pong) {
			connection.onPong(pong.getPayload());
		}
	}

	@Override
	public void handleTransportError(WebSocketSession session, Throwable exception) {
		Connection connection = connectionOf(session);
		if (connection != null) {
			connection.onError(exception);
		}
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session,
			org.springframework.web.socket.CloseStatus closeStatus) {
		// First, so that a listener hearing onDisconnect (and a test counting closes) finds the place free again.
		Object slot = session.getAttributes().get(NotifierHandshakeInterceptor.SLOT_ATTRIBUTE);
		if (slot instanceof ConnectionLimits.Slot taken) {
			taken.release();
		}
		Connection connection = connectionOf(session);
		if (connection != null) {
			connection.onClosed(new CloseStatus(closeStatus.getCode(), closeStatus.getReason()));
			HttpSession httpSession = httpSessionOf(session);
			if (httpSession != null) {
				this.httpSessions.closed(httpSession, connection.session());
			}
		}
	}

	/**
	 * The subprotocol that carries each message's position to clients that ask for it; the container selects it only
	 * for those, and the engine frames their messages (see {@link NotifierProtocol}).
	 */
	@Override
	public List<String> getSubProtocols() {
		return List.of(NotifierProtocol.NAME);
	}

	@Override
	public boolean supportsPartialMessages() {
		return true;
	}

	private static @Nullable Connection connectionOf(WebSocketSession session) {
		return (Connection) session.getAttributes().get(CONNECTION_ATTRIBUTE);
	}

}
