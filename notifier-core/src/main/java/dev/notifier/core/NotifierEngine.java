package dev.notifier.core;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * <li>one {@code notifier-heartbeat} thread runs the periodic sweep (pings due, silent peers, stuck writes, close
 * handshakes that do not finish) and the rare hand-off of a send whose completions kept nesting on one thread;</li>
 * <li>a small pool of {@code notifier-io-N} threads sends pings and close frames, because a container may only offer
 * blocking forms of those (Jakarta WebSocket) and may block while closing a connection whose peer does not read;</li>
 * <li>the worker threads of {@link GroupWorkers}: {@code notifier-worker-tick-N} for periodic workers and timers, and
 * the bounded pool of blocking workers.</li>
 * </ul>
 * Everything else runs on the caller's thread (broadcasts) or the container's (inbound messages, send completions).
 * Every public method is safe to call from any thread.
 */
public final class NotifierEngine implements GroupNotifier {

	private static final Logger logger = LoggerFactory.getLogger(NotifierEngine.class);

	private static final Duration MIN_SWEEP_PERIOD = Duration.ofMillis(10);

	private static final Duration MAX_SWEEP_PERIOD = Duration.ofSeconds(1);

	/** Runs the hand-offs of every engine that is shut down: one daemon thread at most, gone after 10s idle. */
	private static final ThreadPoolExecutor DRAIN = newDrain();

	private final NotifierOptions options;

	private final MessageEncoder encoder;

	private final Supplier<? extends List<? extends NotifierListener>> listenerSource;

	private final Supplier<? extends List<? extends GroupWorkerFactory>> workerFactorySource;

	private final WorkerOptions workerOptions;

	private final Delivery delivery;

	private final @Nullable NotifierCluster cluster;

	/** Resolved from the source at {@link #start()}, so listeners may themselves depend on the engine. */
	private volatile List<ListenerBinding> listeners = List.of();

	/** Created at {@link #start()}; {@code null} until then. */
	private volatile @Nullable GroupWorkers workers;

	/** Open sessions by group; a group exists exactly while it has an open session. */
	private final ConcurrentHashMap<String, Group> groups = new ConcurrentHashMap<>();

	/** Open sessions by id. */
	private final ConcurrentHashMap<String, DefaultNotifierSession> sessionsById = new ConcurrentHashMap<>();

	/** Every session whose connection the container has not yet reported closed, open or not. */
	private final Set<DefaultNotifierSession> connected = ConcurrentHashMap.newKeySet();

	/** Replaced by {@link #start()} after a {@link #shutdown}, so that a stopped engine can be started again. */
	private volatile ScheduledExecutorService heartbeat;

	private volatile ExecutorService io;

	private final NotifierStatistics statistics = new NotifierStatistics();

	/** The sequence number the latest group started from; see {@link #newSequenceSeed()}. */
	private final AtomicLong lastSequenceSeed = new AtomicLong();

	private volatile boolean running;

	private NotifierEngine(Builder builder) {
		this.options = builder.options;
		this.encoder = builder.encoder;
		this.listenerSource = builder.listeners;
		this.workerFactorySource = builder.workerFactories;
		this.workerOptions = builder.workerOptions;
		this.cluster = builder.cluster;
		Delivery local = this::deliverLocally;
		this.delivery = builder.deliveryDecorator.apply((this.cluster != null) ? this.cluster.delivery(local) : local);
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

	private static ThreadPoolExecutor newDrain() {
		ThreadPoolExecutor drain = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				NotifierThreads.named("notifier-drain"));
		drain.allowCoreThreadTimeOut(true);
		return drain;
	}

