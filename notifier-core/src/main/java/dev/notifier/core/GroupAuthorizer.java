package dev.notifier.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides at the handshake whether a request may join its group. A refusal answers the handshake with 403.
 *
 * <p>Called on the container's request thread, before the connection is upgraded; it may block briefly (a lookup),
 * but every handshake waits for it.
 */
@FunctionalInterface
public interface GroupAuthorizer {

	/** Lets everyone join every group. */
	GroupAuthorizer ALLOW_ALL = (handshake) -> true;

	/** Whether this handshake may join {@code handshake.group()}. */
	boolean authorize(HandshakeInfo handshake);

	/**
	 * A builder of an authorizer that asks, for each handshake, the first rule whose group pattern matches the group,
	 * and refuses a group that no rule matches. Patterns are those of listeners and worker factories: segments
	 * separated by {@code /}, {@code *} one segment, {@code **} any number of them.
	 */
	static ByGroupPattern byGroupPattern() {
		return new ByGroupPattern();
	}

	/** Builds an authorizer from rules by group pattern, tried in the order they were added; not thread-safe. */
	final class ByGroupPattern {

		private final List<Rule> rules = new ArrayList<>();

		private ByGroupPattern() {
		}

		/**
		 * Lets the authorizer decide for the groups matching the pattern, unless an earlier rule matches them.
		 * @throws IllegalArgumentException if the pattern is not a valid group pattern
		 */
		public ByGroupPattern group(String pattern, GroupAuthorizer authorizer) {
			this.rules.add(new Rule(GroupPattern.compile(pattern), authorizer));
			return this;
		}

		/** The authorizer, immutable and safe to share between threads. */
		public GroupAuthorizer build() {
			List<Rule> rules = List.copyOf(this.rules);
			return (handshake) -> {
				for (Rule rule : rules) {
					if (rule.pattern().matches(handshake.group())) {
						return rule.authorizer().authorize(handshake);
					}
				}
				return false;
			};
		}

		private record Rule(GroupPattern pattern, GroupAuthorizer authorizer) {
		}

	}

}
