package dev.notifier.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import dev.notifier.core.ClusterNode;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker per group in the whole cluster, by a lease: the key {@code <prefix>worker:<group>} holding the id of the
 * instance that may run the group's worker.
 *
 * <ul>
 * <li><b>Acquire</b>: {@code SET key id NX PX <lease>}; after a refusal, {@code GET key} tells who holds it and
 * {@code PTTL key} when its lease expires, and the group is watched.</li>
 * <li><b>Watch</b>, once per lease: one round sends {@code PTTL} for every watched group (a group with local sessions
 * whose worker runs elsewhere), pipelined, and asks for the worker of each group whose lease is gone. A lease with
 * less than half its time left has missed a renewal: the next round comes when it expires (a little after, for the
 * clocks), so that when the holder dies the worker moves here at most half a lease after its lease expired, usually
 * when it expires.</li>
 * <li><b>Renew</b>, every third of the lease: the {@link #RENEW} script for every lease held, all sent at once
 * (pipelined on the command connection) and their replies awaited under one deadline.</li>
 * <li><b>Release</b>, when the worker ends: the {@link #RELEASE} script, which also publishes the group on
 * {@code <prefix>released}, so that an instance with sessions in the group asks for the worker at once. At
 * {@link #stop()}, which releases the leases of the workers the engine's shutdown ended too, the releases of every
 * lease still held are pipelined, and the cluster awaits them with every other shard's under one deadline.</li>
 * </ul>
 *
 * A renewal that finds another holder stops the local worker, and so does the watchdog when a lease has not been
 * renewed for two thirds of it because Redis is unreachable: the worker has then stopped a third of the lease before
 * the key expires and another instance may take it; either way the group is then watched, as one whose worker runs
 * elsewhere. There is no timer per group: one round per lease covers every watched group, a release announced on
 * {@code <prefix>released} is taken over at once, and every group without a worker asks once after each
 * (re)connection.
 *
 * <p>Threads: {@link #acquire} and {@link #release} run on the engine's threads that start or end a worker and wait
 * for Redis, at most a third of the lease and never more than 2 seconds. Renewals, takeovers and catching up run on
 * the cluster thread, which may wait for Redis; {@link #released} only hands a takeover to it. One
 * {@code notifier-cluster-lease-1} thread, the watchdog, never waits for Redis, so it is never late. {@link #holder},
 * {@link #held()} and {@link #forget} answer from memory on any thread. Guards the leases held (with the time of
 * their last renewal), the holders last seen elsewhere, the watched groups, and the next watch round (under its own
 * monitor, which is never held while waiting for Redis).
 */
final class WorkerLeases implements RedisConnections.Listener {

	private static final Logger logger = LoggerFactory.getLogger(WorkerLeases.class);

	/**
	 * {@code EVAL}, KEYS[1] the lease, ARGV[1] this instance, ARGV[2] the lease in ms: {@code PEXPIRE} if the key holds
	 * this instance; {@code SET key id PX <lease>} if the key has vanished (a Redis restart without persistence); 1 if
	 * this instance holds the lease now, otherwise {@code -1 - PTTL} of the other holder's lease (so at most -1).
	 */
	private static final byte[] RENEW = bytes("local holder = redis.call('GET', KEYS[1]) "
			+ "if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end "
			+ "if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end "
			+ "local ttl = redis.call('PTTL', KEYS[1]) if ttl < 0 then ttl = 0 end return -1 - ttl");

	/**
	 * {@code EVAL}, KEYS[1] the lease, ARGV[1] this instance, ARGV[2] the group, ARGV[3] the channel of released
	 * leases (not a key: on a Redis Cluster it is relayed by every node, whatever the lease's slot): {@code DEL} and
	 * {@code PUBLISH <channel> <group>} only if the key holds this instance.
	 */
	private static final byte[] RELEASE = bytes("if redis.call('GET', KEYS[1]) == ARGV[1] then "
			+ "redis.call('DEL', KEYS[1]) redis.call('PUBLISH', ARGV[3], ARGV[2]) return 1 end return 0");

	private static final Duration TAKEOVER_MARGIN = Duration.ofMillis(5);

	private final RedisKeys keys;

	private final String instanceId;

	private final byte[] origin;

	private final Duration lease;

	private final byte[] leaseMillis;

	private final RedisWait wait;

	private final RedisConnections connections;

	private final ClusterNode node;

	private final ScheduledExecutorService clusterThread;

	/** Stops workers whose lease was not renewed in time; never waits for Redis, so never late. */
	private final ScheduledThreadPoolExecutor watchdog = ClusterThreads.scheduler("notifier-cluster-lease");

	/** Leases this instance holds, with the {@link System#nanoTime()} of their last successful renewal. */
	private final Map<String, Long> held = new ConcurrentHashMap<>();

	/** Who holds the leases of groups with local sessions and a worker elsewhere, as last seen. */
	private final Map<String, String> holders = new ConcurrentHashMap<>();

	/** Groups with local sessions whose worker runs elsewhere, or whose lease could not be asked for. */
	private final Set<String> watched = ConcurrentHashMap.newKeySet();

	/** The next watch round, and its due time in {@link System#nanoTime()}; guarded by {@code this}. */
	private @Nullable Future<?> nextRound;

	private long nextRoundDue;

	/**
	 * Leases of one instance.
	 * @param options the prefix, this instance's id and the lease
	 * @param keys the names on the server
	 * @param connections where to ask Redis
	 * @param node the engine, to start and stop workers
	 * @param clusterThread the thread to renew and take over on
	 */
	WorkerLeases(RedisClusterOptions options, RedisKeys keys, RedisConnections connections, ClusterNode node,
			ScheduledExecutorService clusterThread) {
		this.keys = keys;
		this.instanceId = options.instanceId();
		this.origin = bytes(options.instanceId());
		this.lease = options.workerLease();
		this.leaseMillis = bytes(Long.toString(this.lease.toMillis()));
		this.wait = new RedisWait(this.lease);
		this.connections = connections;
		this.node = node;
		this.clusterThread = clusterThread;
	}

	/** Starts renewing, every third of the lease, and watching, every lease. */
	void start() {
		long period = this.lease.toNanos() / 3;
		this.clusterThread.scheduleWithFixedDelay(this::renewAll, period, period, TimeUnit.NANOSECONDS);
		scheduleRound(this.lease);
	}

	/**
	 * Stops the watchdog and sends the releases of every lease still held, pipelined, without waiting: the caller
	 * awaits them, with those of the other shards, under one deadline. The cluster thread must be stopped first, so
	 * that nothing renews or takes over meanwhile. A release that does not make the deadline expires with its lease.
	 * @return the replies to come, one per lease
	 */
	List<RedisFuture<Long>> stop() {
		this.watchdog.shutdownNow();
		this.watched.clear();
		this.holders.clear();
		List<String> groups = List.copyOf(this.held.keySet());
		this.held.clear();
		RedisClusterAsyncCommands<byte[], byte[]> connection = this.connections.commands();
		if (connection == null) {
			return List.of();
		}
		List<RedisFuture<Long>> releases = new ArrayList<>(groups.size());
		for (String group : groups) {
			releases.add(releaseScript(connection, group));
		}
		return releases;
	}

	/**
	 * Takes the lease on a group's worker if no other instance holds it.
	 * @return whether this instance holds it now
	 */
	boolean acquire(String group) {
		RedisClusterAsyncCommands<byte[], byte[]> connection = this.connections.commands();
		if (connection == null) {
			return false;
		}
		long started = System.nanoTime();
		byte[] key = this.keys.leaseKey(group);
		try {
			String reply = this.wait.await(connection
				.set(key, this.origin, SetArgs.Builder.nx().px(this.lease.toMillis())));
			if ("OK".equals(reply)) {
				hold(group, started);
				return true;
			}
			byte[] holder = this.wait.await(connection.get(key));
			String holderId = (holder != null) ? new String(holder, StandardCharsets.UTF_8) : null;
			if (this.instanceId.equals(holderId)) {
				// Still ours from an earlier worker: take it only if a renewal confirms it.
				if (renew(connection, group)) {
					hold(group, started);
					return true;
				}
				return false;
			}
			if (holderId != null) {
				this.holders.put(group, holderId);
			}
			Long remaining = this.wait.await(connection.pttl(key));
			watch(group, Duration.ofMillis((remaining != null && remaining > 0) ? remaining : 0));
			return false;
		}
		catch (RedisWait.Failure ex) {
			logger.debug("Could not ask Redis for the worker lease of group '{}'", group, ex);
			// Nothing else would ask again for this group while the connection stays up.
			watch(group, this.lease.dividedBy(3));
			return false;
		}
	}

	/** Gives up the lease on a group's worker, if this instance holds it, so that another may take it at once. */
	void release(String group) {
		if (this.held.remove(group) == null) {
			return;
		}
		RedisClusterAsyncCommands<byte[], byte[]> connection = this.connections.commands();
		if (connection == null) {
			return;
		}
		try {
			this.wait.await(releaseScript(connection, group));
		}
		catch (RedisWait.Failure ex) {
			logger.debug("Could not release the worker lease of group '{}'; it expires by itself", group, ex);
		}
	}

	/** A group has no local session any more: who runs its worker elsewhere is no longer this instance's concern. */
	void forget(String group) {
		this.holders.remove(group);
		this.watched.remove(group);
	}

	/** The instance that holds a group's lease, as far as this one knows, or {@code null}. */
	@Nullable String holder(String group) {
		return this.held.containsKey(group) ? this.instanceId : this.holders.get(group);
	}

	/** The groups whose lease this instance holds. */
	Set<String> held() {
		return Set.copyOf(this.held.keySet());
	}

	/** A lease was released on some instance ({@code <prefix>released}): ask for the worker if it is wanted here. */
	void released(String group) {
		if (this.node.hasSessions(group) && !this.node.hasWorker(group)) {
			try {
				this.clusterThread.execute(() -> startIfMissing(group));
			}
			catch (RejectedExecutionException ex) {
				// Stopped.
			}
		}
	}

	/** Once connected: the groups that wanted a worker while there was no connection ask for it now. */
	@Override
	public void ready() {
		startMissing();
	}

	@Override
	public void reconnected() {
		renewAll();
		startMissing();
	}

	/** On the cluster thread: renews every held lease, pipelined under one deadline; stops workers whose lease is lost. */
	private void renewAll() {
		RedisClusterAsyncCommands<byte[], byte[]> connection = this.connections.commands();
		if (connection == null || this.held.isEmpty()) {
			// Without a connection the watchdog stops the workers if this lasts.
			return;
		}
		try {
			long started = System.nanoTime();
			Map<String, RedisFuture<Long>> renewals = new LinkedHashMap<>();
			for (String group : this.held.keySet()) {
				renewals.put(group, renewScript(connection, group));
			}
			this.wait.awaitAll(renewals.values());
			renewals.forEach((group, reply) -> renewed(connection, group, started, reply));
		}
		catch (RuntimeException ex) {
			logger.warn("Renewing worker leases failed; trying again in a third of the lease", ex);
		}
	}

	/** The outcome of one renewal sent at {@code started}; one without a reply in time is left to the watchdog. */
	private void renewed(RedisClusterAsyncCommands<byte[], byte[]> connection, String group, long started,
			RedisFuture<Long> reply) {
		CompletableFuture<Long> done = reply.toCompletableFuture();
		Long outcome = (done.isDone() && !done.isCompletedExceptionally()) ? done.getNow(null) : null;
		if (outcome == null) {
			logger.debug("Could not renew the worker lease of group '{}' in time", group);
		}
		else if (outcome < 0) {
			lost(group, Duration.ofMillis(-1 - outcome));
		}
		else if (this.held.replace(group, started) != null) {
			armDeadline(group, started);
		}
		else {
			// Its deadline passed meanwhile and the worker is stopping: let another instance have it.
			releaseScript(connection, group);
		}
	}

	/** On the cluster thread: every group with local sessions and no worker asks for it, once. */
	private void startMissing() {
		for (String group : this.node.groups()) {
			startIfMissing(group);
		}
		this.holders.keySet().retainAll(this.node.groups());
	}

	private void startIfMissing(String group) {
		if (this.node.hasSessions(group) && !this.node.hasWorker(group)) {
			this.node.startWorker(group);
		}
	}

	/** Runs the {@link #RENEW} script and waits: whether this instance holds the lease now. */
	private boolean renew(RedisClusterAsyncCommands<byte[], byte[]> connection, String group) throws RedisWait.Failure {
		Long renewed = this.wait.await(renewScript(connection, group));
		return renewed != null && renewed == 1L;
	}

	/** Sends the {@link #RENEW} script, without waiting for its reply. */
	private RedisFuture<Long> renewScript(RedisClusterAsyncCommands<byte[], byte[]> connection, String group) {
		return connection
			.eval(RENEW, ScriptOutputType.INTEGER, new byte[][] { this.keys.leaseKey(group) }, this.origin,
					this.leaseMillis);
	}

	/** Sends the {@link #RELEASE} script, without waiting for its reply. */
	private RedisFuture<Long> releaseScript(RedisClusterAsyncCommands<byte[], byte[]> connection, String group) {
		return connection
			.eval(RELEASE, ScriptOutputType.INTEGER,
					new byte[][] { this.keys.leaseKey(group) }, this.origin, bytes(group), this.keys.releasedChannel());
	}

	/** Records a lease taken at {@code started} (before asking Redis, so never later than Redis counts from). */
	private void hold(String group, long started) {
		this.held.put(group, started);
		this.holders.remove(group);
		this.watched.remove(group);
		armDeadline(group, started);
	}

	/**
	 * Stops the worker of a group if its lease, renewed at {@code renewed}, has not been renewed again within two
	 * thirds of the lease: the worker has then stopped a third of the lease before the key expires and another
	 * instance may take it.
	 */
	private void armDeadline(String group, long renewed) {
		long lease = this.lease.toNanos();
		long delay = renewed + (lease - lease / 3) - System.nanoTime();
		try {
			this.watchdog.schedule(() -> {
				if (this.held.remove(group, renewed)) {
					logger.warn("Lost the worker lease of group '{}' (it could not be renewed for two thirds of {}); "
							+ "stopping the worker here", group, this.lease);
					this.node.stopWorker(group);
					// Another instance may take it once the key expires; if none does, this one asks again then.
					watch(group, this.lease.dividedBy(3));
				}
			}, Math.max(0, delay), TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			// Stopped.
		}
	}

	/**
	 * Watches a group whose lease another instance holds for {@code remaining} more, unless it renews it: a lease with
	 * less than half its time left has missed a renewal, and the next round then comes when it expires.
	 */
	private void watch(String group, Duration remaining) {
		this.watched.add(group);
		if (remaining.compareTo(this.lease.dividedBy(2)) < 0) {
			scheduleRound(remaining.plus(TAKEOVER_MARGIN));
		}
	}

	/** Brings the next watch round forward to {@code delay} from now, unless one is due sooner. */
	private synchronized void scheduleRound(Duration delay) {
		long due = System.nanoTime() + delay.toNanos();
		if (this.nextRound != null) {
			if (this.nextRoundDue - due <= 0) {
				return;
			}
			this.nextRound.cancel(false);
		}
		try {
			this.nextRound = this.clusterThread.schedule(this::watchRound, delay.toNanos(), TimeUnit.NANOSECONDS);
			this.nextRoundDue = due;
		}
		catch (RejectedExecutionException ex) {
			// Stopped.
		}
	}

	/**
	 * On the cluster thread: one {@code PTTL} for every watched group, pipelined under one deadline; asks for the
	 * worker of each group whose lease is gone, and schedules the next round a lease from now, or sooner when a lease
	 * that missed a renewal expires before then.
	 */
	private void watchRound() {
		synchronized (this) {
			this.nextRound = null;
		}
		Duration next = this.lease;
		try {
			next = checkWatched();
		}
		catch (RuntimeException ex) {
			logger.warn("Watching the worker leases held elsewhere failed; trying again in a lease", ex);
		}
		finally {
			scheduleRound(next);
		}
	}

	/** Checks the lease of every watched group once, and says when the next round is due. */
	private Duration checkWatched() {
		RedisClusterAsyncCommands<byte[], byte[]> connection = this.connections.commands();
		if (connection == null || this.watched.isEmpty()) {
			// Without a connection, the groups ask again once it is back.
			return this.lease;
		}
		Map<String, RedisFuture<Long>> ttls = new LinkedHashMap<>();
		for (String group : this.watched) {
			if (this.node.hasSessions(group) && !this.node.hasWorker(group)) {
				ttls.put(group, connection.pttl(this.keys.leaseKey(group)));
			}
			else {
				this.watched.remove(group);
			}
		}
		this.wait.awaitAll(ttls.values());
		Duration next = this.lease;
		Duration missedRenewal = this.lease.dividedBy(2);
		for (Map.Entry<String, RedisFuture<Long>> ttl : ttls.entrySet()) {
			CompletableFuture<Long> reply = ttl.getValue().toCompletableFuture();
			if (!reply.isDone() || reply.isCompletedExceptionally()) {
				continue;
			}
			Long remaining = reply.getNow(null);
			if (remaining == null || remaining == -2) {
				// Gone: expired or released without the announcement reaching this instance.
				startIfMissing(ttl.getKey());
			}
			else if (remaining >= 0 && Duration.ofMillis(remaining).compareTo(missedRenewal) < 0) {
				Duration expiry = Duration.ofMillis(remaining).plus(TAKEOVER_MARGIN);
				next = (expiry.compareTo(next) < 0) ? expiry : next;
			}
		}
		return next;
	}

	/** Another instance holds the lease, for {@code remaining} more unless it renews it. */
	private void lost(String group, Duration remaining) {
		if (this.held.remove(group) != null) {
			logger.warn("Lost the worker lease of group '{}' (another instance holds it); stopping the worker here",
					group);
			this.node.stopWorker(group);
			watch(group, remaining);
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
