package dev.notifier.autoconfigure.actuate;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.notifier.core.CloseStatus;
import dev.notifier.core.HistoryInfo;
import dev.notifier.core.NotifierCluster;
import dev.notifier.core.NotifierEngine;
import dev.notifier.core.NotifierSession;
import dev.notifier.core.Presence;
import dev.notifier.core.WorkerInfo;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code notifier} endpoint: what groups, sessions and workers there are, and a way to broadcast to a group or
 * close it by hand. Groups contain slashes, so the group is the whole rest of the path:
 * {@code /actuator/notifier/tasks/42}.
 */
@Endpoint(id = "notifier")
public class NotifierEndpoint {

	/** Session ids listed per group; the count is always given in full. */
	static final int MAX_SESSIONS_LISTED = 100;

	private final NotifierEngine engine;


	public NotifierEndpoint(NotifierEngine engine) {
		this.engine = engine;
	}

	@ReadOperation
	public NotifierDescriptor notifier() {
		List<WorkerInfo> workers = this.engine.workers();
		Map<String, GroupSummary> groups = new TreeMap<>();
		Map<String, SessionIds> sessions = new TreeMap<>();
		for (String group : this.engine.groups()) {
			List<NotifierSession> members = this.engine.sessions(group);
			groups.put(group, new GroupSummary(members.size(), null, workerInstance(group)));
			sessions.put(group, new SessionIds(members.size(),
					members.stream().limit(MAX_SESSIONS_LISTED).map(NotifierSession::id).sorted().toList()));
		}
		for (WorkerInfo worker : workers) {
			GroupSummary summary = groups.get(worker.group());
			groups.put(worker.group(), new GroupSummary((summary != null) ? summary.sessions() : 0, worker.state(),
					workerInstance(worker.group())));
		}
		int sessionCount = sessions.values().stream().mapToInt(SessionIds::count).sum();
		Map<String, HistoryDescriptor> histories = new TreeMap<>();
		this.engine.histories().forEach((history) -> histories.put(history.group(), HistoryDescriptor.of(history)));
		return new NotifierDescriptor(new Totals(sessionCount, sessions.size(), workers.size()), groups, sessions,
				workers.stream().map(this::describe).toList(), histories);
	}

	@ReadOperation
	public @Nullable GroupDescriptor group(@Selector(match = Selector.Match.ALL_REMAINING) String[] path) {
		String group = groupName(path);
		List<NotifierSession> members = this.engine.sessions(group);
		Optional<WorkerInfo> worker = this.engine.worker(group);
		Optional<HistoryInfo> history = this.engine.history(group);
		PresenceDescriptor presence = this.engine.hasPresence(group) ? PresenceDescriptor.of(this.engine.presence(group))
				: null;
		if (members.isEmpty() && worker.isEmpty() && history.isEmpty()
				&& (presence == null || presence.sessions() == 0)) {
			return null;
		}
		List<SessionDescriptor> sessions = members.stream()
			.sorted(Comparator.comparing(NotifierSession::connectedAt))
			.limit(MAX_SESSIONS_LISTED)
			.map(SessionDescriptor::of)
			.toList();
		return new GroupDescriptor(group, members.size(), sessions, worker.map(this::describe).orElse(null),
				workerInstance(group), history.map(HistoryDescriptor::of).orElse(null), presence);
	}

	private WorkerDescriptor describe(WorkerInfo info) {
		NotifierCluster cluster = this.engine.cluster();
		return new WorkerDescriptor(info.group(), info.factory(), info.state(), info.startedAt(),
				(cluster != null) ? cluster.instanceId() : null);
	}

	private @Nullable String workerInstance(String group) {
		NotifierCluster cluster = this.engine.cluster();
		return (cluster != null) ? cluster.workerInstance(group) : null;
	}

	/**
	 * Broadcasts a text message to a group. Actuator reads write-operation bodies as string fields, so
	 * {@code {"message": "..."}} is sent as it is; a JSON document goes as a string holding that JSON.
	 */
	@WriteOperation
	public BroadcastDescriptor broadcast(@Selector(match = Selector.Match.ALL_REMAINING) String[] path,
			String message) {
		String group = groupName(path);
		return new BroadcastDescriptor(group, this.engine.broadcast(group, message));
	}

	@DeleteOperation
	public CloseDescriptor close(@Selector(match = Selector.Match.ALL_REMAINING) String[] path,
			@Nullable String reason) {
		String group = groupName(path);
		CloseStatus status = sendable(CloseStatus.NORMAL.withReason((reason != null) ? reason : ""));
		boolean workerStopped = this.engine.stopWorker(group);
		int closed = this.engine.close(group, status);
		return new CloseDescriptor(group, closed, workerStopped);
	}

	private static CloseStatus sendable(CloseStatus status) {
		try {
			return status.requireSendable();
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidEndpointRequestException(ex.getMessage(), ex.getMessage());
		}
	}

	private String groupName(String[] path) {
		String group = String.join("/", path);
		String problem = this.engine.options().groupProblem(group);
		if (problem != null) {
			throw new InvalidEndpointRequestException("Invalid group '" + group + "': " + problem, problem);
		}
		return group;
	}

	/**
	 * The whole picture.
	 * @param totals the counts
	 * @param groups every group with sessions or a worker: its session count and its worker's state
	 * @param sessions the session ids of every group, at most {@value #MAX_SESSIONS_LISTED} each
	 * @param workers every running worker
	 * @param histories what each group that keeps history holds, with or without sessions
	 */
	public record NotifierDescriptor(Totals totals, Map<String, GroupSummary> groups, Map<String, SessionIds> sessions,
			List<WorkerDescriptor> workers, Map<String, HistoryDescriptor> histories) {
	}

