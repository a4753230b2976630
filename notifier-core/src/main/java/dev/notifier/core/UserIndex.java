package dev.notifier.core;

import java.security.Principal;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * The open sessions of every user, by the name of the principal authenticated at the handshake, whatever their
 * groups: what {@link GroupNotifier#sendToUser} and {@link GroupNotifier#closeUser} reach without looking at every
 * session. Sessions without a principal are not in it.
 *
 * <p>Every method is safe to call from any thread. A user's sessions are an immutable array, replaced inside a
 * {@link ConcurrentHashMap} compute for that user, so joining and leaving never race and readers take no lock; a
 * user is removed with its last session. A user rarely has more than a few sessions, so copying the array is cheaper
 * than a concurrent set per user.
 */
final class UserIndex {

	private static final DefaultNotifierSession[] NONE = new DefaultNotifierSession[0];

	private final ConcurrentHashMap<String, DefaultNotifierSession[]> sessionsByUser = new ConcurrentHashMap<>();

	/** Adds a session under its user, if it has one. */
	void add(DefaultNotifierSession session) {
		String user = userOf(session);
		if (user != null) {
			this.sessionsByUser.merge(user, new DefaultNotifierSession[] { session }, (current, added) -> {
				DefaultNotifierSession[] more = Arrays.copyOf(current, current.length + 1);
				more[current.length] = session;
				return more;
			});
		}
	}

	/** Takes a session out; harmless if it is not in the index, so it may be called again. */
	void remove(DefaultNotifierSession session) {
		String user = userOf(session);
		if (user != null) {
			this.sessionsByUser.computeIfPresent(user, (name, current) -> {
				DefaultNotifierSession[] fewer = Arrays.stream(current)
					.filter((member) -> member != session)
					.toArray(DefaultNotifierSession[]::new);
				if (fewer.length == current.length) {
					// Called again once the session has closed: nothing to replace.
					return current;
				}
				return (fewer.length > 0) ? fewer : null;
			});
		}
	}

	/** The sessions of a user at this moment, in the order they joined. */
	List<DefaultNotifierSession> sessions(String user) {
		return List.of(this.sessionsByUser.getOrDefault(user, NONE));
	}

	/**
	 * The user of a session: the name of its handshake's principal, or {@code null} for an anonymous session (also
	 * one whose principal has no name).
	 */
	static @Nullable String userOf(NotifierSession session) {
		Principal principal = session.principal();
		return (principal != null) ? principal.getName() : null;
	}

	/**
	 * Checks a user name given to a per-user verb.
	 * @return the name
	 * @throws IllegalArgumentException if it is {@code null} or blank
	 */
	static String requireValid(@Nullable String user) {
		if (user == null || user.isBlank()) {
			throw new IllegalArgumentException("The user must be the non-blank name of a principal, but was "
					+ ((user == null) ? "null" : "'" + user + "'"));
		}
		return user;
	}

}
