package dev.notifier.core;

import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * This instance's engine as its {@link NotifierCluster} sees it: the few calls a cluster makes back into the engine,
 * handed to {@link NotifierCluster#start}. The cluster never sees the engine itself.
 *
 * <p>Every method is safe to call from any thread and never waits on the network. {@link #deliver} and {@link #close}
 * run over every local session of the group, {@link #deliverToUser} and {@link #closeUser} over a user's, so a
 * cluster calls them from a thread of its own, never from a client library's I/O thread that other traffic waits on.
 */
public interface ClusterNode {

	/**
	 * Delivers what another instance broadcast to this instance's sessions, in the order of the calls for one group.
	 * It is not published again.
	 * @param group the group, or {@code null} for every group
	 * @return how many sessions the message was queued for, counted as {@link GroupNotifier}'s verbs count them
	 */
	int deliver(@Nullable String group, OutboundMessage message);

	/**
	 * Closes this instance's sessions of a group, or every session, as another instance asked.
	 * @param group the group, or {@code null} for every session
	 * @return how many sessions were closed
	 */
	int close(@Nullable String group, CloseStatus status);

	/**
	 * Delivers a broadcast that the cluster's {@link SharedHistory} recorded to this instance's sessions of its group,
	 * at its position, and keeps it in this instance's copy of the group's history. Called in the order the cluster
	 * recorded them, for the broadcasts this instance made itself too.
	 * @param exceptSession the id of a session of this instance to leave out, or {@code null}
	 */
	void deliverRecorded(String group, StreamPosition position, OutboundMessage message, @Nullable String exceptSession);

	/** Whether a group keeps history: the cluster records its broadcasts through {@link SharedHistory}. */
	boolean keepsHistory(String group);

	/**
	 * Delivers what another instance sent to a user to this instance's sessions of that user. It is not published
	 * again.
	 * @return how many sessions the message was queued for
	 */
	int deliverToUser(String user, OutboundMessage message);

	/**
	 * Closes this instance's sessions of a user, as another instance asked.
	 * @return how many sessions were closed
	 */
	int closeUser(String user, CloseStatus status);

	/**
	 * Has the engine pass every presence count of this instance to {@link NotifierCluster#presenceChanged} again, on
	 * its presence thread after the changes already waiting, for a cluster that has lost what it knew (a new
	 * connection, a restarted server). Returns at once.
	 */
	void resendPresence();

	/** The groups that have at least one session on this instance. */
	Set<String> groups();

	/** Whether a group has at least one session on this instance. */
	boolean hasSessions(String group);

	/** Whether the worker of a group runs on this instance. */
	boolean hasWorker(String group);

	/**
	 * Asks again for the worker of a group, for example once the lease another instance held has expired; the engine
	 * asks the cluster's {@link NotifierCluster#acquireWorker} first.
	 * @return whether a worker was started here
	 */
	boolean startWorker(String group);

	/**
	 * Stops the worker of a group on this instance, once the cluster learns that another instance holds its lease.
	 * @return whether a worker was running
	 */
	boolean stopWorker(String group);

}
