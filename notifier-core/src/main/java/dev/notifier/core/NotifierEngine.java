package dev.notifier.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@link GroupNotifier}: the registry of sessions indexed by group, the delivery of broadcasts to
 * their bounded queues, the group workers, and the shared threads that keep connections healthy.
 *
 * <p>Threads the engine owns:
 * <ul>
 * <li>a few {@code notifier-writer-N} threads, about one per core, which start every send: a broadcast only appends
 * to the queues of its recipients (see {@link WriterThreads}), and to a large group the writers append it (see
 * {@link GroupIndex});</li>
 * <li>one {@code notifier-heartbeat} thread runs the periodic sweep (pings due, silent peers, stuck writes, close
 * handshakes that do not finish, credentials that expired);</li>
 * <li>a small pool of {@code notifier-io-N} threads sends close frames, and pings where the container only offers a
 * blocking ping (Jakarta WebSocket), because a container may block while closing a connection whose peer does not
 * read;</li>
 * <li>one {@code notifier-groups} thread tells the cluster and the workers when a group gains its first session or
 * loses its last (see {@link GroupOccupancy});</li>
 * <li>one {@code notifier-presence} thread, for the groups with presence, passes each user's session count on to the
 * cluster and a user's join and leave to the listeners (see {@link PresenceIndex});</li>
 * <li>with {@link Builder#reauthorize re-authorization}, one {@code notifier-reauthorize} thread asks the authorizer
 * again about every open session;</li>
 * <li>the worker threads of {@link GroupWorkers}.</li>
 * </ul>
 * Everything else runs on the caller's thread (broadcasts) or the container's (inbound messages, send completions).
 * Every public method is safe to call from any thread.
 */
public final class NotifierEngine implements GroupNotifier {

	private static final Logger logger = LoggerFactory.getLogger(NotifierEngine.class);

	private static final Duration MIN_SWEEP_PERIOD = Duration.ofMillis(10);

	/**
	 * Closes the sessions of a group whose copy of the cluster's history missed broadcasts: they reconnect, resume
	 * from a fresh copy and lose nothing the cluster kept.
	 */
	static final CloseStatus HISTORY_GAP = CloseStatus.SLOW_CONSUMER.withReason("missed broadcasts: resume");

	private static final Duration MAX_SWEEP_PERIOD = Duration.ofSeconds(1);

	/** Expiries further away are treated as this far, which keeps the nanoClock arithmetic from overflowing. */
	private static final Duration MAX_EXPIRY = Duration.ofDays(365 * 100);

	/** 1008 "not authorized": the status of a session that re-authorization refused. */
	public static final CloseStatus NOT_AUTHORIZED = CloseStatus.POLICY_VIOLATION.withReason("not authorized");

	private final NotifierOptions options;

	private final MessageEncoder encoder;

	private final Supplier<? extends List<? extends NotifierListener>> listenerSource;

	private final Supplier<? extends List<? extends GroupWorkerFactory>> workerFactorySource;

	private final WorkerOptions workerOptions;

	private final Delivery delivery;

	private final @Nullable NotifierCluster cluster;

	private final SessionExpiry sessionExpiry;

	/** Asked again about every open session each {@link #reauthorizeInterval}; {@code null} for never. */
	private final @Nullable GroupAuthorizer reauthorizer;

	private final @Nullable Duration reauthorizeInterval;

	/**
	 * The {@code notifier-reauthorize} thread while the engine runs with re-authorization, {@code null} otherwise;
	 * guarded by the engine's monitor ({@link #start()} and {@link #shutdown} set it).
	 */
	private @Nullable ScheduledExecutorService reauthorization;

	/** Resolved from the source at {@link #start()}, so listeners may themselves depend on the engine. */
	private volatile List<ListenerBinding> listeners = List.of();

	/** Created at {@link #start()}; {@code null} until then. */
	private volatile @Nullable GroupWorkers workers;

	/** Open sessions by group; a group exists exactly while it has an open session. */
	private final GroupIndex groups;

	/** The histories of the groups that keep one: this instance's own, or copies of the cluster's. */
	private final GroupHistory history;

	/** The cluster's histories, if it shares them; {@code null} if this instance keeps its own. */
	private final @Nullable SharedHistory sharedHistory;

	private final GroupOccupancy occupancy;

	private final WriteScheduler writers;

	/** Deals sessions out to the writer threads in turn. */
	private final AtomicInteger nextWriterSlot = new AtomicInteger();

	/** Open sessions by user, for the per-user verbs. */
	private final UserIndex users = new UserIndex();

	/** Users and their sessions in the groups with presence. */
	private final PresenceIndex presence;

	/** Open sessions by id. */
	private final ConcurrentHashMap<String, DefaultNotifierSession> sessionsById = new ConcurrentHashMap<>();

	/** Every session whose connection the container has not yet reported closed, open or not. */
	private final Set<DefaultNotifierSession> connected = ConcurrentHashMap.newKeySet();

	/** Replaced by {@link #start()} after a {@link #shutdown}, so that a stopped engine can be started again. */
	private volatile ScheduledExecutorService heartbeat;

	private volatile ExecutorService io;

	private final NotifierStatistics statistics = new NotifierStatistics();

	private volatile boolean running;

	/** Set while {@link #shutdown} waits for the sessions it closed to write out what is queued for them. */
	private volatile boolean draining;

	private NotifierEngine(Builder builder) {
		this.options = builder.options;
		this.encoder = builder.encoder;
		this.listenerSource = builder.listeners;
		this.workerFactorySource = builder.workerFactories;
		this.workerOptions = builder.workerOptions;
		this.cluster = builder.cluster;
		this.sessionExpiry = builder.sessionExpiry;
		this.reauthorizer = builder.reauthorizer;
		this.reauthorizeInterval = builder.reauthorizeInterval;
		Delivery local = this::deliverLocally;
		this.delivery = builder.deliveryDecorator.apply((this.cluster != null) ? this.cluster.delivery(local) : local);
		this.occupancy = new GroupOccupancy(this::incarnation, new OccupancyListener());
		this.writers = (builder.writers != null) ? builder.writers
				: new WriterThreads(WriterThreads.defaultCount(), NotifierThreads.named("notifier-writer"));
		this.groups = new GroupIndex(this.occupancy, this.writers, this.options);
		this.sharedHistory = (this.cluster != null) ? this.cluster.sharedHistory() : null;
		this.history = new GroupHistory(builder.history, this.options.nanoClock(),
				(this.sharedHistory != null) ? this::loadSharedHistory : null);
		this.presence = new PresenceIndex(builder.presenceGroups, new PresenceListener());
		this.heartbeat = newHeartbeat();
		this.io = newIo();
	}

	/** A builder for an engine with these options and, unless told otherwise, no listeners, workers or encoder. */
	public static Builder builder(NotifierOptions options) {
		return new Builder(options);
	}

	private static ScheduledExecutorService newHeartbeat() {
		return new ScheduledThreadPoolExecutor(1, NotifierThreads.named("notifier-heartbeat"));
	}

	private static ExecutorService newIo() {
		// Threads here mostly wait on a peer that does not read, so there are more of them than cores. A connection
		// has at most three tasks queued here: one blocking ping (its one write in flight guards it) and two closes (the
		// close itself, and the forced close of a close that got stuck), so the queue is bounded by three times the
		// number of connections.
		int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
		ThreadPoolExecutor io = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), NotifierThreads.named("notifier-io"));
		io.allowCoreThreadTimeOut(true);
		return io;
	}

	/**
	 * Resolves the listeners and worker factories, starts the heartbeat sweep and accepts connections. An engine that
	 * was {@link #shutdown} starts again with new threads, as a Spring lifecycle restart ({@code stop()} then
	 * {@code start()}) expects.
	 * @throws IllegalArgumentException if the group pattern of a listener or worker factory is invalid
	 */
	public synchronized void start() {
		if (this.running) {
			return;
		}
		this.listeners = this.listenerSource.get()
			.stream()
			.map((listener) -> new ListenerBinding(GroupPattern.compile(listener.groupPattern()), listener))
			.toList();
		this.workers = new GroupWorkers(this.workerFactorySource.get(), this.workerOptions, this, this.statistics,
				this.cluster);
		if (this.heartbeat.isShutdown()) {
			this.heartbeat = newHeartbeat();
			this.io = newIo();
		}
		this.writers.start();
		this.occupancy.start();
		this.presence.start();
		this.running = true;
		if (this.cluster != null) {
			this.cluster.start(new Node());
		}
		long period = sweepPeriod().toNanos();
		this.heartbeat.scheduleAtFixedRate(this::sweepSafely, period, period, TimeUnit.NANOSECONDS);
		this.heartbeat.scheduleWithFixedDelay(this::sweepHistory, 1, 1, TimeUnit.SECONDS);
		if (this.reauthorizer != null && this.reauthorizeInterval != null) {
			// A thread of its own: an authorizer may block on a lookup, which must hold up neither heartbeats nor
			// container threads.
			ScheduledThreadPoolExecutor reauthorization = new ScheduledThreadPoolExecutor(1,
					NotifierThreads.named("notifier-reauthorize"));
			long interval = this.reauthorizeInterval.toNanos();
			reauthorization.scheduleWithFixedDelay(this::reauthorizeSafely, interval, interval, TimeUnit.NANOSECONDS);
			this.reauthorization = reauthorization;
		}
	}

	/** Drops expired history, and the streams of groups with neither history nor sessions; on the sweep thread and in tests. */
	void sweepHistory() {
		try {
			this.history.sweep((group) -> this.groups.sessionCount(group) > 0);
		}
		catch (RuntimeException ex) {
			logger.error("Expiring group histories failed", ex);
		}
	}

	/** Whether the engine accepts connections. */
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Stops accepting connections, stops every worker (waiting up to the workers' stop grace), closes every session
	 * with the status after writing out what is queued for it, waits up to {@code grace} for the connections to
	 * close, then stops the engine's threads.
	 * @throws IllegalArgumentException if the status cannot be sent in a close frame; nothing is stopped then
	 */
	public synchronized void shutdown(CloseStatus status, Duration grace) {
		status.requireSendable();
		this.running = false;
		ScheduledExecutorService reauthorization = this.reauthorization;
		if (reauthorization != null) {
			reauthorization.shutdownNow();
			this.reauthorization = null;
		}
		GroupWorkers workers = this.workers;
		if (workers != null) {
			workers.shutdown();
		}
		// Only this instance goes away: its sessions reconnect to the others, which stay open.
		this.draining = true;
		closeEach(new ArrayList<>(this.sessionsById.values()), status);
		long deadline = System.nanoTime() + grace.toNanos();
		synchronized (this.connected) {
			while (!this.connected.isEmpty() && System.nanoTime() < deadline) {
				try {
					this.connected.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					break;
				}
			}
		}
		this.draining = false;
		// Before the cluster stops: a leave from now on could no longer be checked against the other instances.
		this.presence.stop();
		if (this.cluster != null) {
			this.cluster.stop();
		}
		this.occupancy.stop();
		this.writers.stop();
		this.heartbeat.shutdownNow();
		this.io.shutdown();
	}

	/**
	 * Registers a new connection in the group of its handshake and tells the listeners.
	 * @return the connection, to which the container reports what arrives
	 */
	public Connection open(HandshakeInfo handshake, Transport transport) {
		transport.limitInboundMessageSize(this.options.maxInboundMessageSize());
		DefaultNotifierSession session = new DefaultNotifierSession(handshake, transport, this,
				listenersFor(handshake.group()), this.writers, this.nextWriterSlot.getAndIncrement(), Instant.now(),
				this.options.nanoClock().getAsLong());
		Instant expiresAt = this.sessionExpiry.expiresAt(handshake);
		if (expiresAt != null) {
			session.expireAt(this.options.nanoClock().getAsLong() + nanosUntil(expiresAt));
		}
		this.connected.add(session);
		this.statistics.connectionOpened();
		this.sessionsById.put(session.id(), session);
		this.users.add(session);
		boolean goesOn = join(session, handshake);
		this.presence.join(session);
		// Checked after registering: a shutdown that began meanwhile saw this session, is seen here, or both. While
		// the shutdown drains, closed gracefully as the shutdown closes it: a session it drains, or is about to, goes on
		// writing out what was broadcast to it, which closing it at once would drop. After, a session the shutdown
		// did not close is closed at once: the engine's threads and its close timeout have stopped, and nothing would
		// end a close that waits for its peer.
		if (!this.running) {
			if (this.draining) {
				session.close(CloseStatus.GOING_AWAY);
			}
			else if (session.isOpen()) {
				session.closeNow(CloseStatus.GOING_AWAY);
			}
			return session;
		}
		if (goesOn) {
			session.connected();
		}
		return session;
	}

	/**
	 * Adds a session to its group; in a group with history, under the stream's monitor, after working out where its
	 * messages continue from.
	 * @return whether the session goes on now; {@code false} if it waits for its group's shared history to load, and
	 * the listeners hear {@code onConnect} then, on an I/O thread
	 */
	private boolean join(DefaultNotifierSession session, HandshakeInfo handshake) {
		String group = handshake.group();
		if (!this.history.covers(group)) {
			session.continueWithoutHistory();
			this.groups.join(session);
			return true;
		}
		StreamPosition asked = askedPosition(handshake);
		return this.history.join(group, asked, new GroupHistory.Joiner() {

			@Override
			public void join() {
				NotifierEngine.this.groups.join(session);
			}

			@Override
			public void continueAt(HistoryStream stream, long continueAfter, boolean recovered) {
				session.continueStream(stream, continueAfter, recovered, asked != null);
			}

			@Override
			public void unparked() {
				runBlocking(session::connected);
			}

		});
	}

	private CompletionStage<SharedHistory.Loaded> loadSharedHistory(String group) {
		return this.sharedHistory.load(group, this.history.options());
	}

	/** The position a session asks to resume from; the handshake refuses a malformed one before it gets here. */
	private static @Nullable StreamPosition askedPosition(HandshakeInfo handshake) {
		try {
			return NotifierProtocol.resumePosition(handshake);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	@Override
	public boolean startWorker(String group, Duration keepAlive) {
		if (keepAlive.isNegative()) {
			throw new IllegalArgumentException("The keep-alive of a worker must not be negative: " + keepAlive);
		}
		GroupWorkers workers = this.workers;
		return this.running && workers != null && workers.start(validGroup(group), keepAlive);
	}

	@Override
	public boolean stopWorker(String group) {
		GroupWorkers workers = this.workers;
		return workers != null && workers.stop(group);
	}

	/** The cluster this engine is a member of, or {@code null} if it stands alone. */
	public @Nullable NotifierCluster cluster() {
		return this.cluster;
	}

	/** The running workers, by group name. */
	public List<WorkerInfo> workers() {
		GroupWorkers workers = this.workers;
		return (workers != null) ? workers.workers() : List.of();
	}

	/** The worker of a group, if one runs. */
	public Optional<WorkerInfo> worker(String group) {
		GroupWorkers workers = this.workers;
		return (workers != null) ? workers.worker(group) : Optional.empty();
	}

	@Override
	public int broadcast(String group, Object message) {
		return this.delivery.deliver(Broadcast.toGroup(validGroup(group), encode(message)));
	}

	@Override
	public int broadcastAll(Object message) {
		return this.delivery.deliver(Broadcast.toAll(encode(message)));
	}

	@Override
	public int broadcastFilter(String group, Object message, Predicate<? super NotifierSession> filter) {
		return this.delivery.deliver(Broadcast.toGroupFiltered(validGroup(group), encode(message), filter));
	}

	@Override
	public int broadcastOthers(NotifierSession sender, Object message) {
		return this.delivery.deliver(Broadcast.toOthers(sender, encode(message)));
	}

	@Override
	public int broadcastMultiple(Collection<? extends NotifierSession> sessions, Object message) {
		return this.delivery.deliver(Broadcast.toSessions(sessions, encode(message)));
	}

	/**
	 * Delivers a broadcast to this instance's sessions: the innermost {@link Delivery}.
	 * @return how many sessions the message was queued for
	 */
	private int deliverLocally(Broadcast broadcast) {
		long started = System.nanoTime();
		int queued = deliverLocally(broadcast, broadcast.message());
		this.statistics.broadcastDelivered(System.nanoTime() - started);
		return queued;
	}

	private int deliverLocally(Broadcast broadcast, OutboundMessage message) {
		return switch (broadcast.target()) {
			case GROUP -> deliverToGroup(broadcast.group(), message, null);
			case ALL -> {
				// With a shared history every instance delivers to all on its own: each recording it would record it
				// once per instance.
				int queued = 0;
				for (String group : this.groups.names()) {
					queued += (this.sharedHistory == null) ? deliverToGroup(group, message, null)
							: this.groups.deliver(group, Envelope.of(message), null);
				}
				yield queued;
			}
			case GROUP_FILTER -> this.groups.deliverFiltered(broadcast.group(), Envelope.of(message), broadcast.filter());
			case GROUP_OTHERS -> deliverToGroup(broadcast.group(), message, broadcast.sessions().get(0));
			case SESSIONS -> {
				int queued = 0;
				for (NotifierSession session : broadcast.sessions()) {
					if (session instanceof DefaultNotifierSession own && own.engineIs(this) && own.send(message)) {
						queued++;
					}
				}
				yield queued;
			}
		};
	}

	/**
	 * Delivers a broadcast to a group's members, recording it first if the group keeps history. Filtered broadcasts
	 * and messages to given sessions are not recorded: a replay could not tell whom they were for.
	 */
	private int deliverToGroup(String group, OutboundMessage message, @Nullable NotifierSession except) {
		if (!this.history.covers(group)) {
			return this.groups.deliver(group, Envelope.of(message), except);
		}
		if (this.sharedHistory == null) {
			return this.history.record(group, message, (except != null) ? except.id() : null,
					(recorded) -> this.groups.deliver(group, recorded, except));
		}
		// Delivered here, as everywhere, once the cluster hands it back recorded.
		if (this.sharedHistory.record(group, message, (except != null) ? except.id() : null, this.history.options())) {
			return this.groups.sessionCount(group);
		}
		return this.groups.deliver(group, Envelope.of(message), except);
	}

	@Override
	public int sendToUser(String user, Object message) {
		UserIndex.requireValid(user);
		OutboundMessage encoded = encode(message);
		int queued = sendToUserLocally(user, encoded);
		if (this.cluster != null) {
			this.cluster.sentToUser(user, encoded);
		}
		return queued;
	}

	private int sendToUserLocally(String user, OutboundMessage message) {
		int queued = 0;
		for (DefaultNotifierSession session : this.users.sessions(user)) {
			if (session.send(message)) {
				queued++;
			}
		}
		return queued;
	}

	@Override
	public int closeUser(String user, CloseStatus status) {
		UserIndex.requireValid(user);
		status.requireSendable();
		if (this.cluster != null) {
			this.cluster.closedUser(user, status);
		}
		return closeEach(this.users.sessions(user), status);
	}

	@Override
	public int close(String group, CloseStatus status) {
		status.requireSendable();
		if (this.cluster != null) {
			this.cluster.closed(group, status);
		}
		return closeLocally(group, status);
	}

	@Override
	public int closeAll(CloseStatus status) {
		status.requireSendable();
		if (this.cluster != null) {
			this.cluster.closed(null, status);
		}
		return closeLocally(null, status);
	}

	/**
	 * Closes a group's sessions, or every session, on this instance only.
	 * @param group the group, or {@code null} for every session
	 * @return how many sessions were closed
	 */
	private int closeLocally(@Nullable String group, CloseStatus status) {
		if (group == null) {
			return closeEach(new ArrayList<>(this.sessionsById.values()), status);
		}
		return closeEach(this.groups.sessions(group), status);
	}

	private int closeEach(List<? extends NotifierSession> sessions, CloseStatus status) {
		int closed = 0;
		for (NotifierSession session : sessions) {
			if (session.isOpen()) {
				session.close(status);
				closed++;
			}
		}
		return closed;
	}

	@Override
	public int sessionCount() {
		return this.sessionsById.size();
	}

	@Override
	public int sessionCount(String group) {
		return this.groups.sessionCount(group);
	}

	@Override
	public Set<String> groups() {
		return this.groups.names();
	}

	@Override
	public List<NotifierSession> sessions(String group) {
		return this.groups.sessions(group);
	}

	@Override
	public Optional<NotifierSession> session(String id) {
		return Optional.ofNullable(this.sessionsById.get(id));
	}

	@Override
	public Presence presence(String group) {
		if (!this.presence.tracks(validGroup(group))) {
			throw new IllegalArgumentException("The group '" + group + "' has no presence: no presence group pattern "
					+ "matches it (notifier.presence.groups)");
		}
		if (this.cluster == null) {
			return this.presence.local(group);
		}
		Map<String, Integer> everywhere = this.cluster.presence(group);
		if (everywhere == null) {
			Presence local = this.presence.local(group);
			return new Presence(group, local.sessions(), local.users(), false);
		}
		Map<String, Integer> users = new HashMap<>(everywhere);
		users.remove(PresenceIndex.ANONYMOUS);
		int sessions = everywhere.values().stream().mapToInt(Integer::intValue).sum();
		return new Presence(group, sessions, users, true);
	}

	/** Whether a group has presence: a presence group pattern matches it. */
	public boolean hasPresence(String group) {
		return this.presence.tracks(group);
	}

	/**
	 * The sequence number of the latest broadcast to a group on this instance. Every broadcast that reaches the group's
	 * sessions ({@code GROUP}, {@code GROUP_FILTER}, {@code GROUP_OTHERS}, and {@code ALL} once per group) takes the
	 * group's next number, whether or not a session takes the message, at the moment it is appended to every
	 * session's queue: every session of the group receives the group's broadcasts in the order of these numbers, even
	 * with concurrent publishers. Numbers keep growing across the group emptying and coming back, with nothing kept for
	 * an empty group: a group starts from the wall clock in microseconds, so a later incarnation starts above an
	 * earlier one unless that one averaged more than one broadcast per microsecond.
	 * @return the number, or 0 for a group with no open session
	 */
	public long sequence(String group) {
		return this.groups.sequence(group);
	}

	private long incarnation(String group) {
		return this.groups.incarnation(group);
	}

	/** What the history of each group that keeps one holds, by group name. */
	public List<HistoryInfo> histories() {
		return this.history.describe();
	}

	/** What a group's history holds, if the group keeps one and it has begun. */
	public Optional<HistoryInfo> history(String group) {
		return this.history.describe(group);
	}

	/** The number of groups with at least one open session. */
	public int groupCount() {
		return this.groups.groupCount();
	}

	/** What the engine has done since it was created, for metrics. */
	public NotifierStatistics statistics() {
		return this.statistics;
	}

	/** The settings this engine was built with. */
	public NotifierOptions options() {
		return this.options;
	}

	OutboundMessage encode(Object message) {
		return OutboundMessage.of(message, this.encoder);
	}

	/**
	 * Runs the heartbeat and send-timeout checks over every connection, and closes those whose credentials have
	 * expired; called by the sweep thread and by tests.
	 */
	void sweep() {
		long now = this.options.nanoClock().getAsLong();
		for (DefaultNotifierSession session : this.connected) {
			session.sweep(now);
			if (session.expired(now) && session.isOpen()) {
				session.close(SessionExpiry.EXPIRED);
			}
		}
	}

	/** The nanoseconds from now until a wall-clock instant, 0 if it has passed, saturated rather than overflowing. */
	private static long nanosUntil(Instant instant) {
		Duration remaining = Duration.between(Instant.now(), instant);
		if (remaining.isNegative()) {
			return 0;
		}
		return (remaining.compareTo(MAX_EXPIRY) > 0) ? MAX_EXPIRY.toNanos() : remaining.toNanos();
	}

	/**
	 * Asks the re-authorizer again about every open session, closing those it refuses with
	 * {@link #NOT_AUTHORIZED}; runs on the re-authorization thread. A failing authorizer keeps the session open: an
	 * outage of what it consults must not close every session.
	 */
	void reauthorize() {
		GroupAuthorizer authorizer = this.reauthorizer;
		if (authorizer == null) {
			return;
		}
		for (DefaultNotifierSession session : new ArrayList<>(this.sessionsById.values())) {
			if (!session.isOpen()) {
				continue;
			}
			try {
				if (!authorizer.authorize(session.handshake())) {
					session.close(NOT_AUTHORIZED);
				}
			}
			catch (RuntimeException ex) {
				logger.warn("Re-authorizing {} failed; it stays open until the next round", session, ex);
			}
		}
	}

	private void reauthorizeSafely() {
		try {
			reauthorize();
		}
		catch (RuntimeException ex) {
			logger.error("Re-authorization failed; it runs again in the next period", ex);
		}
	}

	private void sweepSafely() {
		try {
			sweep();
		}
		catch (RuntimeException ex) {
			logger.error("Heartbeat sweep failed; it runs again in the next period", ex);
		}
	}

	private Duration sweepPeriod() {
		Duration shortest = this.options.sendTimeout();
		if (this.options.heartbeatEnabled()) {
			shortest = min(shortest, min(this.options.heartbeatInterval(), this.options.heartbeatTimeout()));
		}
		Duration period = shortest.dividedBy(4);
		return (period.compareTo(MIN_SWEEP_PERIOD) < 0) ? MIN_SWEEP_PERIOD : min(period, MAX_SWEEP_PERIOD);
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	/** Appends to a session the broadcasts its group owes it, before a message of its own or its close. */
	void appendPendingBroadcasts(DefaultNotifierSession session) {
		this.groups.appendPending(session);
	}

	/** Takes a session out of its group; called once it starts closing, and again, harmlessly, when it is closed. */
	void leave(DefaultNotifierSession session) {
		this.sessionsById.remove(session.id(), session);
		this.users.remove(session);
		this.groups.leave(session);
		if (this.sharedHistory != null && this.groups.sessionCount(session.group()) == 0) {
			this.history.forget(session.group(), (group) -> this.groups.sessionCount(group) > 0);
		}
		this.presence.leave(session);
	}

	void sessionClosed(DefaultNotifierSession session, CloseStatus status) {
		this.statistics.connectionClosed(status.code());
		synchronized (this.connected) {
			this.connected.remove(session);
			if (this.connected.isEmpty()) {
				this.connected.notifyAll();
			}
		}
		logger.debug("{} closed with {}", session, status);
	}

	void closeTransport(Transport transport, CloseStatus status) {
		Runnable close = () -> {
			try {
				transport.close(status);
			}
			catch (RuntimeException ex) {
				logger.debug("Closing a connection with {} failed", status, ex);
			}
		};
		runBlocking(close);
	}

	/** Runs a task that may block on a peer (a ping, a close frame) on the engine's I/O threads. */
	void runBlocking(Runnable task) {
		try {
			this.io.execute(task);
		}
		catch (RejectedExecutionException ex) {
			task.run();
		}
	}

	/** Runs one listener callback, so that a failing listener is logged and reported instead of breaking the caller. */
	void notify(DefaultNotifierSession session, NotifierListener listener, Runnable callback) {
		try {
			callback.run();
		}
		catch (RuntimeException ex) {
			logger.warn("Listener {} failed for {}", listener.getClass().getName(), session, ex);
			for (ListenerBinding binding : this.listeners) {
				if (binding.pattern().matches(session.group())) {
					try {
						binding.listener().onError(session, ex);
					}
					catch (RuntimeException nested) {
						logger.warn("Listener {} failed in onError for {}", binding.listener().getClass().getName(),
								session, nested);
					}
				}
			}
		}
	}

	private NotifierListener[] listenersFor(String group) {
		return this.listeners.stream()
			.filter((binding) -> binding.pattern().matches(group))
			.map(ListenerBinding::listener)
			.toArray(NotifierListener[]::new);
	}

	private String validGroup(String group) {
		return GroupNames.requireValid(group, this.options.maxGroupLength());
	}

	private record ListenerBinding(GroupPattern pattern, NotifierListener listener) {
	}

	/** What the cluster may call back: this instance's sessions and workers, never its publishing path. */
	private final class Node implements ClusterNode {

		@Override
		public int deliver(@Nullable String group, OutboundMessage message) {
			if (group != null && sharedHistory != null && history.covers(group)) {
				// Another instance could not record it: it reaches the sessions here without a position.
				return NotifierEngine.this.groups.deliver(group, Envelope.of(message), null);
			}
			return deliverLocally((group != null) ? Broadcast.toGroup(group, message) : Broadcast.toAll(message));
		}

		@Override
		public void deliverRecorded(String group, StreamPosition position, OutboundMessage message,
				@Nullable String exceptSession) {
			NotifierSession except = (exceptSession != null) ? sessionsById.get(exceptSession) : null;
			long started = System.nanoTime();
			GroupHistory.SharedRecord recorded = history.recordShared(group, position, message, exceptSession,
					(envelope) -> NotifierEngine.this.groups.deliver(group, envelope, except));
			if (recorded == GroupHistory.SharedRecord.DELIVERED) {
				statistics.broadcastDelivered(System.nanoTime() - started);
			}
			else if (recorded == GroupHistory.SharedRecord.GAP) {
				closeLocally(group, HISTORY_GAP);
			}
		}

		@Override
		public boolean keepsHistory(String group) {
			return history.covers(group);
		}

		@Override
		public int close(@Nullable String group, CloseStatus status) {
			return closeLocally(group, status);
		}

		@Override
		public int deliverToUser(String user, OutboundMessage message) {
			return sendToUserLocally(user, message);
		}

		@Override
		public int closeUser(String user, CloseStatus status) {
			return closeEach(NotifierEngine.this.users.sessions(user), status);
		}

		@Override
		public void resendPresence() {
			NotifierEngine.this.presence.resend();
		}

		@Override
		public Set<String> groups() {
			return NotifierEngine.this.groups();
		}

		@Override
		public boolean hasSessions(String group) {
			return sessionCount(group) > 0;
		}

		@Override
		public boolean hasWorker(String group) {
			return worker(group).isPresent();
		}

		@Override
		public boolean startWorker(String group) {
			return NotifierEngine.this.startWorker(group);
		}

		@Override
		public boolean stopWorker(String group) {
			return NotifierEngine.this.stopWorker(group);
		}

	}

	/** Passes a group's first session and its last on to the cluster and the workers, on the occupancy thread. */
	private final class OccupancyListener implements GroupOccupancy.Listener {

		@Override
		public void groupOccupied(String group) {
			if (NotifierEngine.this.cluster != null) {
				NotifierEngine.this.cluster.groupOccupied(group);
			}
			GroupWorkers workers = NotifierEngine.this.workers;
			if (workers != null) {
				workers.groupOccupied(group);
			}
		}

		@Override
		public void groupEmptied(String group) {
			if (NotifierEngine.this.cluster != null) {
				NotifierEngine.this.cluster.groupEmptied(group);
			}
			GroupWorkers workers = NotifierEngine.this.workers;
			if (workers != null) {
				workers.groupEmptied(group);
			}
		}

	}

	/** Passes presence changes on to the cluster and the listeners, on the presence thread. */
	private final class PresenceListener implements PresenceIndex.Listener {

		@Override
		public boolean changed(String group, String user, int sessions) {
			NotifierCluster cluster = NotifierEngine.this.cluster;
			return cluster == null || cluster.presenceChanged(group, user, sessions);
		}

		@Override
		public void joined(String group, String user) {
			announce(group, user, true);
		}

		@Override
		public void left(String group, String user) {
			announce(group, user, false);
		}

		private void announce(String group, String user, boolean joined) {
			for (NotifierListener listener : listenersFor(group)) {
				try {
					if (joined) {
						listener.onPresenceJoin(group, user);
					}
					else {
						listener.onPresenceLeave(group, user);
					}
				}
				catch (RuntimeException ex) {
					logger.warn("Listener {} failed for the presence of '{}' in group '{}'",
							listener.getClass().getName(), user, group, ex);
				}
			}
		}

	}

	/** Builds a {@link NotifierEngine}; not thread-safe. */
	public static final class Builder {

		private final NotifierOptions options;

		private MessageEncoder encoder = MessageEncoder.NONE;

		private Supplier<? extends List<? extends NotifierListener>> listeners = List::of;

		private Supplier<? extends List<? extends GroupWorkerFactory>> workerFactories = List::of;

		private WorkerOptions workerOptions = WorkerOptions.defaults();

		private UnaryOperator<Delivery> deliveryDecorator = UnaryOperator.identity();

		private @Nullable NotifierCluster cluster;

		private @Nullable WriteScheduler writers;

		private HistoryOptions history = HistoryOptions.none();

		private List<String> presenceGroups = List.of();

		private SessionExpiry sessionExpiry = SessionExpiry.NEVER;

		private @Nullable GroupAuthorizer reauthorizer;

		private @Nullable Duration reauthorizeInterval;

		private Builder(NotifierOptions options) {
			this.options = options;
		}

		/** Encodes objects that are neither text nor bytes; without one, such objects are refused. */
		public Builder encoder(MessageEncoder encoder) {
			this.encoder = encoder;
			return this;
		}

		/**
		 * Adds listeners, each limited to its group pattern, after those of earlier calls. The supplier is called when
		 * the engine starts, so a listener may itself depend on the engine.
		 */
		public Builder listeners(Supplier<? extends List<? extends NotifierListener>> listeners) {
			Supplier<? extends List<? extends NotifierListener>> earlier = this.listeners;
			this.listeners = () -> {
				List<NotifierListener> all = new ArrayList<>(earlier.get());
				all.addAll(listeners.get());
				return all;
			};
			return this;
		}

		/**
		 * The worker factories, the first matching one serving a group, and the workers' settings. The supplier is
		 * called when the engine starts.
		 */
		public Builder workers(Supplier<? extends List<? extends GroupWorkerFactory>> factories, WorkerOptions options) {
			this.workerFactories = factories;
			this.workerOptions = options;
			return this;
		}

		/**
		 * Wraps the engine's local delivery (and the cluster's, if any); each call wraps what earlier calls made, so
		 * the last decorator sees a broadcast first. By default broadcasts reach this instance's sessions only.
		 */
		public Builder delivery(UnaryOperator<Delivery> decorator) {
			UnaryOperator<Delivery> earlier = this.deliveryDecorator;
			this.deliveryDecorator = (local) -> decorator.apply(earlier.apply(local));
			return this;
		}

		/** Which groups keep a history of their broadcasts, and how much; by default none. */
		public Builder history(HistoryOptions history) {
			this.history = history;
			return this;
		}

		/** Makes this engine one of a cluster sharing its groups; by default it stands alone. */
		public Builder cluster(NotifierCluster cluster) {
			this.cluster = cluster;
			return this;
		}

		/**
		 * The groups with presence ({@link GroupNotifier#presence}, {@link NotifierListener#onPresenceJoin}), by group
		 * pattern; by default none.
		 * @throws IllegalArgumentException if a pattern is not a valid group pattern
		 */
		public Builder presence(List<String> groupPatterns) {
			groupPatterns.forEach(GroupPattern::compile);
			this.presenceGroups = List.copyOf(groupPatterns);
			return this;
		}

		/**
		 * When the credentials of each session expire: the engine closes a session with
		 * {@link SessionExpiry#EXPIRED} once they have. By default no session expires.
		 */
		public Builder sessionExpiry(SessionExpiry sessionExpiry) {
			this.sessionExpiry = sessionExpiry;
			return this;
		}

		/**
		 * Asks the authorizer again about every open session at this interval, on a {@code notifier-reauthorize}
		 * thread, and closes those it refuses with {@link NotifierEngine#NOT_AUTHORIZED}. The authorizer sees the
		 * handshake as it was; by default nothing is asked again.
		 * @throws IllegalArgumentException if the interval is not positive
		 */
		public Builder reauthorize(GroupAuthorizer authorizer, Duration interval) {
			if (interval.isNegative() || interval.isZero()) {
				throw new IllegalArgumentException("The re-authorization interval must be positive: " + interval);
			}
			this.reauthorizer = authorizer;
			this.reauthorizeInterval = interval;
			return this;
		}

		/** Where ready sessions are written; by default the engine's own writer threads. For tests. */
		Builder writers(WriteScheduler writers) {
			this.writers = writers;
			return this;
		}

		public NotifierEngine build() {
			return new NotifierEngine(this);
		}

	}

}
