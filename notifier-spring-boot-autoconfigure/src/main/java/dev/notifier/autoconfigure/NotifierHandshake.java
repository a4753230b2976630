package dev.notifier.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.springframework.web.socket.server.HandshakeHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

/**
 * The parts of the notifier endpoint's handshake an application may change, handed to every
 * {@link NotifierHandshakeCustomizer} bean; used only while the endpoints are set up, on that thread.
 *
 * <ul>
 * <li>{@link #addInterceptor}: an interceptor runs after the notifier's checks accepted a handshake (never for a
 * refused one, nor for the probe), so it sees the group's {@code dev.notifier.core.HandshakeInfo} in the attributes
 * under its class name; one that refuses (returns {@code false}) should set the response's status, and the handshake's
 * place under the connection limits is given back. The interceptors run the same way for a Server-Sent Events stream,
 * {@code GET <notifier.sse.path>/<group>}, where their {@code WebSocketHandler} argument is {@code null} and a refusal
 * that set no status is answered {@code 403}.</li>
 * <li>{@link #handshakeHandler}: replaces Spring's {@link DefaultHandshakeHandler}, which performs the upgrade once
 * every interceptor agreed (for example one with a {@code RequestUpgradeStrategy} of its own, or one that determines
 * the user).</li>
 * </ul>
 */
public final class NotifierHandshake {

	private final List<HandshakeInterceptor> interceptors = new ArrayList<>();

	private HandshakeHandler handshakeHandler = new DefaultHandshakeHandler();

	NotifierHandshake() {
	}

	/**
	 * Adds an interceptor, run after the notifier's checks and the interceptors added before it.
	 * @return this
	 */
	public NotifierHandshake addInterceptor(HandshakeInterceptor interceptor) {
		this.interceptors.add(interceptor);
		return this;
	}

	/**
	 * Replaces the handshake handler, by default Spring's {@link DefaultHandshakeHandler}.
	 * @return this
	 */
	public NotifierHandshake handshakeHandler(HandshakeHandler handshakeHandler) {
		this.handshakeHandler = handshakeHandler;
		return this;
	}

	/** The interceptors added, in order. */
	public List<HandshakeInterceptor> interceptors() {
		return List.copyOf(this.interceptors);
	}

	/** The handshake handler. */
	public HandshakeHandler handshakeHandler() {
		return this.handshakeHandler;
	}

	/**
	 * The interceptors of an endpoint: its notifier's checks, then those added here, which run only if the checks
	 * accepted the request and give its place under the limits back if they refuse it.
	 */
	List<HandshakeInterceptor> chain(NotifierHandshakeInterceptor checks) {
		if (this.interceptors.isEmpty()) {
			return List.of(checks);
		}
		return List.of(checks, new ApplicationHandshakeInterceptors(this.interceptors));
	}

}
