package dev.notifier.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The histories of the groups that keep one ({@link HistoryOptions#groups()}), by group name.
 *
 * <p>A group's stream exists from its first recorded broadcast or its first session, and is dropped once it keeps
 * nothing and has no session ({@link #sweep}); a later one starts over with a new epoch. Each stream's monitor orders
 * its group's recorded broadcasts and joins (see {@link HistoryStream}); this class takes no lock of its own, and a
 * caller holding a stream that was dropped meanwhile starts over with the new one. Every method is safe to call from
 * any thread.
 *
 * <p><b>Shared.</b> With a cluster's {@link SharedHistory}, a stream is this instance's copy of the cluster's, which
 * this instance receives only while the group has sessions here. So a stream is loaded from the cluster when the
 * group gains its first session here (the sessions joining meanwhile are parked until it is), takes the broadcasts
 * the cluster recorded at their positions ({@link #recordShared}), and is dropped as soon as the group has no
 * session here ({@link #forget}). A load's answer fills only the stream that asked for it: a stream dropped before
 * its answer came ignores it, and the stream of a session that joins later loads its own, since the answer of the
 * dropped one misses what the cluster recorded while this instance did not listen to the group. A position that does
 * not follow the copy's latest (a broadcast this instance missed, or another epoch after Redis lost the history)
 * drops the copy too, and the engine closes the group's sessions so that they resume from a fresh one.
 */
final class GroupHistory {

	/** What a session joining a group with history does under the stream's monitor. */
	interface Joiner {

		/** Adds the session to the group's members, under the stream's monitor. */
		void join();

		/**
		 * Sets where the session's messages continue from, under the stream's monitor: right after {@link #join()}, or
		 * once a shared stream it was parked on has loaded.
		 * @param stream the group's stream
		 * @param continueAfter the offset after which the session's messages continue: those up to the stream's last
		 * offset are replayed to it, later ones reach it live
		 * @param recovered whether it resumes from the position it asked for; {@code false} also when it asked for
		 * none
		 */
		void continueAt(HistoryStream stream, long continueAfter, boolean recovered);

		/** The session was parked and goes on now: called outside the monitor, on the thread that loaded the stream. */
		void unparked();

	}

	/** What became of a broadcast the cluster recorded. */
	enum SharedRecord {

		/** Kept and delivered. */
		DELIVERED,

		/** Nothing to do: no session here waits for it, or it was seen already. */
		IGNORED,

		/** It does not follow this instance's copy, which was dropped: the group's sessions here must start over. */
		GAP

	}

	/** A session waiting for a shared stream to load. */
	record Parked(@Nullable StreamPosition asked, Joiner joiner) {
	}

	/** A broadcast the cluster recorded while this instance's copy was loading. */
	record Pending(StreamPosition position, OutboundMessage message, @Nullable String exceptSession,
			long receivedNanos) {
	}

	private static final Logger logger = LoggerFactory.getLogger(GroupHistory.class);

	private final HistoryOptions options;

	private final List<GroupPattern> patterns;

	private final LongSupplier nanoClock;

	private final ConcurrentHashMap<String, HistoryStream> streams = new ConcurrentHashMap<>();

	/** Starts loading a group's shared stream; {@code null} for histories of this instance's own. */
	private final @Nullable Function<String, CompletionStage<SharedHistory.Loaded>> loader;

	/**
	 * The histories of one instance.
	 * @param loader starts loading a group's stream from the cluster's {@link SharedHistory}, or {@code null} if this
	 * instance keeps histories of its own
	 */
	GroupHistory(HistoryOptions options, LongSupplier nanoClock,
			@Nullable Function<String, CompletionStage<SharedHistory.Loaded>> loader) {
		this.options = options;
		this.patterns = options.groups().stream().map(GroupPattern::compile).toList();
		this.nanoClock = nanoClock;
		this.loader = loader;
	}

	/** Whether the histories are the cluster's, copied here. */
	boolean shared() {
		return this.loader != null;
	}

	HistoryOptions options() {
		return this.options;
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
	 * @param exceptSession the id of the session it leaves out ({@code broadcastOthers}), or {@code null}
	 * @param deliver delivers the recorded broadcast to the group's members and says to how many
	 * @return what {@code deliver} said
	 */
	int record(String group, OutboundMessage message, @Nullable String exceptSession,
			ToIntFunction<Envelope> deliver) {
		while (true) {
			HistoryStream stream = stream(group);
			synchronized (stream) {
				if (!stream.removed) {
					return deliver.applyAsInt(stream.append(message, exceptSession, this.nanoClock.getAsLong()));
				}
			}
		}
	}

	/**
	 * Adds a session to a group that keeps history and works out where its messages continue from, both under the
	 * stream's monitor. Resuming from a position in the current epoch that is still kept continues right after it;
	 * anything else (no position, another epoch, messages after it no longer kept, an offset the stream has not
	 * reached) replays the latest {@link HistoryOptions#replayLast()} messages kept. A session joining a shared stream
	 * that has not loaded yet is parked until it has: {@link Joiner#continueAt} and {@link Joiner#unparked} follow
	 * then.
	 * @param asked the position the session asks to resume from, or {@code null}
	 * @return whether the session goes on now, {@code false} if it was parked
	 */
	boolean join(String group, @Nullable StreamPosition asked, Joiner joiner) {
		while (true) {
			HistoryStream stream = stream(group);
			boolean startLoading;
			synchronized (stream) {
				if (stream.removed) {
					continue;
				}
				joiner.join();
				if (stream.loaded) {
					continueAt(stream, asked, joiner);
					return true;
				}
				stream.parked.add(new Parked(asked, joiner));
				startLoading = !stream.loading;
				stream.loading = true;
			}
			if (startLoading) {
				startLoading(stream);
			}
			return false;
		}
	}

	/** The caller holds the stream's monitor. */
	private void continueAt(HistoryStream stream, @Nullable StreamPosition asked, Joiner joiner) {
		stream.expire(this.nanoClock.getAsLong());
		long last = stream.lastOffset();
		boolean recovered = asked != null && asked.epoch().equals(stream.epoch())
				&& asked.offset() >= stream.firstOffset() - 1 && asked.offset() <= last;
		long continueAfter = recovered ? asked.offset()
				: Math.max(stream.firstOffset() - 1, last - Math.min(last, this.options.replayLast()));
		joiner.continueAt(stream, continueAfter, recovered);
	}

	/**
	 * Keeps a broadcast the cluster recorded in this instance's copy of the group's stream and delivers it, under the
	 * stream's monitor; or holds it while the copy loads.
	 * @param exceptSession the id of the session it leaves out ({@code broadcastOthers}), or {@code null}
	 * @param deliver delivers the kept broadcast to the group's members here
	 */
	SharedRecord recordShared(String group, StreamPosition position, OutboundMessage message,
			@Nullable String exceptSession, ToIntFunction<Envelope> deliver) {
		HistoryStream stream = this.streams.get(group);
		if (stream == null) {
			return SharedRecord.IGNORED;
		}
		long now = this.nanoClock.getAsLong();
		synchronized (stream) {
			if (stream.removed) {
				return SharedRecord.IGNORED;
			}
			if (!stream.loaded) {
				stream.hold(new Pending(position, message, exceptSession, now));
				return SharedRecord.IGNORED;
			}
			if (!position.epoch().equals(stream.epoch()) || position.offset() > stream.lastOffset() + 1) {
				logger.warn("The copy of the history of group '{}' here is at {}:{}, and the cluster's next broadcast is at {}: "
						+ "broadcasts were missed, so the copy is dropped and the group's sessions here resume from a "
						+ "fresh one", group, stream.epoch(), stream.lastOffset(), position);
				drop(stream);
				return SharedRecord.GAP;
			}
			if (position.offset() <= stream.lastOffset()) {
				return SharedRecord.IGNORED;
			}
			deliver.applyAsInt(stream.appendAt(position, message, exceptSession, now));
			return SharedRecord.DELIVERED;
		}
	}

	/** Loads a shared stream, outside its monitor, and binds the answer to that stream. */
	private void startLoading(HistoryStream stream) {
		String group = stream.group();
		CompletionStage<SharedHistory.Loaded> load;
		try {
			load = this.loader.apply(group);
		}
		catch (RuntimeException ex) {
			// Parked sessions, and every later joiner of the group here, would otherwise wait for it for good.
			load = CompletableFuture.failedFuture(ex);
		}
		load.whenComplete((loaded, failure) -> {
			if (loaded == null) {
				logger.warn("Could not load the history of group '{}': its sessions here go on without it", group,
						failure);
			}
			loaded(stream, loaded);
		});
	}

	/**
	 * Fills a shared stream with what the cluster keeps, or, with {@code null}, with nothing when it could not be
	 * loaded; then the sessions parked on it go on. A stream dropped meanwhile ignores it.
	 */
	private void loaded(HistoryStream stream, SharedHistory.@Nullable Loaded loaded) {
		List<Parked> unparked;
		synchronized (stream) {
			if (stream.removed || stream.loaded) {
				return;
			}
			if (loaded != null) {
				stream.load(loaded, this.nanoClock.getAsLong());
			}
			else {
				stream.pending.clear();
				stream.loaded = true;
			}
			unparked = List.copyOf(stream.parked);
			stream.parked.clear();
			unparked.forEach((parked) -> continueAt(stream, parked.asked(), parked.joiner()));
		}
		unparked.forEach((parked) -> parked.joiner().unparked());
	}

	/**
	 * Drops this instance's copy of a group's shared stream once the group has no session here: from then on this
	 * instance no longer receives the group's broadcasts, and a later session loads a fresh copy.
	 * @param hasSessions whether the group has sessions here; asked under the stream's monitor, which joins hold
	 */
	void forget(String group, Predicate<String> hasSessions) {
		HistoryStream stream = this.streams.get(group);
		if (stream == null) {
			return;
		}
		synchronized (stream) {
			if (!hasSessions.test(group)) {
				drop(stream);
			}
		}
	}

	/** The caller holds the stream's monitor. */
	private void drop(HistoryStream stream) {
		stream.removed = true;
		this.streams.remove(stream.group(), stream);
	}

	private HistoryStream stream(String group) {
		return this.streams.computeIfAbsent(group, (name) -> new HistoryStream(name, this.options, !shared()));
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
					drop(stream);
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
