package dev.notifier.redis;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * The cluster's two Lettuce connections to Redis, opened with the client of the cluster's client source: one for
 * commands and publishes, one for pub/sub. Nothing else of the application uses them. With a {@link RedisClient}
 * (a standalone server, or one found through Sentinel) each is one connection; with a {@link RedisClusterClient}
 * each is Lettuce's cluster connection, which routes every command by the slot of its key, and every sharded
 * subscription to the node serving its channel's slot, over connections of its own to each node.
 *
 * <p><b>Connecting.</b> Both are opened together; when that fails (Redis down at startup), it tries again after
 * 100ms, doubling the wait after each failure up to {@link RedisClusterOptions#reconnectMaxDelay()}. Once open, a
 * connection that drops is reconnected by Lettuce itself, with the reconnect delay of its client resources, and
 * resubscribed by Lettuce to its channels; the {@link Listener}s then hear {@link Listener#reconnected()}. A
 * connection that Lettuce does not reconnect (auto-reconnect off) is found every third of the lease, and both are
 * opened afresh. {@link #unavailable()} says why Redis cannot be reached meanwhile. On a Redis Cluster, each change
 * of the topology that Lettuce finds (a failover, a resharding) is told to the listeners
 * ({@link Listener#topologyChanged()}) three times, 0.5, 2 and 10 seconds after it: Lettuce updates the routing of
 * its connections after publishing the event, and does not move sharded subscriptions to a slot's new node itself.
 *
 * <p>Threads: opening, the checks and the listeners' calls run on the cluster thread handed in, which may wait for
 * Redis. Lettuce calls the state listener on its event loop; it only records the problem and hands a reconnection to
 * the cluster thread. {@link #commands()}, {@link #pubSub()} and {@link #unavailable()} answer from memory, on any
 * thread. Guards the two connections and the backoff; the connections count as connected once both fields are set.
 */
final class RedisConnections {

	private static final Logger logger = LoggerFactory.getLogger(RedisConnections.class);

	private static final Duration FIRST_RECONNECT_DELAY = Duration.ofMillis(100);

	private static final Duration MAX_FIRST_CONNECT_WAIT = Duration.ofSeconds(2);

	private static final List<Duration> AFTER_TOPOLOGY_CHANGE = List.of(Duration.ofMillis(500), Duration.ofSeconds(2),
			Duration.ofSeconds(10));

	private final Supplier<? extends AbstractRedisClient> clientSource;

	private final String instanceId;

	private final Duration reconnectMaxDelay;

	private final Duration checkPeriod;

	private final RedisWait wait;

	private final ScheduledExecutorService clusterThread;

	private final List<Listener> listeners = new CopyOnWriteArrayList<>();

	private final StateListener stateListener = new StateListener();

	private volatile @Nullable AbstractRedisClient client;

	private volatile @Nullable StatefulConnection<byte[], byte[]> commandConnection;

	/** The asynchronous commands of {@link #commandConnection}, set and cleared with it. */
	private volatile @Nullable RedisClusterAsyncCommands<byte[], byte[]> commands;

	private volatile @Nullable StatefulRedisPubSubConnection<byte[], byte[]> pubSub;

	private volatile String lastProblem = "not connected to Redis yet";

	/**
	 * The subscription to the topology changes of a Redis Cluster client: made with the connections, on the cluster
	 * thread, and ended with them, so that connections opened afresh make it again.
	 */
	private volatile @Nullable Disposable topologyChanges;

	/** Only touched by the cluster thread. */
	private Duration reconnectDelay = FIRST_RECONNECT_DELAY;

	/**
	 * Connections that are not opened yet.
	 * @param clientSource the Lettuce client, a {@link RedisClient} or a {@link RedisClusterClient}, asked for at the
	 * first attempt to connect
	 * @param options the settings: the lease sets how long to wait for Redis and how often to check the connections
	 * @param clusterThread the thread to connect on
	 */
	RedisConnections(Supplier<? extends AbstractRedisClient> clientSource, RedisClusterOptions options,
			ScheduledExecutorService clusterThread) {
		this.clientSource = clientSource;
		this.instanceId = options.instanceId();
		this.reconnectMaxDelay = options.reconnectMaxDelay();
		this.checkPeriod = options.workerLease().dividedBy(3);
		this.wait = new RedisWait(options.workerLease());
		this.clusterThread = clusterThread;
	}

	/** Adds a listener; listeners added before {@link #connect()} hear of every connection opened. */
	void listen(Listener listener) {
		this.listeners.add(listener);
	}

	/**
	 * Opens both connections on the cluster thread, waiting up to 2 seconds for the first attempt, and from then on
	 * checks every third of the lease that Lettuce still reconnects them.
	 */
	void connect() {
		try {
			this.clusterThread.submit(this::open).get(MAX_FIRST_CONNECT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			logger.warn("Could not connect to Redis yet; broadcasts stay on this instance until it can", ex);
		}
		long period = this.checkPeriod.toNanos();
		this.clusterThread.scheduleWithFixedDelay(this::reopenIfAbandoned, period, period, TimeUnit.NANOSECONDS);
	}

	/** Closes both connections; the cluster thread must be stopped first, so that nothing opens them again. */
	void close() {
		Disposable topologyChanges = this.topologyChanges;
		this.topologyChanges = null;
		if (topologyChanges != null) {
			topologyChanges.dispose();
		}
		StatefulConnection<byte[], byte[]> commandConnection = this.commandConnection;
		StatefulRedisPubSubConnection<byte[], byte[]> pubSub = this.pubSub;
		// Out of the fields first: the state listener then knows that the disconnection is on purpose.
		this.commands = null;
		this.commandConnection = null;
		this.pubSub = null;
		close(commandConnection);
		close(pubSub);
	}

	/** The commands of the command connection, or {@code null} if it is not open right now. */
	@Nullable RedisClusterAsyncCommands<byte[], byte[]> commands() {
		StatefulConnection<byte[], byte[]> commandConnection = this.commandConnection;
		return (commandConnection != null && commandConnection.isOpen()) ? this.commands : null;
	}

	/** The pub/sub connection, or {@code null} if it is not open right now. */
	@Nullable StatefulRedisPubSubConnection<byte[], byte[]> pubSub() {
		StatefulRedisPubSubConnection<byte[], byte[]> pubSub = this.pubSub;
		return (pubSub != null && pubSub.isOpen()) ? pubSub : null;
	}

	/** Why Redis cannot be reached right now, or {@code null} while both connections are open. */
	@Nullable String unavailable() {
		StatefulConnection<byte[], byte[]> commandConnection = this.commandConnection;
		StatefulRedisPubSubConnection<byte[], byte[]> pubSub = this.pubSub;
		if (commandConnection == null || pubSub == null) {
			return this.lastProblem;
		}
		if (!commandConnection.isOpen() || !pubSub.isOpen()) {
			return "lost the connection to Redis, reconnecting: " + this.lastProblem;
		}
		return null;
	}

	/** On the cluster thread: opens both connections, or tries again later. */
	private void open() {
		StatefulConnection<byte[], byte[]> commandConnection = null;
		StatefulRedisPubSubConnection<byte[], byte[]> pubSub = null;
		try {
			AbstractRedisClient client = this.client;
			if (client == null) {
				client = this.clientSource.get();
				this.client = client;
			}
			RedisClusterAsyncCommands<byte[], byte[]> commands;
			if (client instanceof RedisClusterClient clusterClient) {
				if (this.topologyChanges == null) {
					this.topologyChanges = clusterClient.getResources()
						.eventBus()
						.get()
						.filter(ClusterTopologyChangedEvent.class::isInstance)
						.subscribe((event) -> AFTER_TOPOLOGY_CHANGE
							.forEach((delay) -> schedule(this::topologyChanged, delay)));
				}
				StatefulRedisClusterConnection<byte[], byte[]> connection = clusterClient
					.connect(ByteArrayCodec.INSTANCE);
				commandConnection = connection;
				commands = connection.async();
			}
			else {
				StatefulRedisConnection<byte[], byte[]> connection = ((RedisClient) client)
					.connect(ByteArrayCodec.INSTANCE);
				commandConnection = connection;
				commands = connection.async();
			}
			pubSub = connectPubSub(client);
			commandConnection.addListener(this.stateListener);
			pubSub.addListener(this.stateListener);
			this.pubSub = pubSub;
			for (Listener listener : this.listeners) {
				Future<?> ready = listener.opened(pubSub);
				if (ready != null) {
					this.wait.await(ready);
				}
			}
			this.commands = commands;
			this.commandConnection = commandConnection;
			this.reconnectDelay = FIRST_RECONNECT_DELAY;
			logger.info("Notifier cluster instance '{}' connected to Redis", this.instanceId);
		}
		catch (RuntimeException | RedisWait.Failure ex) {
			this.pubSub = null;
			close(commandConnection);
			close(pubSub);
			this.lastProblem = "cannot connect to Redis: " + ex.getMessage();
			logger.warn("Notifier cluster cannot connect to Redis, trying again in {}: {}", this.reconnectDelay,
					ex.getMessage());
			scheduleOpen();
			return;
		}
		tellListeners(Listener::ready, "Catching up after connecting to Redis failed");
	}

	/**
	 * On the cluster thread: replaces the pub/sub connection with a new one subscribed to every channel, when the one
	 * in use stopped delivering without closing (see {@code PubSubProbe}). The old one is closed first, without
	 * waiting: what it would still deliver is not wanted twice. Opening waits for Lettuce's connect and for the
	 * subscriptions, as {@link #connect()} does; if that fails, {@link #pubSubMissing()} says so and the probe asks
	 * again. Does nothing while there is no connection at all: connecting is already under way.
	 * @param reason why, for {@link #unavailable()} until the new connection is open
	 */
	void reopenPubSub(String reason) {
		AbstractRedisClient client = this.client;
		if (client == null || this.commandConnection == null) {
			return;
		}
		StatefulRedisPubSubConnection<byte[], byte[]> stale = this.pubSub;
		// Out of the field first: the state listener then knows that its disconnection is on purpose.
		this.pubSub = null;
		this.lastProblem = reason;
		if (stale != null) {
			stale.closeAsync();
		}
		StatefulRedisPubSubConnection<byte[], byte[]> fresh = null;
		try {
			fresh = connectPubSub(client);
			fresh.addListener(this.stateListener);
			for (Listener listener : this.listeners) {
				Future<?> ready = listener.opened(fresh);
				if (ready != null) {
					this.wait.await(ready);
				}
			}
			this.pubSub = fresh;
			logger.info("Notifier cluster instance '{}' opened a new pub/sub connection to Redis", this.instanceId);
		}
		catch (RuntimeException | RedisWait.Failure ex) {
			if (fresh != null) {
				fresh.closeAsync();
			}
			this.lastProblem = "cannot open a new pub/sub connection to Redis: " + ex.getMessage();
			logger.warn("Notifier cluster cannot open a new pub/sub connection to Redis: {}", ex.getMessage());
		}
	}

	/** Whether the command connection is in use but there is no pub/sub connection (its replacement failed). */
	boolean pubSubMissing() {
		return this.commandConnection != null && this.pubSub == null;
	}

	private static StatefulRedisPubSubConnection<byte[], byte[]> connectPubSub(AbstractRedisClient client) {
		if (client instanceof RedisClusterClient clusterClient) {
			return clusterClient.connectPubSub(ByteArrayCodec.INSTANCE);
		}
		return ((RedisClient) client).connectPubSub(ByteArrayCodec.INSTANCE);
	}

	private void scheduleOpen() {
		Duration delay = this.reconnectDelay;
		Duration doubled = delay.multipliedBy(2);
		this.reconnectDelay = (doubled.compareTo(this.reconnectMaxDelay) > 0) ? this.reconnectMaxDelay : doubled;
		schedule(this::open, delay);
	}

	/** On the cluster thread: a command connection that Lettuce does not reconnect is replaced with a new pair. */
	private void reopenIfAbandoned() {
		StatefulConnection<byte[], byte[]> commandConnection = this.commandConnection;
		if (commandConnection != null && !commandConnection.isOpen()
				&& !commandConnection.getOptions().isAutoReconnect()) {
			close();
			scheduleOpen();
		}
	}

	private void schedule(Runnable task, Duration delay) {
		try {
			this.clusterThread.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			// Stopped.
		}
	}

	/** On the cluster thread, after the topology of the Redis Cluster changed. */
	private void topologyChanged() {
		if (this.pubSub == null) {
			return;
		}
		tellListeners(Listener::topologyChanged, "Following a change of the Redis Cluster's topology failed");
	}

	/** On the cluster thread, after Lettuce reconnected one of the connections. */
	private void reconnected() {
		tellListeners(Listener::reconnected, "Catching up after a reconnection to Redis failed");
	}

	/** Tells every listener, on the cluster thread; one that fails does not keep the others from hearing. */
	private void tellListeners(Consumer<Listener> call, String failure) {
		for (Listener listener : this.listeners) {
			try {
				call.accept(listener);
			}
			catch (RuntimeException ex) {
				logger.warn(failure, ex);
			}
		}
	}

	private static void close(@Nullable StatefulConnection<?, ?> connection) {
		if (connection != null) {
			try {
				connection.close();
			}
			catch (RuntimeException ex) {
				logger.debug("Closing a Redis connection failed", ex);
			}
		}
	}

	/** What the rest of the cluster needs to hear about the connections; called on the cluster thread. */
	interface Listener {

		/**
		 * A pub/sub connection has just been opened, and the connections do not count as connected yet.
		 * @return a reply to wait for before they do, or {@code null}
		 */
		default @Nullable Future<?> opened(StatefulRedisPubSubConnection<byte[], byte[]> pubSub) {
			return null;
		}

		/** Both connections have just been opened by this class and count as connected now. */
		default void ready() {
		}

		/** Lettuce has reconnected one of the connections by itself, and resubscribed it to its channels. */
		default void reconnected() {
		}

		/** The topology of the Redis Cluster has changed: a slot may be served by another node now. */
		default void topologyChanged() {
		}

	}

	/** The state of both connections, as Lettuce reports it on its event loop. */
	private final class StateListener implements RedisConnectionStateListener {

		@Override
		public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
			if (isCurrent(connection)) {
				try {
					RedisConnections.this.clusterThread.execute(RedisConnections.this::reconnected);
				}
				catch (RejectedExecutionException ex) {
					// Stopped.
				}
			}
		}

		@Override
		public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
			if (isCurrent(connection)) {
				RedisConnections.this.lastProblem = "the connection was closed";
				logger.warn("Notifier cluster lost a connection to Redis; Lettuce reconnects it");
			}
		}

		@Override
		public void onRedisExceptionCaught(RedisChannelHandler<?, ?> connection, Throwable cause) {
			RedisConnections.this.lastProblem = String.valueOf(cause.getMessage());
		}

		/** Whether a connection is one of the pair in use, not one closed on purpose or never completed. */
		private boolean isCurrent(RedisChannelHandler<?, ?> connection) {
			return connection == RedisConnections.this.commandConnection || connection == RedisConnections.this.pubSub;
		}

	}

}
