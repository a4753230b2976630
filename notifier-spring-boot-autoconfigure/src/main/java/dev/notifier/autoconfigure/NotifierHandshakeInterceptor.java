package dev.notifier.autoconfigure;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.notifier.core.GroupAuthorizer;
import dev.notifier.core.HandshakeInfo;
import dev.notifier.core.NotifierOptions;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.socket.server.support.OriginHandshakeInterceptor;

/**
 * The notifier endpoint's handshake policy, in order: a foreign origin is refused with 403, a missing or malformed
 * group in the raw request path with 400, a request the {@link GroupAuthorizer} turns down with 403; an accepted
 * request hands its {@link HandshakeInfo} to {@link NotifierWebSocketHandler} through the session attributes. Every
 * refusal is counted in {@link HandshakeRefusals}.
 *
 * <p>The raw, undecoded request URI is checked, not the path the container normalized for mapping: {@code /ws/a/../b}
 * must not become the group {@code b}.
 *
 * <p>A plain {@code GET} of the same URL without {@code Upgrade: websocket} is a <em>probe</em>: it runs the same checks
 * and answers {@code 204} where the handshake would be accepted, or the refusal's status and reason, without
 * upgrading. Browsers hide why a WebSocket handshake failed (every failure is close code 1006), so the JavaScript
 * client probes after a failed attempt to tell "refused, stop retrying" from "server away, retry". Probes are not
 * counted as refused handshakes.
 */
final class NotifierHandshakeInterceptor implements HandshakeInterceptor {

	static final String HANDSHAKE_ATTRIBUTE = HandshakeInfo.class.getName();

	private static final Log logger = LogFactory.getLog(NotifierHandshakeInterceptor.class);

	private final String basePath;

	private final NotifierOptions options;

	private final GroupAuthorizer authorizer;

	private final OriginHandshakeInterceptor origins;

	private final HandshakeRefusals refusals;

	NotifierHandshakeInterceptor(String basePath, NotifierOptions options, GroupAuthorizer authorizer,
			OriginHandshakeInterceptor origins, HandshakeRefusals refusals) {
		this.basePath = basePath;
		this.options = options;
		this.authorizer = authorizer;
		this.origins = origins;
		this.refusals = refusals;
	}

	@Override
	public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response,
			WebSocketHandler wsHandler, Map<String, Object> attributes) throws Exception {
		boolean probe = isProbe(request);
		if (probe) {
			letOriginReadAnswer(request, response);
		}
		if (!this.origins.beforeHandshake(request, response, wsHandler, attributes)) {
			refused(probe, HandshakeRefusals.Reason.FORBIDDEN_ORIGIN);
			refuse(request, response, HttpStatus.FORBIDDEN,
					"the origin " + request.getHeaders().getOrigin() + " is not allowed");
			return false;
		}
		String group = groupOf(request);
		String problem = (group != null) ? this.options.groupProblem(group)
				: "the request path is not under the notifier path " + this.basePath;
		if (problem != null) {
			refused(probe, HandshakeRefusals.Reason.INVALID_GROUP);
			refuse(request, response, HttpStatus.BAD_REQUEST, problem);
			return false;
		}
		HandshakeInfo handshake = new HandshakeInfo(group, remoteAddress(request), request.getPrincipal(),
				headers(request), queryParameters(request));
		if (!this.authorizer.authorize(handshake)) {
			refused(probe, HandshakeRefusals.Reason.UNAUTHORIZED);
			refuse(request, response, HttpStatus.FORBIDDEN, "not allowed to join the group " + group);
			return false;
		}
		if (probe) {
			response.setStatusCode(HttpStatus.NO_CONTENT);
			return false;
		}
		attributes.put(HANDSHAKE_ATTRIBUTE, handshake);
		return true;
	}

	private void refused(boolean probe, HandshakeRefusals.Reason reason) {
		if (!probe) {
			this.refusals.refused(reason);
		}
	}

	private static boolean isProbe(ServerHttpRequest request) {
		String upgrade = request.getHeaders().getFirst(HttpHeaders.UPGRADE);
		return HttpMethod.GET.equals(request.getMethod()) && !"websocket".equalsIgnoreCase(upgrade);
	}

	/**
	 * A page served from another origin than the endpoint (allowed by {@code notifier.allowed-origin-patterns} or not)
	 * may read the probe's status and reason: it learns whether it may join, nothing more.
	 */
	private static void letOriginReadAnswer(ServerHttpRequest request, ServerHttpResponse response) {
		String origin = request.getHeaders().getOrigin();
		if (origin != null) {
			response.getHeaders().setAccessControlAllowOrigin(origin);
			// The handshake carries the page's cookies, so the probe must too for an authorizer to answer alike.
			response.getHeaders().setAccessControlAllowCredentials(true);
			response.getHeaders().add(HttpHeaders.VARY, HttpHeaders.ORIGIN);
		}
	}

	@Override
	public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler wsHandler,
			@Nullable Exception exception) {
	}

	/** The rest of the raw path after the base path and one slash; {@code ""} for the base path itself. */
	private @Nullable String groupOf(ServerHttpRequest request) {
		String rawPath;
		String prefix = this.basePath;
		if (request instanceof ServletServerHttpRequest servletRequest) {
			HttpServletRequest servlet = servletRequest.getServletRequest();
			rawPath = servlet.getRequestURI();
			prefix = servlet.getContextPath() + prefix;
		}
		else {
			rawPath = request.getURI().getRawPath();
		}
		if (rawPath.equals(prefix)) {
			return "";
		}
		if (!rawPath.startsWith(prefix + "/")) {
			return null;
		}
		return rawPath.substring(prefix.length() + 1);
	}

	private static @Nullable InetSocketAddress remoteAddress(ServerHttpRequest request) {
		try {
			return request.getRemoteAddress();
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	private static Map<String, List<String>> headers(ServerHttpRequest request) {
		Map<String, List<String>> headers = new LinkedHashMap<>();
		request.getHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
		return headers;
	}

	private static Map<String, List<String>> queryParameters(ServerHttpRequest request) {
		Map<String, List<String>> parameters = new LinkedHashMap<>();
		if (request instanceof ServletServerHttpRequest servletRequest) {
			servletRequest.getServletRequest()
				.getParameterMap()
				.forEach((name, values) -> parameters.put(name, List.of(values)));
		}
		return parameters;
	}

	private static void refuse(ServerHttpRequest request, ServerHttpResponse response, HttpStatus status,
			String reason) {
		if (logger.isDebugEnabled()) {
			logger.debug("Refused WebSocket handshake for " + request.getURI() + " with " + status.value() + ": "
					+ reason);
		}
		response.setStatusCode(status);
		response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
		try {
			response.getBody().write(reason.getBytes(StandardCharsets.UTF_8));
		}
		catch (java.io.IOException ex) {
			logger.debug("Could not write the handshake refusal", ex);
		}
	}

}