	private static ExecutorService newIo() {
		// Threads here mostly wait on a peer that does not read, so there are more of them than cores. A connection
		// has at most three tasks queued here: one blocking ping (its writer role guards it) and two closes (the
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
		this.running = true;
		if (this.cluster != null) {
			this.cluster.start(new Node());
		}
		long period = sweepPeriod().toNanos();
		this.heartbeat.scheduleAtFixedRate(this::sweepSafely, period, period, TimeUnit.NANOSECONDS);
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
		GroupWorkers workers = this.workers;
		if (workers != null) {
			workers.shutdown();
		}
		// Only this instance goes away: its sessions reconnect to the others, which stay open.
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
		if (this.cluster != null) {
			this.cluster.stop();
		}
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
				listenersFor(handshake.group()), Instant.now(), this.options.nanoClock().getAsLong());
		this.connected.add(session);
		this.statistics.connectionOpened();
		this.sessionsById.put(session.id(), session);
		boolean[] created = new boolean[1];
		this.groups.compute(handshake.group(), (name, group) -> {
			created[0] = (group == null);
			Group joined = created[0] ? new Group(newSequenceSeed()) : group;
			joined.sessions.add(session);
			return joined;
		});
		// Checked after registering: a shutdown that began meanwhile either saw this session or is seen here.
		if (!this.running) {
			session.closeNow(CloseStatus.GOING_AWAY);
			return session;
		}
		session.connected();
		if (created[0] && this.cluster != null) {
			this.cluster.groupOccupied(handshake.group());
		}
		GroupWorkers workers = this.workers;
		if (created[0] && workers != null) {
			workers.groupOccupied(handshake.group());
		}
		return session;
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
			case GROUP -> deliverToGroup(this.groups.get(broadcast.group()), message, (session) -> true);
			case ALL -> {
				int queued = 0;
				for (Group group : this.groups.values()) {
					queued += deliverToGroup(group, message, (session) -> true);
				}
				yield queued;
			}
			case GROUP_FILTER -> deliverToGroup(this.groups.get(broadcast.group()), message, broadcast.filter());
			case GROUP_OTHERS -> {
				NotifierSession sender = broadcast.sessions().get(0);
				yield deliverToGroup(this.groups.get(broadcast.group()), message, (session) -> session != sender);
			}
			case SESSIONS -> {
				int queued = 0;
				for (NotifierSession session : broadcast.sessions()) {
					if (session instanceof DefaultNotifierSession own && own.engineIs(this) && own.offer(message)) {
						queued++;
					}
				}
				yield queued;
			}
		};
	}

	private int deliverToGroup(@Nullable Group group, OutboundMessage message,
			@Nullable Predicate<? super NotifierSession> filter) {
		if (group == null) {
			return 0;
		}
		group.sequence.incrementAndGet();
		int queued = 0;
		for (DefaultNotifierSession session : group.sessions) {
			if ((filter == null || filter.test(session)) && session.offer(message)) {
				queued++;
			}
		}
		return queued;
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
		Group members = this.groups.get(group);
		return (members != null) ? closeEach(new ArrayList<>(members.sessions), status) : 0;
	}

	private int closeEach(List<DefaultNotifierSession> sessions, CloseStatus status) {
		int closed = 0;
		for (DefaultNotifierSession session : sessions) {
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
		Group members = this.groups.get(group);
		return (members != null) ? members.sessions.size() : 0;
	}

	@Override
	public Set<String> groups() {
		return Set.copyOf(this.groups.keySet());
	}

	@Override
	public List<NotifierSession> sessions(String group) {
		Group members = this.groups.get(group);
		return (members != null) ? List.copyOf(members.sessions) : List.of();
	}

	@Override
	public Optional<NotifierSession> session(String id) {
		return Optional.ofNullable(this.sessionsById.get(id));
	}

	/**
	 * The sequence number of the latest broadcast to a group on this instance, for a history or resume layer behind
	 * the {@link Delivery} seam: every broadcast that reaches the group's sessions ({@code GROUP},
	 * {@code GROUP_FILTER}, {@code GROUP_OTHERS}, and {@code ALL} once per group) adds one, whether or not a session
	 * takes the message. Numbers keep growing across the group emptying and coming back, with nothing kept for an
	 * empty group: a group starts from the wall clock in microseconds, so a later incarnation starts above an earlier
	 * one unless that one averaged more than one broadcast per microsecond. A decorator reads it after
	 * {@code local.deliver(..)} returns; with concurrent broadcasts to one group it may already count a later one.
	 * @return the number, or 0 for a group with no open session
	 */
	public long sequence(String group) {
		Group members = this.groups.get(group);
		return (members != null) ? members.sequence.get() : 0;
	}

	/** The number of groups with at least one open session. */
	public int groupCount() {
		return this.groups.size();
	}

	/** What the engine has done since it was created, for metrics. */
	public NotifierStatistics statistics() {
		return this.statistics;
	}

	NotifierOptions options() {
		return this.options;
	}

	OutboundMessage encode(Object message) {
		return OutboundMessage.of(message, this.encoder);
	}

	/** Runs the heartbeat and send-timeout checks over every connection; called by the sweep thread and by tests. */
	void sweep() {
		long now = this.options.nanoClock().getAsLong();
		for (DefaultNotifierSession session : this.connected) {
			session.sweep(now);
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

	/** Takes a session out of its group; called once it starts closing, and again, harmlessly, when it is closed. */
	void leave(DefaultNotifierSession session) {
		this.sessionsById.remove(session.id(), session);
		boolean[] emptied = new boolean[1];
		this.groups.computeIfPresent(session.group(), (name, group) -> {
			emptied[0] = group.sessions.remove(session) && group.sessions.isEmpty();
			return group.sessions.isEmpty() ? null : group;
		});
		if (emptied[0] && this.cluster != null) {
			this.cluster.groupEmptied(session.group());
		}
		GroupWorkers workers = this.workers;
		if (emptied[0] && workers != null) {
			workers.groupEmptied(session.group());
		}
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

	void handOff(Runnable send) {
		try {
			this.heartbeat.execute(send);
		}
		catch (RejectedExecutionException ex) {
			// Shut down, with a session still draining. Running the send here would nest as deep as before and hand
			// it off again, forever: it continues on the one shared drain thread instead, never a thread per session.
			DRAIN.execute(send);
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

	/**
	 * The first sequence number of a group coming into existence. Nothing is kept for a group once it empties, so it
	 * starts from the wall clock in microseconds: a later incarnation of a group starts above every number of an
	 * earlier one unless the earlier one averaged more than one broadcast per microsecond (a million a second) over
	 * its whole life. {@code max} with the last seed plus one keeps seeds increasing if the clock steps back.
	 */
	private long newSequenceSeed() {
		long micros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
		return this.lastSequenceSeed.accumulateAndGet(micros, (last, clock) -> Math.max(last + 1, clock));
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
			return deliverLocally((group != null) ? Broadcast.toGroup(group, message) : Broadcast.toAll(message));
		}

		@Override
		public int close(@Nullable String group, CloseStatus status) {
			return closeLocally(group, status);
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

	/** The open sessions of one group, and the number of its latest broadcast. */
	private static final class Group {

		final Set<DefaultNotifierSession> sessions = ConcurrentHashMap.newKeySet();

		final AtomicLong sequence;

		Group(long seed) {
			this.sequence = new AtomicLong(seed);
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

		private Builder(NotifierOptions options) {
			this.options = options;
		}

		/** Encodes objects that are neither text nor bytes; without one, such objects are refused. */
		public Builder encoder(MessageEncoder encoder) {
			this.encoder = encoder;
			return this;
		}

		/**
		 * The listeners, each limited to its group pattern. The supplier is called when the engine starts, so a
		 * listener may itself depend on the engine.
		 */
		public Builder listeners(Supplier<? extends List<? extends NotifierListener>> listeners) {
			this.listeners = listeners;
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
		 * Wraps the engine's local delivery, for example with a cluster bus; by default broadcasts reach this
		 * instance's sessions only.
		 */
		public Builder delivery(UnaryOperator<Delivery> decorator) {
			this.deliveryDecorator = decorator;
			return this;
		}

		/** Makes this engine one of a cluster sharing its groups; by default it stands alone. */
		public Builder cluster(NotifierCluster cluster) {
			this.cluster = cluster;
			return this;
		}

		public NotifierEngine build() {
			return new NotifierEngine(this);
		}

	}

}
