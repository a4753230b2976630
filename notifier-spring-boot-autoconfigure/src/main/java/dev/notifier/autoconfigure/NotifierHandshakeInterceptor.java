package dev.notifier.autoconfigure;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.notifier.core.GroupAuthorizer;
import dev.notifier.core.HandshakeInfo;
import dev.notifier.core.NotifierEngine;
import dev.notifier.core.NotifierOptions;
import dev.notifier.core.NotifierProtocol;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
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
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.socket.server.support.OriginHandshakeInterceptor;
import org.springframework.web.util.WebUtils;

/**
 * The notifier endpoint's handshake policy, in order: a foreign origin is refused with 403, a missing or malformed
 * group in the raw request path with 400, a request the {@link GroupAuthorizer} turns down with 403, and one over a
 * connection limit ({@link ConnectionLimits}) with 429; an accepted request hands its {@link HandshakeInfo}, its slot
 * under the limits and, for an authenticated user, its HTTP session to {@link NotifierWebSocketHandler} through the
 * session attributes. Every refusal is counted in {@link HandshakeRefusals}.
 *
 * <p>The raw, undecoded request URI is checked, not the path the container normalized for mapping: {@code /ws/a/../b}
 * must not become the group {@code b}.
 *
 * <p>A plain {@code GET} of the same URL without {@code Upgrade: websocket} is a <em>probe</em>: it runs the same checks
 * but the limits, and answers {@code 204} where the handshake would be accepted, or the refusal's status and reason,
 * without upgrading. Browsers hide why a WebSocket handshake failed (every failure is close code 1006), so the
 * JavaScript client probes after a failed attempt to tell "refused, stop retrying" from "server away, retry". The
 * verdict goes only to the endpoint's own origin and to non-browser clients, unless {@code notifier.probe.cross-origin}
 * lets the allowed origins read it too: a page of another site could otherwise learn, with the user's cookies,
 * whether the user may join a group. Probes are not counted as refused handshakes. The event streams
 * ({@link #forEventStreams}) have no probes: every {@code GET} of a stream is checked to join.
 *
 * <p>Runs on the container's request thread; the limits' slot of a handshake that then fails to upgrade is given back
 * in {@link #afterHandshake}, on the same thread.
 */
final class NotifierHandshakeInterceptor implements HandshakeInterceptor {

	static final String HANDSHAKE_ATTRIBUTE = HandshakeInfo.class.getName();

	static final String SLOT_ATTRIBUTE = ConnectionLimits.Slot.class.getName();

	static final String HTTP_SESSION_ATTRIBUTE = HttpSession.class.getName();

	/** Browsers send it with every request; a cross-site {@code <script>} or {@code <img>} sends no Origin. */
	private static final String SEC_FETCH_SITE = "Sec-Fetch-Site";

	private static final String PROBE_NOT_ANSWERED = "the probe is answered for the endpoint's own origin only";

	private static final String CROSS_SITE_WITHOUT_ORIGIN = "a page of another site may open an event stream only as "
			+ "an EventSource of an allowed origin";

	private static final Log logger = LogFactory.getLog(NotifierHandshakeInterceptor.class);

	private final String basePath;

	private final NotifierOptions options;

	private final GroupAuthorizer authorizer;

	private final OriginHandshakeInterceptor origins;

	private final HandshakeRefusals refusals;

	private final ConnectionLimits limits;

	private final boolean crossOriginProbes;

	/** Whether a {@code GET} without {@code Upgrade: websocket} is a probe; every {@code GET} of an event stream joins. */
	private final boolean answersProbes;

	NotifierHandshakeInterceptor(String basePath, NotifierOptions options, GroupAuthorizer authorizer,
			OriginHandshakeInterceptor origins, HandshakeRefusals refusals, ConnectionLimits limits,
			boolean crossOriginProbes, boolean answersProbes) {
		this.basePath = basePath;
		this.options = options;
		this.authorizer = authorizer;
		this.origins = origins;
		this.refusals = refusals;
		this.limits = limits;
		this.crossOriginProbes = crossOriginProbes;
		this.answersProbes = answersProbes;
	}

