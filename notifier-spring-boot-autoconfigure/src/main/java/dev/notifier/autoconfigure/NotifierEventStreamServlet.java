package dev.notifier.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.notifier.core.Connection;
import dev.notifier.core.HandshakeInfo;
import dev.notifier.core.NotifierEngine;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.socket.server.support.HandshakeInterceptorChain;

/**
 * Serves every group as a Server-Sent Events stream: {@code GET <notifier.sse.path>/<group>} goes through the same
 * interceptors as a WebSocket handshake, the notifier's checks (origin, group name, resume position,
 * {@code GroupAuthorizer}, connection limits; refused with the same statuses and reasons) and then those the
 * {@link NotifierHandshakeCustomizer}s added, and answers {@code 200 text/event-stream}, which a page of an allowed
 * origin may read with its credentials (CORS). The response stays open as a session of the engine, in the group, like
 * a WebSocket session: the same broadcasts, listeners, overflow policy, history and heartbeats (as comments).
 *
 * <p>The request runs asynchronously ({@link AsyncContext}, without timeout) and is written with non-blocking I/O
 * ({@link EventStreamTransport}): no thread is held per stream. A client that goes away is found when a write (a
 * message or a heartbeat) fails or does not complete within the send timeout.
 */
final class NotifierEventStreamServlet extends HttpServlet {

	private static final MediaType EVENT_STREAM = new MediaType(MediaType.TEXT_EVENT_STREAM, StandardCharsets.UTF_8);

	private final transient NotifierEngine engine;

	private final transient List<HandshakeInterceptor> interceptors;

	private final transient @Nullable HttpSessionFollower httpSessions;

	/**
	 * A servlet whose requests go through these interceptors, the notifier's checks first.
	 */
	NotifierEventStreamServlet(NotifierEngine engine, List<HandshakeInterceptor> interceptors,
			@Nullable HttpSessionFollower httpSessions) {
		this.engine = engine;
		this.interceptors = List.copyOf(interceptors);
		this.httpSessions = httpSessions;
	}

	/**
	 * Runs the interceptors as Spring's {@code WebSocketHttpRequestHandler} does, with no {@code WebSocketHandler}
	 * (they are told {@code null}): each that agreed hears {@code afterHandshake} once the stream is open, or with the
	 * exception that kept it from opening, on which the notifier's gives the place under the limits back.
	 */
	@Override
	protected void doGet(HttpServletRequest servletRequest, HttpServletResponse servletResponse)
			throws ServletException, IOException {
		ServletServerHttpRequest request = new ServletServerHttpRequest(servletRequest);
		ServletServerHttpResponse response = new ServletServerHttpResponse(servletResponse);
		HandshakeInterceptorChain chain = new HandshakeInterceptorChain(this.interceptors, null);
		Map<String, Object> attributes = new HashMap<>();
		try {
			if (!chain.applyBeforeHandshake(request, response, attributes)) {
				refused(response);
				return;
			}
			open(request, response, attributes);
		}
		catch (Exception ex) {
			chain.applyAfterHandshake(request, response, ex);
			if (ex instanceof IOException io) {
				throw io;
			}
			if (ex instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new ServletException(ex);
		}
		chain.applyAfterHandshake(request, response, null);
	}

	/**
	 * Sends a refusal with the status the refusing interceptor set; never a {@code 200}, which would read as a stream
	 * that ended at once, so {@code 403} if an application's interceptor set none.
	 */
	private static void refused(ServletServerHttpResponse response) throws IOException {
		if (response.getServletResponse().getStatus() == HttpServletResponse.SC_OK) {
			response.setStatusCode(HttpStatus.FORBIDDEN);
		}
		response.flush();
	}

	private void open(ServletServerHttpRequest request, ServletServerHttpResponse response,
			Map<String, Object> attributes) throws IOException {
		HandshakeInfo handshake = (HandshakeInfo) attributes.get(NotifierHandshakeInterceptor.HANDSHAKE_ATTRIBUTE);
		ConnectionLimits.Slot slot = (ConnectionLimits.Slot) attributes.get(NotifierHandshakeInterceptor.SLOT_ATTRIBUTE);
		HttpSession httpSession = (this.httpSessions != null)
				? (HttpSession) attributes.get(NotifierHandshakeInterceptor.HTTP_SESSION_ATTRIBUTE) : null;
		response.setStatusCode(HttpStatus.OK);
		HttpHeaders headers = response.getHeaders();
		headers.setContentType(EVENT_STREAM);
		headers.setCacheControl("no-cache, no-transform");
		// nginx buffers proxied responses unless told not to: events would reach the client in lumps.
		headers.set("X-Accel-Buffering", "no");
		NotifierHandshakeInterceptor.letOriginRead(request, response);
		// Hands the headers, the interceptors' too, to the container, which sends them with the first event.
		response.getBody();
		AsyncContext async = request.getServletRequest().startAsync();
		async.setTimeout(0);
		EventStreamTransport transport = new EventStreamTransport(async,
				response.getServletResponse().getOutputStream(), (ended) -> {
					slot.release();
					if (httpSession != null) {
						this.httpSessions.closed(httpSession, ended.session());
					}
				});
		transport.listen();
		Connection connection = this.engine.open(handshake, transport);
		transport.opened(connection);
		if (httpSession != null) {
			this.httpSessions.opened(httpSession, connection.session());
		}
	}

}
