package dev.notifier.core;

import java.util.List;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * Group histories that a {@link NotifierCluster} keeps for all its instances, so that offsets are the same everywhere
 * and a client resumes against any instance. With one, a broadcast to a group that keeps history is not delivered by
 * the instance it was made on: the cluster records it, giving it the group's next offset, and every instance, that one
 * included, delivers it when the cluster hands it back through {@link ClusterNode#deliverRecorded}, all in the order
 * the cluster recorded them. Each instance keeps a copy of the history of the groups it has sessions in, loaded with
 * {@link #load} when the group gains its first session here.
 *
 * <p>Threads: both methods are called outside every engine lock and must not wait on the network. The stage that
 * {@link #load} returns may complete on any thread, a client library's I/O thread included, or be complete already,
 * and then the engine goes on on the thread that called {@link #load}. Either way it runs nothing there that waits:
 * it copies what was loaded into this instance's copy and hands the sessions waiting for it to its own threads.
 */
public interface SharedHistory {

	/**
	 * Records a broadcast in a group's history and hands it to every instance.
	 * @param exceptSession the id of the local session it leaves out ({@code broadcastOthers}), or {@code null}
	 * @param limits how much the group's history keeps
	 * @return whether the cluster took it; if not (the cluster is unavailable), the engine delivers it to this
	 * instance's sessions only, without a position
	 */
	boolean record(String group, OutboundMessage message, @Nullable String exceptSession, HistoryOptions limits);

	/**
	 * Starts loading what a group's history keeps, once this instance is sure to receive every broadcast recorded
	 * after what it loads. What it loads fills only the copy that asked for it: a copy dropped before its load answers
	 * (the group's last session here left) ignores the answer, and a later session of the group loads a copy of its
	 * own.
	 * @param limits how much the group's history keeps
	 * @return completes with what the group's history keeps; completes exceptionally when it cannot be loaded (the
	 * cluster is not running or cannot be reached), and the sessions waiting for it then go on with what arrives from
	 * now on, told that nothing was recovered
	 */
	CompletionStage<Loaded> load(String group, HistoryOptions limits);

	/**
	 * A message a group's history keeps.
	 * @param offset its offset in the group's stream
	 * @param ageMillis how long ago it was recorded, in milliseconds
	 * @param message the message
	 */
	record Kept(long offset, long ageMillis, OutboundMessage message) {
	}

	/**
	 * What a group's history keeps, oldest first.
	 * @param epoch the epoch of the group's stream
	 * @param lastOffset the offset of its latest recorded broadcast, kept or not; 0 before the first
	 * @param kept the messages kept, with consecutive offsets ending at {@code lastOffset}
	 */
	record Loaded(String epoch, long lastOffset, List<Kept> kept) {
	}

}
