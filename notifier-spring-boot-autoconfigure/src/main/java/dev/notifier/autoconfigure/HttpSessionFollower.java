package dev.notifier.autoconfigure;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.NotifierSession;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;

/**
 * Sessions follow the login: closes with 1008 "session ended" the notifier sessions whose handshake came from an
 * authenticated user within an HTTP session, when that HTTP session ends (logout, {@code invalidate()}, timeout).
 * Jakarta WebSocket asks containers to do so; Tomcat does, Jetty's upgrade for Spring's handlers does not, and this
 * makes it hold on every container.
 *
 * <p>A servlet {@link HttpSessionListener} rather than Spring Security's {@code SessionDestroyedEvent}: the container
 * calls it for every end of every HTTP session, with or without Spring Security, and it needs no
 * {@code HttpSessionEventPublisher} from the application. It also hears {@link HttpSessionIdListener id changes}, so
 * that a session id changed after the handshake (a new login in the same HTTP session) is still followed.
 *
 * <p>Threads: {@link #opened} and {@link #closed} run on container threads of the WebSocket connections, the
 * listener methods on the thread that ends the HTTP session (a request thread for a logout, the container's expiry
 * thread for a timeout). Each HTTP session's set of notifier sessions is only changed inside a
 * {@link ConcurrentHashMap} compute for its id, so these never race; closing a session only queues its close frame.
 */
public final class HttpSessionFollower implements HttpSessionListener, HttpSessionIdListener {

	/** The status of the sessions closed because their HTTP session ended. */
	public static final CloseStatus SESSION_ENDED = CloseStatus.POLICY_VIOLATION.withReason("session ended");

	private final ConcurrentHashMap<String, Set<NotifierSession>> sessionsByHttpSession = new ConcurrentHashMap<>();

	/** Follows the HTTP session of a connection that has just opened. */
	void opened(HttpSession httpSession, NotifierSession session) {
		this.sessionsByHttpSession.compute(httpSession.getId(), (id, sessions) -> {
			Set<NotifierSession> followed = (sessions != null) ? sessions : new HashSet<>();
			followed.add(session);
			return followed;
		});
		// The HTTP session may have ended between the handshake and now, before this session was in the map.
		if (hasEnded(httpSession)) {
			closed(httpSession, session);
			session.close(SESSION_ENDED);
		}
	}

	/** Stops following a connection that has closed. */
	void closed(HttpSession httpSession, NotifierSession session) {
		this.sessionsByHttpSession.computeIfPresent(httpSession.getId(), (id, sessions) -> {
			sessions.remove(session);
			return sessions.isEmpty() ? null : sessions;
		});
	}

	@Override
	public void sessionDestroyed(HttpSessionEvent event) {
		Set<NotifierSession> sessions = this.sessionsByHttpSession.remove(event.getSession().getId());
		if (sessions != null) {
			sessions.forEach((session) -> session.close(SESSION_ENDED));
		}
	}

	@Override
	public void sessionIdChanged(HttpSessionEvent event, String oldSessionId) {
		Set<NotifierSession> sessions = this.sessionsByHttpSession.remove(oldSessionId);
		if (sessions != null) {
			this.sessionsByHttpSession.merge(event.getSession().getId(), sessions, (current, moved) -> {
				current.addAll(moved);
				return current;
			});
		}
	}

	private static boolean hasEnded(HttpSession httpSession) {
		try {
			httpSession.getCreationTime();
			return false;
		}
		catch (IllegalStateException ex) {
			return true;
		}
	}

}
