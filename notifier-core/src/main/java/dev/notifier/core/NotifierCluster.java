package dev.notifier.core;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Several engines, one per application instance, sharing one set of groups: the seam a cluster bus plugs into. The
 * engine tells it which groups have local sessions, hands it every broadcast and group close, and asks it whether this
 * instance may run a group's worker; the cluster calls back through the {@link ClusterNode} it is started with, never
 * the engine itself, for what other instances published.
 *
 * <p>Threads: {@link #groupOccupied} and {@link #groupEmptied} are called on the thread that joined or left, and
 * {@link #delivery}'s result and {@link #closed} on the caller's thread, outside every engine lock: they must not block
 * on the network. {@link #acquireWorker} and {@link #releaseWorker} are called on the thread that starts or ends a
 * worker, outside every lock, and may block briefly on the network. {@link #instanceId}, {@link #workerInstance} and
 * {@link #unavailable} are called by monitoring on any thread and must answer from memory.
 *
 * <p>{@link #acquireWorker} refusing a group is not final: an instance that still has sessions in the group may call
 * {@link ClusterNode#startWorker} later (for example when the holder's lease has expired), which asks again.
 */
public interface NotifierCluster {

	/**
	 * Starts taking part in the cluster; called once the engine accepts connections.
	 * @param node this instance's engine, as far as the cluster may call it
	 */
	void start(ClusterNode node);

	/**
	 * Stops taking part: releases what this instance holds, every worker lease included. Called when the engine shuts
	 * down, after its workers have ended: the engine does not call {@link #releaseWorker} for the workers its shutdown
	 * ends, so that their leases can be released together here rather than one network wait per worker.
	 */
	void stop();

	/**
	 * Wraps the engine's local delivery so that broadcasts also reach the other instances: those to a group, to all
	 * and to a group but its sender; not those to a group that keeps history ({@link ClusterNode#keepsHistory}) if
	 * the cluster has a {@link #sharedHistory()}: the engine hands those to it itself. Broadcasts with a filter or to given sessions stay on this instance: their
	 * predicate and their sessions exist only here.
	 * @param local delivers to this instance's sessions
	 */
	Delivery delivery(Delivery local);

	/**
	 * A group, or every group, was closed on this instance by the application: the other instances close theirs.
	 * @param group the group, or {@code null} for every group
	 */
	void closed(@Nullable String group, CloseStatus status);

	/**
	 * A message was sent to a user on this instance: the other instances deliver it to their sessions of that user.
	 * Called on the caller's thread after the local delivery; must not block on the network. By default a cluster
	 * does not carry messages to users, and they reach this instance's sessions only.
	 */
	default void sentToUser(String user, OutboundMessage message) {
	}

	/**
	 * A user's sessions were closed on this instance: the other instances close theirs. Called on the caller's
	 * thread; must not block on the network. By default only this instance's sessions are closed.
	 */
	default void closedUser(String user, CloseStatus status) {
	}

	/**
	 * This instance now has this many sessions of a user in a group with presence, 0 for none: the cluster records
	 * it for {@link #presence}. Called on the engine's {@code notifier-presence} thread, one change at a time in the
	 * order they happened, and for every count again after {@link ClusterNode#resendPresence}; it may block briefly
	 * on the network, holding up only later presence changes. By default a cluster keeps no presence.
	 * @param user the user, or {@code ""} for the anonymous sessions
	 * @return whether no other instance has sessions of the user in the group: the engine announces a user's join or
	 * leave to the listeners only then, so that they hear it once in the cluster; {@code true} if the cluster cannot
	 * tell
	 */
	default boolean presenceChanged(String group, String user, int sessions) {
		return true;
	}

	/**
	 * The sessions of each user in a group with presence on every instance, anonymous ones under {@code ""}. Called
	 * on the thread asking {@link GroupNotifier#presence}; it may block briefly on the network.
	 * @return the sessions by user, or {@code null} if the cluster cannot tell now (the engine then answers with
	 * what this instance knows, marked incomplete); by default {@code null}
	 */
	default @Nullable Map<String, Integer> presence(String group) {
		return null;
	}

	/** A group has gained its first session on this instance. */
	void groupOccupied(String group);

	/** A group has lost its last session on this instance. */
	void groupEmptied(String group);

	/**
	 * Whether this instance may start the worker of a group now: at most one instance of the cluster runs it.
	 * @return {@code true} if this instance now holds the group's worker until {@link #releaseWorker}
	 */
	boolean acquireWorker(String group);

	/**
	 * The worker of a group has ended on this instance, while the engine runs; at shutdown, {@link #stop} releases
	 * the leases instead.
	 */
	void releaseWorker(String group);

	/**
	 * The group histories this cluster keeps for all its instances; {@code null} if it keeps none, and each instance
	 * then keeps its own, with its own offsets and epochs, so that a client resumes only against the instance it was
	 * connected to.
	 */
	default @Nullable SharedHistory sharedHistory() {
		return null;
	}

	/** This instance's name in the cluster, for monitoring; {@code null} if it has none. */
	default @Nullable String instanceId() {
		return null;
	}

	/**
	 * Which instance runs the worker of a group, as far as this instance last heard: its own {@link #instanceId} for
	 * a worker it holds, another's for a group with local sessions whose worker runs elsewhere.
	 * @return the instance, or {@code null} if none is known
	 */
	default @Nullable String workerInstance(String group) {
		return null;
	}

	/**
	 * Why this instance cannot reach the other instances right now, such as a lost connection: broadcasts then reach
	 * this instance's sessions only.
	 * @return the reason, or {@code null} while the cluster works
	 */
	default @Nullable String unavailable() {
		return null;
	}

}
