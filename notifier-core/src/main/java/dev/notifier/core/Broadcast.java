package dev.notifier.core;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * One call of a {@link GroupNotifier} broadcast verb, as it travels through the {@link Delivery} seam: who should
 * receive which message.
 *
 * <p>Immutable; built once per broadcast whatever the number of recipients. The constructor checks that the fields
 * fit the target: a group (a valid name) exactly for the group targets, a filter exactly for
 * {@link Target#GROUP_FILTER}, the one session left out, of that group, for {@link Target#GROUP_OTHERS}, and
 * sessions only for it and {@link Target#SESSIONS}.
 *
 * @param target which sessions it is for
 * @param group the group, for {@link Target#GROUP}, {@link Target#GROUP_FILTER} and {@link Target#GROUP_OTHERS}
 * @param message the encoded message
 * @param filter which sessions of the group, for {@link Target#GROUP_FILTER}
 * @param sessions the sessions, for {@link Target#SESSIONS}; the one left out, for {@link Target#GROUP_OTHERS}
 */
public record Broadcast(Target target, @Nullable String group, OutboundMessage message,
		@Nullable Predicate<? super NotifierSession> filter, List<NotifierSession> sessions) {

	/**
	 * Checks the fields against the target.
	 * @throws IllegalArgumentException if a field does not fit the target
	 */
	public Broadcast {
		Objects.requireNonNull(target, "target");
		Objects.requireNonNull(message, "message");
		sessions = List.copyOf(sessions);
		boolean toGroup = target == Target.GROUP || target == Target.GROUP_FILTER || target == Target.GROUP_OTHERS;
		if (toGroup && group == null) {
			throw new IllegalArgumentException("a " + target + " broadcast needs a group");
		}
		if (!toGroup && group != null) {
			throw new IllegalArgumentException("a " + target + " broadcast has no group, but got '" + group + "'");
		}
		String problem = (group != null) ? GroupNames.problem(group, Integer.MAX_VALUE) : null;
		if (problem != null) {
			throw new IllegalArgumentException("invalid group '" + group + "': " + problem);
		}
		if ((target == Target.GROUP_FILTER) != (filter != null)) {
			throw new IllegalArgumentException("a filter goes with GROUP_FILTER broadcasts only, not " + target);
		}
		if (target == Target.GROUP_OTHERS && (sessions.size() != 1 || !sessions.get(0).group().equals(group))) {
			throw new IllegalArgumentException("a GROUP_OTHERS broadcast leaves out exactly one session of its group");
		}
		if (target != Target.GROUP_OTHERS && target != Target.SESSIONS && !sessions.isEmpty()) {
			throw new IllegalArgumentException("sessions go with SESSIONS and GROUP_OTHERS broadcasts only, not " + target);
		}
	}

	/** The kinds of recipient set. */
	public enum Target {

		/** Every session of one group. */
		GROUP,

		/** Every session of every group. */
		ALL,

		/** The sessions of one group that pass a filter. */
		GROUP_FILTER,

		/** Every session of one group but one. */
		GROUP_OTHERS,

		/** A given set of sessions, whatever their groups. */
		SESSIONS

	}

	static Broadcast toGroup(String group, OutboundMessage message) {
		return new Broadcast(Target.GROUP, group, message, null, List.of());
	}

	static Broadcast toAll(OutboundMessage message) {
		return new Broadcast(Target.ALL, null, message, null, List.of());
	}

	static Broadcast toGroupFiltered(String group, OutboundMessage message,
			Predicate<? super NotifierSession> filter) {
		return new Broadcast(Target.GROUP_FILTER, group, message, filter, List.of());
	}

	static Broadcast toOthers(NotifierSession except, OutboundMessage message) {
		return new Broadcast(Target.GROUP_OTHERS, except.group(), message, null, List.of(except));
	}

	static Broadcast toSessions(Collection<? extends NotifierSession> sessions, OutboundMessage message) {
		return new Broadcast(Target.SESSIONS, null, message, null, List.copyOf(sessions));
	}

}