	/**
	 * The counts.
	 * @param sessions open sessions
	 * @param groups groups with at least one open session
	 * @param workers running workers
	 */
	public record Totals(int sessions, int groups, int workers) {
	}

	/**
	 * One group in the overview.
	 * @param sessions its open sessions
	 * @param worker the state of its worker on this instance, or {@code null} (left out of the JSON) if it has none
	 * here
	 * @param workerInstance the cluster instance running its worker, this one or another, or {@code null} (left out)
	 * when none is known or not clustered
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record GroupSummary(int sessions, WorkerInfo.@Nullable State worker, @Nullable String workerInstance) {
	}

	/**
	 * The session ids of a group.
	 * @param count how many sessions there are
	 * @param ids the first ids, at most {@value #MAX_SESSIONS_LISTED}
	 */
	public record SessionIds(int count, List<String> ids) {
	}

	/**
	 * A worker.
	 * @param group the group it serves
	 * @param factory the class of the factory that created it
	 * @param state whether it runs or is stopping
	 * @param startedAt when it started
	 * @param instance the cluster instance running it (this one), or {@code null} when not clustered
	 */
	public record WorkerDescriptor(String group, String factory, WorkerInfo.State state, Instant startedAt,
			@Nullable String instance) {
	}

	/**
	 * One group in detail.
	 * @param group its name
	 * @param sessionCount how many sessions it has
	 * @param sessions the sessions, oldest first, at most {@value #MAX_SESSIONS_LISTED}
	 * @param worker its worker on this instance, or {@code null} (left out of the JSON)
	 * @param workerInstance the cluster instance running its worker, this one or another, or {@code null} (left out)
	 * when none is known or not clustered
	 * @param history what its history holds, or {@code null} (left out) if it keeps none
	 * @param presence who is in the group on every instance, for a group with presence ({@code notifier.presence.groups}),
	 * or {@code null} (left out)
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record GroupDescriptor(String group, int sessionCount, List<SessionDescriptor> sessions,
			@Nullable WorkerDescriptor worker, @Nullable String workerInstance, @Nullable HistoryDescriptor history,
			@Nullable PresenceDescriptor presence) {
	}

	/**
	 * A group's history.
	 * @param epoch the epoch of its stream: it changes when the history starts over
	 * @param firstOffset the offset of the oldest message kept; {@code lastOffset + 1} when none is kept
	 * @param lastOffset the offset of the latest recorded broadcast
	 * @param messages how many messages are kept
	 * @param bytes the payload bytes kept
	 */
	public record HistoryDescriptor(String epoch, long firstOffset, long lastOffset, int messages, long bytes) {

		static HistoryDescriptor of(HistoryInfo history) {
			return new HistoryDescriptor(history.epoch(), history.firstOffset(), history.lastOffset(),
					history.messages(), history.bytes());
		}

	}

	/**
	 * Who is in a group with presence, in a cluster on every instance.
	 * @param sessions its sessions, anonymous ones included
	 * @param userCount how many distinct signed-in users it has
	 * @param users the sessions of each user, the first {@value #MAX_SESSIONS_LISTED} users by name
	 * @param complete whether every instance was asked; {@code false} when the cluster could not be, and this is what
	 * this instance knows
	 */
	public record PresenceDescriptor(int sessions, int userCount, Map<String, Integer> users, boolean complete) {

		static PresenceDescriptor of(Presence presence) {
			Map<String, Integer> users = new TreeMap<>();
			presence.users()
				.entrySet()
				.stream()
				.sorted(Map.Entry.comparingByKey())
				.limit(MAX_SESSIONS_LISTED)
				.forEach((user) -> users.put(user.getKey(), user.getValue()));
			return new PresenceDescriptor(presence.sessions(), presence.users().size(), users, presence.complete());
		}

	}

	/**
	 * One session.
	 * @param id its id
	 * @param transport {@code websocket} or {@code sse}
	 * @param remoteAddress the peer's address, or {@code null} (left out of the JSON)
	 * @param connectedAt when it connected
	 * @param queuedMessages messages waiting to be written
	 * @param queuedBytes bytes waiting to be written
	 * @param sentMessages messages written so far
	 * @param droppedMessages messages dropped by the overflow policy so far
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record SessionDescriptor(String id, String transport, @Nullable String remoteAddress, Instant connectedAt,
			int queuedMessages, long queuedBytes, long sentMessages, long droppedMessages) {

		static SessionDescriptor of(NotifierSession session) {
			InetSocketAddress address = session.remoteAddress();
			return new SessionDescriptor(session.id(), session.transport(),
					(address != null) ? address.toString() : null,
					session.connectedAt(), session.queuedMessages(), session.queuedBytes(), session.sentMessages(),
					session.droppedMessages());
		}

	}

	/**
	 * The outcome of a broadcast.
	 * @param group the group
	 * @param sessions how many sessions the message was queued for
	 */
	public record BroadcastDescriptor(String group, int sessions) {
	}

	/**
	 * The outcome of closing a group.
	 * @param group the group
	 * @param sessionsClosed how many sessions were closed
	 * @param workerStopped whether a worker was asked to stop
	 */
	public record CloseDescriptor(String group, int sessionsClosed, boolean workerStopped) {
	}

}
