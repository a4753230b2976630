package dev.notifier.core;

import java.util.Arrays;

/**
 * A pattern over group names: segments separated by {@code /}, where {@code *} matches exactly one segment and
 * {@code **} matches zero or more segments. {@code chat/*} matches {@code chat/lobby} but not {@code chat} or
 * {@code chat/a/b}; {@code tasks/**} matches all three of {@code tasks}, {@code tasks/1} and {@code tasks/1/log}.
 *
 * <p>Listeners and worker factories choose their groups with one ({@link NotifierListener#groupPattern()},
 * {@link GroupWorkerFactory#groupPattern()}); applications may match group names with it too.
 *
 * <p>Immutable and safe to share between threads.
 */
public final class GroupPattern {

	private static final String ONE = "*";

	private static final String ANY = "**";

	private final String pattern;

	private final String[] segments;

	private GroupPattern(String pattern) {
		this.pattern = pattern;
		this.segments = pattern.split("/", -1);
	}

	/**
	 * Parses a pattern.
	 * @throws IllegalArgumentException if the pattern is empty, has an empty segment, or uses {@code *} inside a
	 * segment
	 */
	public static GroupPattern compile(String pattern) {
		GroupPattern compiled = new GroupPattern(pattern);
		for (String segment : compiled.segments) {
			boolean wildcard = segment.equals(ONE) || segment.equals(ANY);
			if (segment.isEmpty() || (!wildcard && segment.contains("*"))) {
				throw new IllegalArgumentException("invalid group pattern '" + pattern
						+ "': segments are non-empty and '*' or '**' stand alone in a segment");
			}
		}
		return compiled;
	}

	/** Whether the group name matches this pattern. */
	public boolean matches(String group) {
		if (this.segments.length == 1 && this.segments[0].equals(ANY)) {
			return true;
		}
		return matches(0, group.split("/", -1), 0);
	}

	private boolean matches(int patternIndex, String[] group, int groupIndex) {
		if (patternIndex == this.segments.length) {
			return groupIndex == group.length;
		}
		String segment = this.segments[patternIndex];
		if (segment.equals(ANY)) {
			for (int skip = groupIndex; skip <= group.length; skip++) {
				if (matches(patternIndex + 1, group, skip)) {
					return true;
				}
			}
			return false;
		}
		if (groupIndex == group.length) {
			return false;
		}
		boolean segmentMatches = segment.equals(ONE) || segment.equals(group[groupIndex]);
		return segmentMatches && matches(patternIndex + 1, group, groupIndex + 1);
	}

	@Override
	public boolean equals(Object other) {
		return (other instanceof GroupPattern that) && Arrays.equals(this.segments, that.segments);
	}

	@Override
	public int hashCode() {
		return Arrays.hashCode(this.segments);
	}

	@Override
	public String toString() {
		return this.pattern;
	}

}
