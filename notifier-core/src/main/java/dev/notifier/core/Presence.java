package dev.notifier.core;

import java.util.Map;

/**
 * Who is in a group with presence: its sessions and its distinct users, as {@link GroupNotifier#presence} found them.
 *
 * @param group the group
 * @param sessions the group's open sessions, anonymous ones included
 * @param users the sessions of each signed-in user (the handshake principal's name), by user; anonymous sessions
 * are counted in {@code sessions} only
 * @param complete whether this covers every instance: {@code false} when a cluster could not be asked and this is
 * what this instance alone knows; always {@code true} without a cluster
 */
public record Presence(String group, int sessions, Map<String, Integer> users, boolean complete) {

	public Presence {
		users = Map.copyOf(users);
	}

	/** Whether a user has at least one session in the group. */
	public boolean contains(String user) {
		return this.users.containsKey(user);
	}

}
