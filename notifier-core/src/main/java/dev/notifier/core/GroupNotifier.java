package dev.notifier.core;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Sends messages to groups of WebSocket sessions: the one object an application injects.
 *
 * <p>A message is a {@code String} (sent as text), a {@code byte[]} or {@code ByteBuffer} (sent as binary, copied
 * once) or any other object (encoded once per broadcast to JSON text, whatever the number of sessions). Each verb
 * returns how many sessions the message was queued for; a group with no sessions gives 0. In a group of 256 sessions
 * or more, whose broadcasts the writer threads append to the sessions' queues, it is how many sessions the message is
 * addressed to. A broadcast never waits on a socket: a session whose queue is full is handled by the overflow policy,
 * and the others are unaffected.
 *
 * <p>Every method is safe to call from any thread.
 */
public interface GroupNotifier {

	/**
	 * Sends a message to every session of a group.
	 * @throws IllegalArgumentException if the group name is not valid
	 */
	int broadcast(String group, Object message);

	/** Sends a message to every session of every group. */
	int broadcastAll(Object message);

	/** Sends a message to the sessions of a group that pass the filter. */
	int broadcastFilter(String group, Object message, Predicate<? super NotifierSession> filter);

	/** Sends a message to every session of the sender's group except the sender: chat. */
	int broadcastOthers(NotifierSession sender, Object message);

	/** Sends a message to the given sessions, whatever their groups; closed ones are skipped. */
	int broadcastMultiple(Collection<? extends NotifierSession> sessions, Object message);

	/**
	 * Sends a message to every session of a user, whatever their groups: the sessions whose handshake principal has
	 * this name. In a cluster it also reaches the user's sessions on the other instances.
	 * @return how many sessions of this instance the message was queued for
	 * @throws IllegalArgumentException if the user is {@code null} or blank
	 */
	int sendToUser(String user, Object message);

	/**
	 * Closes every session of a user with this status, whatever their groups; in a cluster also on the other
	 * instances. For example with 1008 when the user's account is locked.
	 * @return how many sessions of this instance were closed
	 * @throws IllegalArgumentException if the user is {@code null} or blank, or the status cannot be sent
	 */
	int closeUser(String user, CloseStatus status);

	/**
	 * Closes every session of a group with this status.
	 * @return how many sessions were closed
	 */
	int close(String group, CloseStatus status);

	/**
	 * Closes every session with this status.
	 * @return how many sessions were closed
	 */
	int closeAll(CloseStatus status);

	/**
	 * Starts the worker of a group now, as a {@link GroupWorkerFactory} creates it, even before anyone joins; the
	 * worker stops once the group has been empty for the idle timeout, counted from now if nobody joins. Does nothing
	 * if the group's worker runs. Unlike the start that a join causes, which runs on a worker launch thread, this one
	 * asks the cluster for the lease and calls the factory on the calling thread.
	 * @return whether a worker was started: {@code false} if one runs or is being started, no factory serves the
	 * group, the factory declined or failed, or the cluster refused the lease
	 * @throws IllegalArgumentException if the group name is not valid
	 */
	default boolean startWorker(String group) {
		return startWorker(group, Duration.ZERO);
	}

	/**
	 * Starts the worker of a group now, as {@link #startWorker(String)} does, and keeps it for at least
	 * {@code keepAlive} whether or not anyone joins: ws-notifier's {@code Notify(group, worker, timeout)}. The idle
	 * timeout applies only once the keep-alive has passed; the worker's max lifetime, a stop and shutdown still end it
	 * earlier. Does nothing if the group's worker runs: its keep-alive is not extended.
	 * @return whether a worker was started: {@code false} if one runs or is being started, no factory serves the
	 * group, the factory declined or failed, or the cluster refused the lease
	 * @throws IllegalArgumentException if the group name is not valid or {@code keepAlive} is negative
	 */
	boolean startWorker(String group, Duration keepAlive);

	/**
	 * Asks the worker of a group to stop; its sessions stay connected.
	 * @return whether a worker was running or being started
	 */
	boolean stopWorker(String group);

	/** The number of open sessions. */
	int sessionCount();

	/** The number of open sessions in a group. */
	int sessionCount(String group);

	/** The groups that have at least one open session. */
	Set<String> groups();

	/** The open sessions of a group, in no particular order. */
	List<NotifierSession> sessions(String group);

	/** The open session with this id. */
	Optional<NotifierSession> session(String id);

	/**
	 * Who is in a group with presence: its sessions and its users, in a cluster on every instance. In a cluster this
	 * asks the cluster and may block the calling thread briefly (Redis: at most 2 seconds); if the cluster cannot
	 * answer, the result is what this instance knows, marked not {@link Presence#complete() complete}. Presence is
	 * recorded by one thread after sessions join and leave, so the cluster's view may lag a join that just happened.
	 * @throws IllegalArgumentException if the group name is not valid, or the group has no presence (no presence
	 * pattern matches it)
	 */
	Presence presence(String group);

}