	/**
	 * The checks of the WebSocket handshakes, and probes, of the groups under a base path, with the settings and the
	 * limits of the application.
	 */
	static NotifierHandshakeInterceptor forPath(String basePath, NotifierEngine engine, NotifierProperties properties,
			GroupAuthorizer authorizer, HandshakeRefusals refusals, ConnectionLimits limits) {
		return create(basePath, engine, properties, authorizer, refusals, limits, true);
	}

	/** The checks of the event streams of the groups under a base path: the same, but without probes. */
	static NotifierHandshakeInterceptor forEventStreams(String basePath, NotifierEngine engine,
			NotifierProperties properties, GroupAuthorizer authorizer, HandshakeRefusals refusals,
			ConnectionLimits limits) {
		return create(basePath, engine, properties, authorizer, refusals, limits, false);
	}

	private static NotifierHandshakeInterceptor create(String basePath, NotifierEngine engine,
			NotifierProperties properties, GroupAuthorizer authorizer, HandshakeRefusals refusals,
			ConnectionLimits limits, boolean answersProbes) {
		OriginHandshakeInterceptor origins = new OriginHandshakeInterceptor();
		origins.setAllowedOriginPatterns(properties.getAllowedOriginPatterns());
		return new NotifierHandshakeInterceptor(basePath, engine.options(), authorizer, origins, refusals, limits,
				properties.getProbe().isCrossOrigin(), answersProbes);
	}

