package dev.notifier.benchmarks.server.naive;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.notifier.benchmarks.server.BroadcastTarget;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * The hand-written baseline: sessions kept per group, each wrapped in Spring's
 * {@link ConcurrentWebSocketSessionDecorator} (so concurrent sends are safe), and a broadcast that loops over the
 * group sending to each in turn. The limits are the ones Spring's own STOMP support uses for the same decorator.
 */
class GroupHandler extends TextWebSocketHandler implements BroadcastTarget {

	private static final String PATH_PREFIX = "/ws/";

	private static final int SEND_TIME_LIMIT_MILLIS = 10_000;

	private static final int BUFFER_SIZE_LIMIT_BYTES = 512 * 1024;

	private static final String DECORATED = GroupHandler.class.getName() + ".decorated";

	private final ConcurrentMap<String, Set<WebSocketSession>> groups = new ConcurrentHashMap<>();

	@Override
	public void afterConnectionEstablished(WebSocketSession session) {
		WebSocketSession decorated = new ConcurrentWebSocketSessionDecorator(session, SEND_TIME_LIMIT_MILLIS,
				BUFFER_SIZE_LIMIT_BYTES);
		session.getAttributes().put(DECORATED, decorated);
		this.groups.computeIfAbsent(groupOf(session), (group) -> ConcurrentHashMap.newKeySet()).add(decorated);
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
		Object decorated = session.getAttributes().get(DECORATED);
		this.groups.computeIfPresent(groupOf(session), (group, sessions) -> {
			sessions.remove(decorated);
			return sessions.isEmpty() ? null : sessions;
		});
	}

	@Override
	public void broadcast(String group, String payload) {
		Set<WebSocketSession> sessions = this.groups.get(group);
		if (sessions == null) {
			return;
		}
		TextMessage message = new TextMessage(payload);
		for (WebSocketSession session : sessions) {
			try {
				session.sendMessage(message);
			}
			catch (Exception ex) {
				// The decorator has closed a session over its limits, or the peer went away: the load generator
				// counts the messages that never arrive, and the other sessions go on.
			}
		}
	}

	@Override
	public int sessionCount() {
		return this.groups.values().stream().mapToInt(Set::size).sum();
	}

	private static String groupOf(WebSocketSession session) {
		String path = session.getUri().getRawPath();
		return path.substring(path.indexOf(PATH_PREFIX) + PATH_PREFIX.length());
	}

}
