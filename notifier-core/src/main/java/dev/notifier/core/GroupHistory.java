package dev.notifier.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

import org.jspecify.annotations.Nullable;

/**
 * The histories of the groups that keep one ({@link HistoryOptions#groups()}), by group name.
 *
 * <p>A group's stream exists from its first recorded broadcast or its first session, and is dropped once it keeps
 * nothing and has no session ({@link #sweep}); a later one starts over with a new epoch. Each stream's monitor orders
 * its group's recorded broadcasts and joins (see {@link HistoryStream}); this class takes no lock of its own, and a
 * caller holding a stream that was dropped meanwhile starts over with the new one. Every method is safe to call from
 * any thread.
 */
final class GroupHistory {

	/** What a session joining a group with history does under the stream's monitor. */
	@FunctionalInterface
	interface Joiner {

		/**
		 * Joins the group.
		 * @param stream the group's stream
		 * @param continueAfter the offset after which the session's messages continue: those up to the stream's last
		 * offset are replayed to it, later ones reach it live
		 * @param recovered whether it resumes from the position it asked for; {@code false} also when it asked for
		 * none
		 */
		void join(HistoryStream stream, long continueAfter, boolean recovered);

	}

	private final HistoryOptions options;

	private final List<GroupPattern> patterns;

	private final LongSupplier nanoClock;

	private final ConcurrentHashMap<String, HistoryStream> streams = new ConcurrentHashMap<>();

	GroupHistory(HistoryOptions options, LongSupplier nanoClock) {
		this.options = options;
		this.patterns = options.groups().stream().map(GroupPattern::compile).toList();
		this.nanoClock = nanoClock;
	}

	/** Whether a group keeps history. */
	boolean covers(String group) {
		for (GroupPattern pattern : this.patterns) {
			if (pattern.matches(group)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Records a broadcast to a group that keeps history and delivers it, both under the stream's monitor.
	 * @param deliver delivers the recorded broadcast to the group's members and says to how many
	 * @return what {@code deliver} said
	 */
	int record(String group, OutboundMessage message, ToIntFunction<Envelope> deliver) {
		while (true) {
			HistoryStream stream = stream(group);
			synchronized (stream) {
				if (!stream.removed) {
					return deliver.applyAsInt(stream.append(message, this.nanoClock.getAsLong()));
				}
			}
		}
	}

	/**
	 * Works out where a session joining a group that keeps history continues from, and has it join under the
	 * stream's monitor. Resuming from a position in the current epoch that is still kept continues right after it;
	 * anything else (no position, another epoch, messages after it no longer kept, an offset the stream has not
	 * reached) replays the latest {@link HistoryOptions#replayLast()} messages kept.
	 * @param asked the position the session asks to resume from, or {@code null}
	 */
	void join(String group, @Nullable StreamPosition asked, Joiner joiner) {
		while (true) {
			HistoryStream stream = stream(group);
			synchronized (stream) {
				if (stream.removed) {
					continue;
				}
				stream.expire(this.nanoClock.getAsLong());
				long last = stream.lastOffset();
				boolean recovered = asked != null && asked.epoch().equals(stream.epoch())
						&& asked.offset() >= stream.firstOffset() - 1 && asked.offset() <= last;
				long continueAfter = recovered ? asked.offset()
						: Math.max(stream.firstOffset() - 1, last - Math.min(last, this.options.replayLast()));
				joiner.join(stream, continueAfter, recovered);
				return;
			}
		}
	}

	private HistoryStream stream(String group) {
		return this.streams.computeIfAbsent(group, (name) -> new HistoryStream(name, this.options));
	}

	/**
	 * Drops expired messages, and the streams that keep nothing and whose group has no session.
	 * @param hasSessions whether a group has sessions; asked under the stream's monitor, which joins hold
	 */
	void sweep(Predicate<String> hasSessions) {
		long now = this.nanoClock.getAsLong();
		for (HistoryStream stream : this.streams.values()) {
			synchronized (stream) {
				stream.expire(now);
				if (stream.isEmpty() && !hasSessions.test(stream.group())) {
					stream.removed = true;
					this.streams.remove(stream.group(), stream);
				}
			}
		}
	}

	/** What each group's history holds, by group name. */
	List<HistoryInfo> describe() {
		List<HistoryInfo> described = new ArrayList<>();
		this.streams.values().forEach((stream) -> described.add(stream.info()));
		described.sort(Comparator.comparing(HistoryInfo::group));
		return described;
	}

	Optional<HistoryInfo> describe(String group) {
		HistoryStream stream = this.streams.get(group);
		return (stream != null) ? Optional.of(stream.info()) : Optional.empty();
	}

}
