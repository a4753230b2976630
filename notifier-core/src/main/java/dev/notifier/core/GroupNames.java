package dev.notifier.core;

import org.jspecify.annotations.Nullable;

/**
 * The rule for group names: one or more segments separated by {@code /}, each made of {@code [A-Za-z0-9._~-]}, none
 * of them empty, {@code .} or {@code ..}, at most a configured number of characters in all.
 */
final class GroupNames {

	private GroupNames() {
	}

	/**
	 * Checks a group name.
	 * @param group the candidate, exactly as it appeared in the raw request path
	 * @param maxLength the longest name accepted
	 * @return why the name is refused, as a sentence for the client, or {@code null} if it is valid
	 */
	static @Nullable String problem(String group, int maxLength) {
		if (group.isEmpty()) {
			return "the group is missing: connect to <path>/<group>, for example /ws/tasks/42";
		}
		if (group.length() > maxLength) {
			return "the group name is longer than " + maxLength + " characters";
		}
		int segmentStart = 0;
		for (int i = 0; i <= group.length(); i++) {
			if (i == group.length() || group.charAt(i) == '/') {
				String segment = group.substring(segmentStart, i);
				if (segment.isEmpty()) {
					return "the group name has an empty segment";
				}
				if (segment.equals(".") || segment.equals("..")) {
					return "the group name has a '" + segment + "' segment";
				}
				segmentStart = i + 1;
			}
			else if (!isAllowed(group.charAt(i))) {
				return "the group name has a character outside [A-Za-z0-9._~-] at position " + i;
			}
		}
		return null;
	}

	/**
	 * Checks a group name given in code, such as the target of a broadcast.
	 * @throws IllegalArgumentException if the name is not valid
	 */
	static String requireValid(String group, int maxLength) {
		String problem = problem(group, maxLength);
		if (problem != null) {
			throw new IllegalArgumentException("invalid group '" + group + "': " + problem);
		}
		return group;
	}

	private static boolean isAllowed(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
				|| c == '~' || c == '-';
	}

}