	@Override
	public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response,
			WebSocketHandler wsHandler, Map<String, Object> attributes) throws Exception {
		return admit(request, response, attributes, this.answersProbes && isProbe(request));
	}

	/**
	 * Runs the checks of a handshake, or of a probe, which joins nothing: a refusal is written to the response, an
	 * acceptance leaves the handshake and its place under the limits in the attributes.
	 * @return whether the request may join its group
	 */
	private boolean admit(ServerHttpRequest request, ServerHttpResponse response, Map<String, Object> attributes,
			boolean probe) throws Exception {
		if (!this.origins.beforeHandshake(request, response, null, attributes)) {
			refused(probe, HandshakeRefusals.Reason.FORBIDDEN_ORIGIN);
			refuse(request, response, HttpStatus.FORBIDDEN,
					"the origin " + request.getHeaders().getOrigin() + " is not allowed");
			return false;
		}
		if (!this.answersProbes && request.getHeaders().getOrigin() == null && !fromItsOwnPageOrAProgram(request)) {
			// A browser sends no Origin with a page's <img>, <script> or <link> of another site, but the user's
			// cookies if they allow it: such a request would open a stream in the user's name, and take one of the
			// user's places under the limits, for a page that cannot even read it. An EventSource of another origin
			// sends its Origin, which the origin check has judged.
			refused(false, HandshakeRefusals.Reason.FORBIDDEN_ORIGIN);
			refuse(request, response, HttpStatus.FORBIDDEN, CROSS_SITE_WITHOUT_ORIGIN);
			return false;
		}
		if (probe && !mayReadVerdict(request)) {
			// The same answer whatever the verdict, before the authorizer runs: even the status would tell a page of
			// another site (through a <script> tag's load or error event) whether the user may join.
			refuse(request, response, HttpStatus.FORBIDDEN, PROBE_NOT_ANSWERED);
			return false;
		}
		if (probe) {
			letOriginRead(request, response);
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
		try {
			NotifierProtocol.resumePosition(handshake);
		}
		catch (IllegalArgumentException ex) {
			refused(probe, HandshakeRefusals.Reason.INVALID_RESUME_POSITION);
			refuse(request, response, HttpStatus.BAD_REQUEST, ex.getMessage());
			return false;
		}
		if (!this.authorizer.authorize(handshake)) {
			refused(probe, HandshakeRefusals.Reason.UNAUTHORIZED);
			refuse(request, response, HttpStatus.FORBIDDEN, "not allowed to join the group " + group);
			return false;
		}
		if (probe) {
			response.setStatusCode(HttpStatus.NO_CONTENT);
			return false;
		}
		ConnectionLimits.Admission admission = this.limits.admit(handshake.principal(), handshake.remoteAddress());
		if (admission.slot() == null) {
			this.refusals.refused(admission.refusal());
			refuse(request, response, HttpStatus.TOO_MANY_REQUESTS, admission.reason());
			return false;
		}
		accepted(request, handshake, admission.slot(), attributes);
		return true;
	}

	/**
	 * Hands the handshake, its slot under the limits and, for a user signed in within an HTTP session, that session
	 * to {@link NotifierWebSocketHandler}. A new HTTP session is never created for this.
	 */
	private static void accepted(ServerHttpRequest request, HandshakeInfo handshake, ConnectionLimits.Slot slot,
			Map<String, Object> attributes) {
		attributes.put(HANDSHAKE_ATTRIBUTE, handshake);
		attributes.put(SLOT_ATTRIBUTE, slot);
		if (request instanceof ServletServerHttpRequest servletRequest) {
			HttpServletRequest servlet = servletRequest.getServletRequest();
			// afterHandshake sees the request, not the attributes.
			servlet.setAttribute(SLOT_ATTRIBUTE, slot);
			HttpSession httpSession = servlet.getSession(false);
			if (httpSession != null && handshake.principal() != null) {
				attributes.put(HTTP_SESSION_ATTRIBUTE, httpSession);
			}
		}
	}

	/**
	 * Whether a probe may learn the verdict: it comes from the endpoint's own origin (a same-origin {@code fetch}
	 * sends no Origin but {@code Sec-Fetch-Site: same-origin}), from a program (neither header), from the address
	 * bar ({@code none}), or, with {@code notifier.probe.cross-origin}, from an allowed origin. The origin check has
	 * already refused every other origin.
	 */
	private boolean mayReadVerdict(ServerHttpRequest request) {
		if (request.getHeaders().getOrigin() == null) {
			return fromItsOwnPageOrAProgram(request);
		}
		return WebUtils.isSameOrigin(request) || this.crossOriginProbes;
	}

	/**
	 * Whether a request without an Origin comes from a page of the endpoint's own origin, from the address bar, or
	 * from a program, by what the browser says in {@code Sec-Fetch-Site} (a program sends none).
	 */
	private static boolean fromItsOwnPageOrAProgram(ServerHttpRequest request) {
		String site = request.getHeaders().getFirst(SEC_FETCH_SITE);
		return site == null || "same-origin".equalsIgnoreCase(site) || "none".equalsIgnoreCase(site);
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
	 * Lets a page of an allowed origin other than the endpoint's read the answer, with the user's cookies: the probe's
	 * status and reason with {@code notifier.probe.cross-origin} (the page learns whether the user may join, nothing
	 * more), and an accepted event stream, which a browser's {@code EventSource} would otherwise refuse to read.
	 */
	static void letOriginRead(ServerHttpRequest request, ServerHttpResponse response) {
		String origin = request.getHeaders().getOrigin();
		if (origin != null && !WebUtils.isSameOrigin(request)) {
			response.getHeaders().setAccessControlAllowOrigin(origin);
			// A WebSocket handshake carries the page's cookies, so a probe must too for the authorizer to answer alike;
			// an EventSource sends them with withCredentials, and may then read only an answer that allows them.
			response.getHeaders().setAccessControlAllowCredentials(true);
			response.getHeaders().add(HttpHeaders.VARY, HttpHeaders.ORIGIN);
		}
	}

	/**
	 * Gives back the slot of a handshake that failed after this interceptor accepted it (Spring's handshake handler
	 * refused it, with a 4xx, or the upgrade, or the opening of an event stream, threw). An upgraded connection, or an
	 * open stream, keeps its slot until it closes.
	 */
	@Override
	public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler wsHandler,
			@Nullable Exception exception) {
		if (request instanceof ServletServerHttpRequest servletRequest
				&& servletRequest.getServletRequest().getAttribute(SLOT_ATTRIBUTE) instanceof ConnectionLimits.Slot slot
				&& (exception != null || failed(response))) {
			slot.release();
		}
	}

	private static boolean failed(ServerHttpResponse response) {
		return (response instanceof ServletServerHttpResponse servletResponse)
				&& servletResponse.getServletResponse().getStatus() >= HttpStatus.BAD_REQUEST.value();
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
			logger.debug("Refused the handshake or event stream for " + request.getURI() + " with " + status.value()
					+ ": " + reason);
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
