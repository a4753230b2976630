package dev.notifier.redis;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.ClusterNode;
import dev.notifier.core.Delivery;
import dev.notifier.core.NotifierCluster;
import dev.notifier.core.NotifierThreads;
import dev.notifier.redis.PayloadCodec.MalformedPayloadException;
import dev.notifier.redis.PayloadCodec.Published;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link NotifierCluster} on one Redis server (standalone, or found through Sentinel), over two Lettuce connections
 * of its own: one for commands and publishes, one for pub/sub.
 *
 * <p><b>Broadcasts.</b> A broadcast to a group, to a group but its sender, or to all, and a group close, is published
 * once with {@code PUBLISH <prefix>group:<group>} or {@code PUBLISH <prefix>all}; the payload (see
 * {@code PayloadCodec}) is a small header (the origin instance, the kind: text, binary or close, a close's code and
 * reason) followed by the message as the engine encoded it. The origin delivers to its own sessions directly and ignores its own echo. An instance is subscribed
 * ({@code SUBSCRIBE}) to {@code <prefix>all} and to the channel of every group it has sessions in, from the first
 * session to the last. Publishes go out asynchronously, in call order, on the one command connection, and one
 * connection receives them, so what one instance publishes arrives everywhere in the order it was published. While
 * the command connection is down, or when {@link RedisClusterOptions#maxPendingPublishes()} publishes are already
 * waiting for Redis, a broadcast reaches this instance's sessions only and is counted in {@link #unpublished()}.
 *
 * <p><b>Workers.</b> The lease on a group's worker is the key {@code <prefix>worker:<group>} holding the instance id:
 * taken with {@code SET key id NX PX <lease>} (after a refusal, {@code GET key} tells who holds it); renewed every
 * third of the lease with a script that runs {@code PEXPIRE} if the key holds this id, or {@code SET key id PX <lease>}
 * if the key has vanished (a Redis restart without persistence), and fails if another id holds it; released with a
 * script that runs {@code DEL} only if the key holds this id. A renewal that finds another holder, or that has not
 * succeeded for two thirds of the lease because Redis is unreachable, stops the local worker. After a refusal, {@code PTTL key}
 * tells when the holder's lease expires; this instance asks again then, so that when the holder dies it takes the
 * worker over within the lease time. Every third of the lease it also asks for the worker of each group it has
 * sessions in and runs no worker for (after a reconnection, for instance).
 *
 * <p><b>Failures.</b> Lettuce reconnects a connection that drops by itself (with the reconnect delay of its client
 * resources) and subscribes it again to its channels; this class then subscribes again to every group it has sessions
 * in and renews its leases at once. When there is no connection at all (Redis down at startup), it tries to connect
 * after 100ms, doubling the wait after each failure up to {@link RedisClusterOptions#reconnectMaxDelay()}.
 * {@link #unavailable()} says why Redis cannot be reached meanwhile.
 *
 * <p>Threads: {@link #delivery}, {@link #closed}, {@link #groupOccupied} and {@link #groupEmptied} only hand commands
 * to Lettuce and never wait for a reply. {@link #acquireWorker} and {@link #releaseWorker} wait for Redis, at most a
 * third of the lease and never more than 2 seconds. Messages from other instances are delivered on Lettuce's event
 * loop thread of the pub/sub connection, one at a time in arrival order. Connecting, renewing and taking over run on
 * one {@code notifier-cluster} thread, which may wait for Redis; one {@code notifier-cluster-lease} thread, which never
 * does, stops a worker whose lease was not renewed within two thirds of it. Every method is safe to call from any
 * thread.
 */
public final class RedisNotifierCluster implements NotifierCluster {

	private static final Logger logger = LoggerFactory.getLogger(RedisNotifierCluster.class);

	private static final Duration FIRST_RECONNECT_DELAY = Duration.ofMillis(100);

	private static final Duration MAX_COMMAND_WAIT = Duration.ofSeconds(2);

	private static final Duration TAKEOVER_MARGIN = Duration.ofMillis(5);

	/** KEYS[1] the lease, ARGV[1] this instance, ARGV[2] the lease in ms: 1 if this instance holds it now. */
	private static final byte[] RENEW = bytes("local holder = redis.call('GET', KEYS[1]) "
			+ "if holder == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end "
			+ "if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end " + "return 0");

	/** KEYS[1] the lease, ARGV[1] this instance: 1 if this instance held it and it is deleted. */
	private static final byte[] RELEASE = bytes(
			"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0");

	private final Supplier<RedisClient> clientSource;

	private final RedisClusterOptions options;

	private final byte[] origin;

	private final PayloadCodec codec;

	private final byte[] allChannel;

	private final String groupChannelPrefix;

	private final Duration commandWait;

	private final Listener listener = new Listener();

	/** Groups whose channel this instance is subscribed to, or will be once connected; guarded by its monitor. */
	private final Set<String> subscribed = ConcurrentHashMap.newKeySet();

	/** Leases this instance holds, with the {@link System#nanoTime()} of their last successful renewal. */
	private final Map<String, Long> held = new ConcurrentHashMap<>();

	/** Who holds the leases of groups with local sessions and a worker elsewhere, as last seen. */
	private final Map<String, String> holders = new ConcurrentHashMap<>();

	/** The next attempt to take over the worker of a group, due when its holder's lease expires. */
	private final Map<String, Future<?>> takeovers = new ConcurrentHashMap<>();

	private final AtomicInteger pendingPublishes = new AtomicInteger();

	private final LongAdder unpublished = new LongAdder();

	private volatile @Nullable ClusterNode engine;

	private volatile @Nullable ScheduledThreadPoolExecutor scheduler;

	/** Stops workers whose lease was not renewed in time; never waits for Redis, so never late. */
	private volatile @Nullable ScheduledThreadPoolExecutor watchdog;

	private volatile @Nullable RedisClient client;

	private volatile @Nullable StatefulRedisConnection<byte[], byte[]> commands;

	private volatile @Nullable StatefulRedisPubSubConnection<byte[], byte[]> pubSub;

	private volatile String lastProblem = "not connected to Redis yet";

	/** Only touched by the scheduler thread. */
	private Duration reconnectDelay = FIRST_RECONNECT_DELAY;

	/**
	 * A cluster on the server of this client.
	 * @param clientSource the Lettuce client (not a cluster client), asked for once per {@link #start}
	 * @param options the settings
	 */
	public RedisNotifierCluster(Supplier<RedisClient> clientSource, RedisClusterOptions options) {
		this.clientSource = clientSource;
		this.options = options;
		this.origin = bytes(options.instanceId());
		this.codec = new PayloadCodec(options.instanceId());
		this.allChannel = bytes(options.prefix() + "all");
		this.groupChannelPrefix = options.prefix() + "group:";
		long third = options.workerLease().toMillis() / 3;
		this.commandWait = Duration.ofMillis(Math.min(third, MAX_COMMAND_WAIT.toMillis()));
	}

	/** Connects (waiting for the first attempt up to 2 seconds) and starts renewing and taking over leases. */
	@Override
	public void start(ClusterNode engine) {
		this.engine = engine;
		this.reconnectDelay = FIRST_RECONNECT_DELAY;
		ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1,
				NotifierThreads.named("notifier-cluster"));
		scheduler.setRemoveOnCancelPolicy(true);
		this.scheduler = scheduler;
		this.watchdog = new ScheduledThreadPoolExecutor(1, NotifierThreads.named("notifier-cluster-lease"));
		try {
			scheduler.submit(this::connect).get(MAX_COMMAND_WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			logger.warn("Could not connect to Redis yet; broadcasts stay on this instance until it can", ex);
		}
		long period = this.options.workerLease().toNanos() / 3;
		scheduler.scheduleWithFixedDelay(this::leasesSafely, period, period, TimeUnit.NANOSECONDS);
	}

	/** Releases the leases still held, closes both connections and stops the cluster thread. */
	@Override
	public void stop() {
		ScheduledThreadPoolExecutor scheduler = this.scheduler;
		if (scheduler != null) {
			scheduler.shutdownNow();
		}
		ScheduledThreadPoolExecutor watchdog = this.watchdog;
		if (watchdog != null) {
			watchdog.shutdownNow();
		}
		for (String group : List.copyOf(this.held.keySet())) {
			releaseWorker(group);
		}
		closeConnections();
		this.holders.clear();
		this.takeovers.values().forEach((takeover) -> takeover.cancel(false));
		this.takeovers.clear();
		this.subscribed.clear();
		this.lastProblem = "the cluster is stopped";
	}

	@Override
	public Delivery delivery(Delivery local) {
		return (broadcast) -> {
			int queued = local.deliver(broadcast);
			switch (broadcast.target()) {
				case GROUP, GROUP_OTHERS -> publish(groupChannel(broadcast.group()), this.codec.encode(broadcast.message()));
				case ALL -> publish(this.allChannel, this.codec.encode(broadcast.message()));
				default -> {
					// A filter or a set of sessions exists only on this instance.
				}
			}
			return queued;
		};
	}

	@Override
	public void closed(@Nullable String group, CloseStatus status) {
		publish((group != null) ? groupChannel(group) : this.allChannel, this.codec.encode(status));
	}

	@Override
	public void groupOccupied(String group) {
		reconcileSubscription(group);
	}

	@Override
	public void groupEmptied(String group) {
		reconcileSubscription(group);
		this.holders.remove(group);
		Future<?> takeover = this.takeovers.remove(group);
		if (takeover != null) {
			takeover.cancel(false);
		}
	}

	@Override
	public boolean acquireWorker(String group) {
		StatefulRedisConnection<byte[], byte[]> connection = openCommands();
		if (connection == null) {
			return false;
		}
		long started = System.nanoTime();
		byte[] key = leaseKey(group);
		try {
			String reply = await(connection.async()
				.set(key, this.origin, SetArgs.Builder.nx().px(this.options.workerLease().toMillis())));
			if ("OK".equals(reply)) {
				hold(group, started);
				return true;
			}
			byte[] holder = await(connection.async().get(key));
			if (holder != null && new String(holder, StandardCharsets.UTF_8).equals(this.options.instanceId())) {
				// Still ours from an earlier worker: take it only if a renewal confirms it.
				if (renew(connection, group)) {
					hold(group, started);
					return true;
				}
				return false;
			}
			if (holder != null) {
				this.holders.put(group, new String(holder, StandardCharsets.UTF_8));
			}
			Long remaining = await(connection.async().pttl(key));
			scheduleTakeover(group, Duration.ofMillis((remaining != null && remaining > 0) ? remaining : 0));
			return false;
		}
		catch (RedisWaitException ex) {
			logger.debug("Could not ask Redis for the worker lease of group '{}'", group, ex);
			return false;
		}
	}

	@Override
	public void releaseWorker(String group) {
		if (this.held.remove(group) == null) {
			return;
		}
		StatefulRedisConnection<byte[], byte[]> connection = openCommands();
		if (connection == null) {
			return;
		}
		try {
			await(connection.async()
				.<Long>eval(RELEASE, ScriptOutputType.INTEGER, new byte[][] { leaseKey(group) }, this.origin));
		}
		catch (RedisWaitException ex) {
			logger.debug("Could not release the worker lease of group '{}'; it expires by itself", group, ex);
		}
	}

	@Override
	public String instanceId() {
		return this.options.instanceId();
	}

	@Override
	public @Nullable String workerInstance(String group) {
		return this.held.containsKey(group) ? this.options.instanceId() : this.holders.get(group);
	}

	@Override
	public @Nullable String unavailable() {
		StatefulRedisConnection<byte[], byte[]> commands = this.commands;
		StatefulRedisPubSubConnection<byte[], byte[]> pubSub = this.pubSub;
		if (commands == null || pubSub == null) {
			return this.lastProblem;
		}
		if (!commands.isOpen() || !pubSub.isOpen()) {
			return "lost the connection to Redis, reconnecting: " + this.lastProblem;
		}
		return null;
	}

	/** Broadcasts and closes that reached this instance's sessions only, since Redis could not take them. */
	public long unpublished() {
		return this.unpublished.sum();
	}

	/** The groups whose worker this instance holds the lease of. */
	public Set<String> heldWorkers() {
		return Set.copyOf(this.held.keySet());
	}

	private void publish(byte[] channel, byte[] payload) {
		StatefulRedisConnection<byte[], byte[]> connection = openCommands();
		if (connection == null) {
			this.unpublished.increment();
			return;
		}
		if (this.pendingPublishes.incrementAndGet() > this.options.maxPendingPublishes()) {
			this.pendingPublishes.decrementAndGet();
			this.unpublished.increment();
			return;
		}
		connection.async().publish(channel, payload).whenComplete((receivers, failure) -> {
			this.pendingPublishes.decrementAndGet();
			if (failure != null) {
				this.unpublished.increment();
				logger.debug("A publish to Redis failed", failure);
			}
		});
	}

	/** Called on the pub/sub connection's event loop thread. */
	private void received(byte[] channel, byte[] payload) {
		ClusterNode engine = this.engine;
		if (engine == null) {
			return;
		}
		Published published;
		try {
			published = this.codec.decode(payload);
		}
		catch (MalformedPayloadException ex) {
			logger.debug("Ignoring a payload that is not a notifier cluster's: {}", ex.getMessage());
			return;
		}
		if (published != null) {
			String group = Arrays.equals(channel, this.allChannel) ? null
					: new String(channel, StandardCharsets.UTF_8).substring(this.groupChannelPrefix.length());
			published.applyTo(engine, group);
		}
	}

	/** Subscribes to a group's channel while it has local sessions, unsubscribes once it has none. */
	private void reconcileSubscription(String group) {
		ClusterNode engine = this.engine;
		if (engine == null) {
			return;
		}
		synchronized (this.subscribed) {
			boolean wanted = engine.hasSessions(group);
			boolean changed = wanted ? this.subscribed.add(group) : this.subscribed.remove(group);
			StatefulRedisPubSubConnection<byte[], byte[]> pubSub = this.pubSub;
			if (!changed || pubSub == null || !pubSub.isOpen()) {
				// Not connected: connecting and reconnecting subscribe to the whole set.
				return;
			}
			if (wanted) {
				pubSub.async().subscribe(groupChannel(group));
			}
			else {
				pubSub.async().unsubscribe(groupChannel(group));
			}
		}
	}

	private RedisFuture<Void> subscribeAll(StatefulRedisPubSubConnection<byte[], byte[]> pubSub) {
		synchronized (this.subscribed) {
			List<byte[]> channels = new ArrayList<>();
			channels.add(this.allChannel);
			this.subscribed.forEach((group) -> channels.add(groupChannel(group)));
			return pubSub.async().subscribe(channels.toArray(byte[][]::new));
		}
	}

	/** On the cluster thread: opens both connections, or tries again later. */
	private void connect() {
		RedisClient client = this.client;
		StatefulRedisConnection<byte[], byte[]> commands = null;
		StatefulRedisPubSubConnection<byte[], byte[]> pubSub = null;
		try {
			if (client == null) {
				client = this.clientSource.get();
				this.client = client;
			}
			commands = client.connect(ByteArrayCodec.INSTANCE);
			pubSub = client.connectPubSub(ByteArrayCodec.INSTANCE);
			pubSub.addListener((RedisPubSubListener<byte[], byte[]>) this.listener);
			pubSub.addListener((RedisConnectionStateListener) this.listener);
			commands.addListener(this.listener);
			ClusterNode engine = this.engine;
			RedisFuture<Void> subscribing;
			synchronized (this.subscribed) {
				if (engine != null) {
					this.subscribed.addAll(engine.groups());
				}
				subscribing = subscribeAll(pubSub);
				// Under the same monitor: a group occupied from now on subscribes on this connection itself.
				this.pubSub = pubSub;
			}
			await(subscribing);
			this.commands = commands;
			this.reconnectDelay = FIRST_RECONNECT_DELAY;
			logger.info("Notifier cluster instance '{}' connected to Redis", this.options.instanceId());
		}
		catch (RuntimeException | RedisWaitException ex) {
			this.pubSub = null;
			close(commands);
			close(pubSub);
			this.lastProblem = "cannot connect to Redis: " + ex.getMessage();
			logger.warn("Notifier cluster cannot connect to Redis, trying again in {}: {}", this.reconnectDelay,
					ex.getMessage());
			scheduleConnect();
		}
	}

	private void scheduleConnect() {
		ScheduledThreadPoolExecutor scheduler = this.scheduler;
		if (scheduler == null) {
			return;
		}
		Duration delay = this.reconnectDelay;
		Duration doubled = delay.multipliedBy(2);
		this.reconnectDelay = (doubled.compareTo(this.options.reconnectMaxDelay()) > 0)
				? this.options.reconnectMaxDelay() : doubled;
		try {
			scheduler.schedule(this::connect, delay.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			// Stopped.
		}
	}

	private void leasesSafely() {
		try {
			leases();
		}
		catch (RuntimeException ex) {
			logger.warn("Renewing worker leases failed; trying again in a third of the lease", ex);
		}
	}

	/** On the cluster thread: renews held leases, stops workers whose lease is lost, takes over free ones. */
	private void leases() {
		ClusterNode engine = this.engine;
		if (engine == null) {
			return;
		}
		StatefulRedisConnection<byte[], byte[]> commands = this.commands;
		if (commands != null && !commands.isOpen() && !commands.getOptions().isAutoReconnect()) {
			// Lettuce does not reconnect this one: start over.
			closeConnections();
			scheduleConnect();
			return;
		}
		StatefulRedisConnection<byte[], byte[]> connection = openCommands();
		for (String group : (connection != null) ? List.copyOf(this.held.keySet()) : List.<String>of()) {
			try {
				long started = System.nanoTime();
				if (!renew(connection, group)) {
					lost(engine, group, "another instance holds it");
				}
				else if (this.held.replace(group, started) != null) {
					armDeadline(group, started);
				}
				else {
					// Its deadline passed meanwhile and the worker is stopping: let another instance have it.
					connection.async()
						.<Long>eval(RELEASE, ScriptOutputType.INTEGER, new byte[][] { leaseKey(group) }, this.origin);
				}
			}
			catch (RedisWaitException ex) {
				logger.debug("Could not renew the worker lease of group '{}'", group, ex);
			}
		}
		if (connection == null) {
			return;
		}
		// Besides the takeover due when a refused lease expires: a holder that stopped released its lease early.
		for (String group : engine.groups()) {
			if (!engine.hasWorker(group)) {
				engine.startWorker(group);
			}
		}
		this.holders.keySet().retainAll(engine.groups());
	}

	/** Records a lease taken at {@code started} (before asking Redis, so never later than Redis counts from). */
	private void hold(String group, long started) {
		this.held.put(group, started);
		this.holders.remove(group);
		armDeadline(group, started);
	}

	/**
	 * Stops the worker of a group if its lease, renewed at {@code renewed}, has not been renewed again within two
	 * thirds of the lease: the worker has then stopped a third of the lease before the key expires and another
	 * instance may take it.
	 */
	private void armDeadline(String group, long renewed) {
		ScheduledThreadPoolExecutor watchdog = this.watchdog;
		ClusterNode engine = this.engine;
		if (watchdog == null || engine == null) {
			return;
		}
		long lease = this.options.workerLease().toNanos();
		long delay = renewed + (lease - lease / 3) - System.nanoTime();
		try {
			watchdog.schedule(() -> {
				if (this.held.remove(group, renewed)) {
					logger.warn("Lost the worker lease of group '{}' (it could not be renewed for two thirds of {}); "
							+ "stopping the worker here", group, this.options.workerLease());
					engine.stopWorker(group);
				}
			}, Math.max(0, delay), TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			// Stopped.
		}
	}

	/**
	 * Asks again for the worker of a group once the lease that was refused expires (a little after, for the clocks):
	 * if its holder has died meanwhile, the worker resumes here within the lease time of the holder's death.
	 */
	private void scheduleTakeover(String group, Duration remaining) {
		ScheduledThreadPoolExecutor scheduler = this.scheduler;
		ClusterNode engine = this.engine;
		if (scheduler == null || engine == null) {
			return;
		}
		Runnable takeover = () -> {
			if (engine.hasSessions(group) && !engine.hasWorker(group)) {
				engine.startWorker(group);
			}
		};
		try {
			Future<?> previous = this.takeovers.put(group,
					scheduler.schedule(takeover, remaining.toMillis() + TAKEOVER_MARGIN.toMillis(), TimeUnit.MILLISECONDS));
			if (previous != null) {
				previous.cancel(false);
			}
		}
		catch (RejectedExecutionException ex) {
			// Stopped.
		}
	}

	private void lost(ClusterNode engine, String group, String why) {
		if (this.held.remove(group) != null) {
			logger.warn("Lost the worker lease of group '{}' ({}); stopping the worker here", group, why);
			engine.stopWorker(group);
		}
	}

	private boolean renew(StatefulRedisConnection<byte[], byte[]> connection, String group)
			throws RedisWaitException {
		Long renewed = await(connection.async()
			.<Long>eval(RENEW, ScriptOutputType.INTEGER, new byte[][] { leaseKey(group) }, this.origin,
					bytes(Long.toString(this.options.workerLease().toMillis()))));
		return renewed != null && renewed == 1L;
	}

	/** On the cluster thread, after Lettuce reconnected one of the connections. */
	private void reconnected() {
		StatefulRedisPubSubConnection<byte[], byte[]> pubSub = this.pubSub;
		if (pubSub != null && pubSub.isOpen()) {
			subscribeAll(pubSub);
		}
		leasesSafely();
	}

	private @Nullable StatefulRedisConnection<byte[], byte[]> openCommands() {
		StatefulRedisConnection<byte[], byte[]> commands = this.commands;
		return (commands != null && commands.isOpen()) ? commands : null;
	}

	private void closeConnections() {
		StatefulRedisConnection<byte[], byte[]> commands = this.commands;
		StatefulRedisPubSubConnection<byte[], byte[]> pubSub = this.pubSub;
		this.commands = null;
		this.pubSub = null;
		close(commands);
		close(pubSub);
	}

	private static void close(@Nullable StatefulRedisConnection<?, ?> connection) {
		if (connection != null) {
			try {
				connection.close();
			}
			catch (RuntimeException ex) {
				logger.debug("Closing a Redis connection failed", ex);
			}
		}
	}

	private <T> T await(RedisFuture<T> future) throws RedisWaitException {
		try {
			return future.get(this.commandWait.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			future.cancel(false);
			throw new RedisWaitException(ex);
		}
		catch (ExecutionException ex) {
			throw new RedisWaitException(ex.getCause());
		}
		catch (TimeoutException ex) {
			future.cancel(false);
			throw new RedisWaitException(ex);
		}
	}

	private byte[] groupChannel(@Nullable String group) {
		return bytes(this.groupChannelPrefix + group);
	}

	private byte[] leaseKey(String group) {
		return bytes(this.options.prefix() + "worker:" + group);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/** Redis did not answer in time, or answered with an error. */
	private static final class RedisWaitException extends Exception {

		RedisWaitException(Throwable cause) {
			super(cause.getMessage(), cause);
		}

	}

	/** Messages from the pub/sub connection and the state of both connections. */
	private final class Listener extends RedisPubSubAdapter<byte[], byte[]> implements RedisConnectionStateListener {

		@Override
		public void message(byte[] channel, byte[] message) {
			try {
				received(channel, message);
			}
			catch (RuntimeException ex) {
				logger.warn("Delivering a message from another instance failed", ex);
			}
		}

		@Override
		public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
			ScheduledThreadPoolExecutor scheduler = RedisNotifierCluster.this.scheduler;
			if (scheduler != null && (connection == RedisNotifierCluster.this.commands
					|| connection == RedisNotifierCluster.this.pubSub)) {
				try {
					scheduler.execute(RedisNotifierCluster.this::reconnected);
				}
				catch (RejectedExecutionException ex) {
					// Stopped.
				}
			}
		}

		@Override
		public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
			// Closing them on purpose takes them out of the fields first.
			if (connection == RedisNotifierCluster.this.commands || connection == RedisNotifierCluster.this.pubSub) {
				RedisNotifierCluster.this.lastProblem = "the connection was closed";
				logger.warn("Notifier cluster lost a connection to Redis; Lettuce reconnects it");
			}
		}

		@Override
		public void onRedisExceptionCaught(RedisChannelHandler<?, ?> connection, Throwable cause) {
			RedisNotifierCluster.this.lastProblem = String.valueOf(cause.getMessage());
		}

	}

}
