package dev.notifier.core;

import java.time.Duration;
import java.time.Instant;
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
 * to the queues of its recipients (see {@link WriterThreads});</li>
 * <li>one {@code notifier-heartbeat} thread runs the periodic sweep (pings due, silent peers, stuck writes, close
 * handshakes that do not finish);</li>
 * <li>a small pool of {@code notifier-io-N} threads sends close frames, and pings where the container only offers a
 * blocking ping (Jakarta WebSocket), because a container may block while closing a connection whose peer does not
 * read;</li>
 * <li>one {@code notifier-groups} thread tells the cluster and the workers when a group gains its first session or
 * loses its last (see {@link GroupOccupancy});</li>
 * <li>the worker threads of {@link GroupWorkers}.</li>
 * </ul>
 * Everything else runs on the caller's thread (broadcasts) or the container's (inbound messages, send completions).
 * Every public method is safe to call from any thread.
 */
public final class NotifierEngine implements GroupNotifier {

	private static final Logger logger = LoggerFactory.getLogger(NotifierEngine.class);

	private static final Duration MIN_SWEEP_PERIOD = Duration.ofMillis(10);

	private static final Duration MAX_SWEEP_PERIOD = Duration.ofSeconds(1);

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
	private final GroupIndex groups;

	private final GroupOccupancy occupancy;

	private final WriteScheduler writers;

	/** Deals sessions out to the writer threads in turn. */
	private final AtomicInteger nextWriterSlot = new AtomicInteger();

	/** Open sessions by id. */
	private final ConcurrentHashMap<String, DefaultNotifierSession> sessionsById = new ConcurrentHashMap<>();

	/** Every session whose connection the container has not yet reported closed, open or not. */
	private final Set<DefaultNotifierSession> connected = ConcurrentHashMap.newKeySet();

	/** Replaced by {@link #start()} after a {@link #shutdown}, so that a stopped engine can be started again. */
	private volatile ScheduledExecutorService heartbeat;

	private volatile ExecutorService io;

	private final NotifierStatistics statistics = new NotifierStatistics();

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
		this.occupancy = new GroupOccupancy(this::incarnation, new OccupancyListener());
		this.groups = new GroupIndex(this.occupancy);
		this.writers = (builder.writers != null) ? builder.writers
				: new WriterThreads(WriterThreads.defaultCount(), NotifierThreads.named("notifier-writer"));
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
		this.connected.add(session);
		this.statistics.connectionOpened();
		this.sessionsById.put(session.id(), session);
		this.groups.join(session);
		// Checked after registering: a shutdown that began meanwhile either saw this session or is seen here.
		if (!this.running) {
			session.closeNow(CloseStatus.GOING_AWAY);
			return session;
		}
		session.connected();
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
			case GROUP -> this.groups.deliver(broadcast.group(), message, null);
			case ALL -> this.groups.deliverToAll(message);
			case GROUP_FILTER -> this.groups.deliverFiltered(broadcast.group(), message, broadcast.filter());
			case GROUP_OTHERS -> this.groups.deliver(broadcast.group(), message, broadcast.sessions().get(0));
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
		this.groups.leave(session);
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

		/** Makes this engine one of a cluster sharing its groups; by default it stands alone. */
		public Builder cluster(NotifierCluster cluster) {
			this.cluster = cluster;
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
