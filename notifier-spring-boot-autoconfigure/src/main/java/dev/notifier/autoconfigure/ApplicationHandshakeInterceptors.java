package dev.notifier.autoconfigure;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * The interceptors of the {@link NotifierHandshakeCustomizer}s, run in order after {@link NotifierHandshakeInterceptor}
 * accepted a handshake. One that refuses ends the chain as Spring's would (the ones that ran hear
 * {@code afterHandshake}), and the handshake's place under the connection limits is given back here: the notifier's
 * interceptor gives it back only for an error status, which an application's interceptor may not have set.
 *
 * <p>Runs on the container's request thread, like the rest of the handshake; holds no state of its own.
 */
final class ApplicationHandshakeInterceptors implements HandshakeInterceptor {

	private final List<HandshakeInterceptor> interceptors;

	ApplicationHandshakeInterceptors(List<HandshakeInterceptor> interceptors) {
		this.interceptors = List.copyOf(interceptors);
	}

	@Override
	public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler wsHandler,
			Map<String, Object> attributes) throws Exception {
		for (int i = 0; i < this.interceptors.size(); i++) {
			if (!this.interceptors.get(i).beforeHandshake(request, response, wsHandler, attributes)) {
				after(i - 1, request, response, wsHandler, null);
				if (attributes.get(NotifierHandshakeInterceptor.SLOT_ATTRIBUTE) instanceof ConnectionLimits.Slot slot) {
					slot.release();
				}
				return false;
			}
		}
		return true;
	}

	@Override
	public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler wsHandler,
			@Nullable Exception exception) {
		after(this.interceptors.size() - 1, request, response, wsHandler, exception);
	}

	/** Like Spring's chain: the interceptors up to {@code last}, the last first. */
	private void after(int last, ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler wsHandler,
			@Nullable Exception exception) {
		for (int i = last; i >= 0; i--) {
			this.interceptors.get(i).afterHandshake(request, response, wsHandler, exception);
		}
	}

}
