package dev.notifier.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence, for the groups matching the presence patterns: how many sessions each user has in each such group on
 * this instance, and the one {@code notifier-presence} thread that passes every change on, in order, to the cluster
 * and, when a user appears in a group or its last session leaves, to the listeners.
 *
 * <p>Threads: {@link #join} and {@link #leave} run on the threads that open and close sessions (container, heartbeat
 * and caller threads) and never block: a group's counts change only inside a {@link ConcurrentHashMap} compute for
 * that group, and a change marks its (group, user) and, unless it was marked already, queues one task for it, so the
 * queue holds at most one task per user and group. The presence thread compares each marked user's count now with
 * the count it last passed on and tells the difference, like {@link GroupOccupancy} does for groups: listeners hear
 * a user's join and leave strictly alternating, never out of date, and a quick leave-and-back may be heard as nothing
 * at all. In a cluster the presence thread waits for the cluster, which may block briefly on the network; every
 * change waits behind it, never a container thread. {@link #local} and {@link #snapshot} read under the same compute,
 * on any thread.
 */
final class PresenceIndex {

	private static final Logger logger = LoggerFactory.getLogger(PresenceIndex.class);

	/** The user under which anonymous sessions are counted and passed on to the cluster. */
	static final String ANONYMOUS = "";

	/** What hears the changes: the engine, which passes them to its cluster and its listeners. */
	interface Listener {

		/**
		 * This instance now has this many sessions of a user in a group, 0 for none; called on the presence thread.
		 * @param user the user, or {@link #ANONYMOUS}
		 * @return whether no other instance has sessions of the user in the group, so that a join or leave is
		 * announced once in the cluster
		 */
		boolean changed(String group, String user, int sessions);

		/** A user has appeared in a group; called on the presence thread, never for anonymous sessions. */
		void joined(String group, String user);

		/** A user's last session has left a group; called on the presence thread, never for anonymous sessions. */
		void left(String group, String user);

	}

	private final List<GroupPattern> patterns;

	private final Listener listener;

	/** The sessions counted, by user, of every group with presence and at least one session on this instance. */
	private final ConcurrentHashMap<String, Members> groups = new ConcurrentHashMap<>();

	/** Users whose count has changed since the presence thread last looked. */
	private final Set<Key> marked = ConcurrentHashMap.newKeySet();

	/** The counts the listener was last told; only touched by the presence thread. */
	private final Map<Key, Integer> told = new HashMap<>();

	private volatile ExecutorService thread = newThread();

	/**
	 * @param patterns the group patterns with presence; none turns presence off
	 * @throws IllegalArgumentException if a pattern is not a valid group pattern
	 */
	PresenceIndex(List<String> patterns, Listener listener) {
		this.patterns = patterns.stream().map(GroupPattern::compile).toList();
		this.listener = listener;
	}

	private static ExecutorService newThread() {
		// Unbounded in type only: a user of a group has at most one task queued (see marked), and a full resend at
		// most one per user and group with sessions here.
		ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				NotifierThreads.named("notifier-presence"));
		executor.allowCoreThreadTimeOut(true);
		return executor;
	}

	/** Whether a group has presence. */
	boolean tracks(String group) {
		for (GroupPattern pattern : this.patterns) {
			if (pattern.matches(group)) {
				return true;
			}
		}
		return false;
	}

	/** Counts a session that has joined its group, if the group has presence. */
	void join(DefaultNotifierSession session) {
		if (this.patterns.isEmpty() || !tracks(session.group())) {
			return;
		}
		String user = userOf(session);
		this.groups.compute(session.group(), (group, members) -> {
			Members counted = (members != null) ? members : new Members();
			if (counted.sessions.add(session)) {
				counted.users.merge(user, 1, Integer::sum);
			}
			return counted;
		});
		mark(new Key(session.group(), user));
	}

	/** Stops counting a session; harmless if it is not counted, so it may be called again. */
	void leave(DefaultNotifierSession session) {
		if (this.patterns.isEmpty()) {
			return;
		}
		String user = userOf(session);
		boolean[] removed = { false };
		this.groups.computeIfPresent(session.group(), (group, members) -> {
			if (members.sessions.remove(session)) {
				removed[0] = true;
				members.users.computeIfPresent(user, (name, count) -> (count > 1) ? count - 1 : null);
			}
			return members.sessions.isEmpty() ? null : members;
		});
		if (removed[0]) {
			mark(new Key(session.group(), user));
		}
	}

	/** What this instance knows of a group's presence. */
	Presence local(String group) {
		Map<String, Integer> users = new HashMap<>();
		int[] sessions = { 0 };
		this.groups.computeIfPresent(group, (name, members) -> {
			users.putAll(members.users);
			sessions[0] = members.sessions.size();
			return members;
		});
		users.remove(ANONYMOUS);
		return new Presence(group, sessions[0], users, true);
	}

	/** The sessions of each user (anonymous ones under {@link #ANONYMOUS}) of every group with presence here. */
	Map<String, Map<String, Integer>> snapshot() {
		Map<String, Map<String, Integer>> snapshot = new HashMap<>();
		for (String group : new ArrayList<>(this.groups.keySet())) {
			this.groups.computeIfPresent(group, (name, members) -> {
				snapshot.put(name, Map.copyOf(members.users));
				return members;
			});
		}
		return snapshot;
	}

	/**
	 * Passes every count of this instance on to the listener again, on the presence thread and in order with the
	 * changes, for a cluster that has lost what it knew; joins and leaves are announced only if counts changed.
	 */
	void resend() {
		try {
			this.thread.execute(() -> {
				Set<Key> keys = new HashSet<>(this.told.keySet());
				snapshot().forEach((group, users) -> users.keySet().forEach((user) -> keys.add(new Key(group, user))));
				keys.forEach(this::tell);
			});
		}
		catch (RejectedExecutionException ex) {
			// Stopped: nobody listens any more.
		}
	}

	private void mark(Key key) {
		if (!this.marked.add(key)) {
			return;
		}
		try {
			this.thread.execute(() -> {
				// Unmarked before reading, so that a change from now on queues another look.
				this.marked.remove(key);
				tell(key);
			});
		}
		catch (RejectedExecutionException ex) {
			this.marked.remove(key);
		}
	}

	/** On the presence thread: passes a user's count on, and its join or leave if it crossed zero. */
	private void tell(Key key) {
		int now = count(key);
		Integer before = this.told.get(key);
		if (before == null && now == 0) {
			return;
		}
		if (now == 0) {
			this.told.remove(key);
		}
		else {
			this.told.put(key, now);
		}
		try {
			boolean alone = this.listener.changed(key.group(), key.user(), now);
			if (alone && !key.user().equals(ANONYMOUS)) {
				if (before == null) {
					this.listener.joined(key.group(), key.user());
				}
				else if (now == 0) {
					this.listener.left(key.group(), key.user());
				}
			}
		}
		catch (RuntimeException ex) {
			logger.error("Passing on the presence of '{}' in group '{}' failed", key.user(), key.group(), ex);
		}
	}

	private int count(Key key) {
		int[] count = { 0 };
		this.groups.computeIfPresent(key.group(), (group, members) -> {
			count[0] = members.users.getOrDefault(key.user(), 0);
			return members;
		});
		return count[0];
	}

	/** Starts again after {@link #stop()}, with nothing told. */
	synchronized void start() {
		if (this.thread.isShutdown()) {
			this.thread = newThread();
		}
	}

	/** Stops passing changes on; those from now on are not heard. */
	synchronized void stop() {
		ExecutorService stopped = this.thread;
		stopped.shutdownNow();
		this.marked.clear();
		try {
			stopped.awaitTermination(1, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.told.clear();
	}

	private static String userOf(NotifierSession session) {
		String user = UserIndex.userOf(session);
		return (user != null) ? user : ANONYMOUS;
	}

	/** A user in a group. */
	private record Key(String group, String user) {
	}

	/** One group's counted sessions; only touched inside a compute for the group. */
	private static final class Members {

		final Set<DefaultNotifierSession> sessions = new HashSet<>();

		final Map<String, Integer> users = new HashMap<>();

	}

}
