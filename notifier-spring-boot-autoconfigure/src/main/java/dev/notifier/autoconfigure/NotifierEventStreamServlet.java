package dev.notifier.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
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

/**
 * Serves every group as a Server-Sent Events stream: {@code GET <notifier.sse.path>/<group>} runs the same checks as
 * a WebSocket handshake (origin, group name, resume position, {@code GroupAuthorizer}, connection limits; refused
 * with the same statuses and reasons), then answers {@code 200 text/event-stream}, which a page of an allowed origin
 * may read with its credentials (CORS), and keeps the response open as a session of the engine, in the group, like a
 * WebSocket session: the same broadcasts, listeners, overflow policy, history and heartbeats (as comments).
 *
 * <p>The request runs asynchronously ({@link AsyncContext}, without timeout) and is written with non-blocking I/O
 * ({@link EventStreamTransport}): no thread is held per stream. A client that goes away is found when a write (a
 * message or a heartbeat) fails or does not complete within the send timeout.
 */
final class NotifierEventStreamServlet extends HttpServlet {

	private static final MediaType EVENT_STREAM = new MediaType(MediaType.TEXT_EVENT_STREAM, StandardCharsets.UTF_8);

	private final transient NotifierEngine engine;

	private final transient NotifierHandshakeInterceptor checks;

	private final transient @Nullable HttpSessionFollower httpSessions;

	NotifierEventStreamServlet(NotifierEngine engine, NotifierHandshakeInterceptor checks,
			@Nullable HttpSessionFollower httpSessions) {
		this.engine = engine;
		this.checks = checks;
		this.httpSessions = httpSessions;
	}

	@Override
	protected void doGet(HttpServletRequest request, HttpServletResponse response)
			throws ServletException, IOException {
		ServletServerHttpRequest checkedRequest = new ServletServerHttpRequest(request);
		ServletServerHttpResponse checkedResponse = new ServletServerHttpResponse(response);
		Map<String, Object> attributes = new HashMap<>();
		boolean admitted;
		try {
			admitted = this.checks.admit(checkedRequest, checkedResponse, attributes, false);
		}
		catch (IOException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new ServletException(ex);
		}
		if (!admitted) {
			checkedResponse.flush();
			return;
		}
		HandshakeInfo handshake = (HandshakeInfo) attributes.get(NotifierHandshakeInterceptor.HANDSHAKE_ATTRIBUTE);
		ConnectionLimits.Slot slot = (ConnectionLimits.Slot) attributes.get(NotifierHandshakeInterceptor.SLOT_ATTRIBUTE);
		HttpSession httpSession = (this.httpSessions != null)
				? (HttpSession) attributes.get(NotifierHandshakeInterceptor.HTTP_SESSION_ATTRIBUTE) : null;
		checkedResponse.setStatusCode(HttpStatus.OK);
		HttpHeaders headers = checkedResponse.getHeaders();
		headers.setContentType(EVENT_STREAM);
		headers.setCacheControl("no-cache, no-transform");
		// nginx buffers proxied responses unless told not to: events would reach the client in lumps.
		headers.set("X-Accel-Buffering", "no");
		NotifierHandshakeInterceptor.letOriginRead(checkedRequest, checkedResponse);
		// Hands the headers to the container, which sends them with the first event.
		checkedResponse.getBody();
		AsyncContext async = request.startAsync();
		async.setTimeout(0);
		EventStreamTransport transport = new EventStreamTransport(async, response.getOutputStream(), (ended) -> {
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
