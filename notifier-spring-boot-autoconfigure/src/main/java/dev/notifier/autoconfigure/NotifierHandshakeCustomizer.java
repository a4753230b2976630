package dev.notifier.autoconfigure;

/**
 * Customizes the WebSocket handshake of the notifier endpoint: adds {@code HandshakeInterceptor}s that run after the
 * notifier's own checks or replaces Spring's {@code DefaultHandshakeHandler}, through {@link NotifierHandshake}. The
 * interceptors also run for the Server-Sent Events streams of the same groups. The notifier's checks (origin, group,
 * {@code GroupAuthorizer}, connection limits) always run first and cannot be removed. Every bean of this type is
 * applied, in {@link org.springframework.core.Ordered order}, once, when the endpoints are set up.
 */
@FunctionalInterface
public interface NotifierHandshakeCustomizer {

	/**
	 * Customizes the handshake.
	 * @param handshake what may be changed about it
	 */
	void customize(NotifierHandshake handshake);

}
