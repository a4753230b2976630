package dev.notifier.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.notifier.core.ClusterNode;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence across the cluster: how many sessions each instance has of each user in each group with presence.
 *
 * <p><b>Keys.</b> One hash per group, {@code <prefix>presence:<group>}, with a field per instance and user:
 * {@code <incarnation>\n<user>} (the user is empty for anonymous sessions) holding that instance's session count.
 * An incarnation is {@code <instance-id>/<n>}, a new {@code n} each time this instance connects or finds that Redis
 * forgot it; it is alive while its key {@code <prefix>instance:<incarnation>} exists. That key expires after
 * {@link RedisClusterOptions#workerLease()} and is renewed every third of it, so the fields of an instance that died
 * (or of an earlier incarnation) stop counting within the lease; the scripts below delete such fields as they meet
 * them.
 *
 * <ul>
 * <li><b>Alive</b>: {@code SET <prefix>instance:<incarnation> 1 PX <lease>} on connecting, then every third of the
 * lease the {@link #RENEW} script; a renewal that finds the key gone (Redis restarted, or the instance was cut off
 * longer than the lease) starts a new incarnation and has the engine send every count again.</li>
 * <li><b>Change</b>, on the engine's presence thread: the {@link #CHANGE} script, {@code HSET} or {@code HDEL} of
 * this incarnation's field, returning how many other live incarnations have sessions of the user, so that a join or
 * leave is announced once in the cluster. It reads every field of the group: its cost grows with the users in the
 * group.</li>
 * <li><b>Read</b>, on the thread asking for presence: the {@link #READ} script, the live fields summed by user.</li>
 * <li><b>Stop</b>: {@code DEL <prefix>instance:<incarnation>}; the fields then no longer count.</li>
 * </ul>
 *
 * The scripts reach the incarnation keys by name, outside {@code KEYS}, which Redis allows for keys in the slot of
 * the declared ones. On a Redis Cluster an incarnation has a key per group instead,
 * {@code <prefix>instance:{<group>}:<incarnation>}, in the slot of the group's hash: the change script creates it
 * when the instance first counts sessions there, and a renewal renews the key of every group the instance counts
 * sessions in (pipelined, under one deadline), so that its cost grows with those groups.
 *
 * <p>Threads: {@link #changed} runs on the engine's {@code notifier-presence} thread and {@link #presence} on the
 * caller's; both wait for Redis, at most a third of the lease and never more than 2 seconds, and answer "cannot tell"
 * without a connection. Connecting and renewing run on the cluster thread. The incarnation is volatile: the cluster
 * thread replaces it, the other threads read it.
 */
final class RedisPresence implements RedisConnections.Listener {

	private static final Logger logger = LoggerFactory.getLogger(RedisPresence.class);

	/**
	 * Lua shared by the scripts: {@code live(field)} tells whether a field's incarnation is alive (asking Redis once
	 * per incarnation), deletes the field from KEYS[1] if it is not, and returns the field's user. ARGV[1] is the
	 * prefix of the incarnation keys.
	 */
	private static final String LIVE = "local alive = {} "
			+ "local function live(field) "
			+ "local cut = string.find(field, '\\n', 1, true) "
			+ "local incarnation = string.sub(field, 1, cut - 1) "
			+ "if alive[incarnation] == nil then "
			+ "alive[incarnation] = redis.call('EXISTS', ARGV[1] .. incarnation) == 1 end "
			+ "if not alive[incarnation] then redis.call('HDEL', KEYS[1], field) return nil end "
			+ "return string.sub(field, cut + 1) end ";

	/**
	 * {@code EVAL}, KEYS[1] the group's hash, ARGV[1] the prefix of the incarnation keys, ARGV[2] this incarnation,
	 * ARGV[3] the user, ARGV[4] its sessions here, ARGV[5] the lease in ms on a Redis Cluster, else empty: sets or
	 * deletes this incarnation's field (on a Redis Cluster first creating the incarnation's key of the group if it is
	 * missing), and returns how many fields of other live incarnations the user has.
	 */
	static final byte[] CHANGE = bytes(LIVE
			+ "local own = ARGV[2] .. '\\n' .. ARGV[3] "
			+ "if tonumber(ARGV[4]) > 0 and ARGV[5] ~= '' then "
			+ "redis.call('SET', ARGV[1] .. ARGV[2], '1', 'PX', ARGV[5], 'NX') end "
			+ "if tonumber(ARGV[4]) > 0 then redis.call('HSET', KEYS[1], own, ARGV[4]) "
			+ "else redis.call('HDEL', KEYS[1], own) end "
			+ "local others = 0 "
			+ "for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do "
			+ "if field ~= own and live(field) == ARGV[3] then others = others + 1 end end "
			+ "return others");

	/**
	 * {@code EVAL}, KEYS[1] the group's hash, ARGV[1] the prefix of the incarnation keys: the sessions of every user
	 * on the live incarnations, as user, count, user, count, ...
	 */
	static final byte[] READ = bytes(LIVE
			+ "local flat = redis.call('HGETALL', KEYS[1]) "
			+ "local counts = {} "
			+ "for i = 1, #flat, 2 do "
			+ "local user = live(flat[i]) "
			+ "if user then counts[user] = (counts[user] or 0) + tonumber(flat[i + 1]) end end "
			+ "local result = {} "
			+ "for user, count in pairs(counts) do table.insert(result, user) table.insert(result, count) end "
			+ "return result");

	/**
	 * {@code EVAL}, KEYS[1] this incarnation's key, ARGV[1] the lease in ms: {@code PEXPIRE} it, and 1; if it is gone,
	 * 0.
	 */
	static final byte[] RENEW = bytes("return redis.call('PEXPIRE', KEYS[1], ARGV[1])");

	/** The last argument of {@link #CHANGE} off a Redis Cluster, where the incarnation's one key is set apart. */
	private static final byte[] NO_KEY_TO_CREATE = new byte[0];

	private final RedisKeys keys;

	private final String instanceId;

	private final Duration lease;

	private final byte[] leaseMillis;

	private final RedisWait wait;

	private final RedisConnections connections;

	private final ClusterNode node;

	private final ScheduledExecutorService clusterThread;

	private final AtomicLong incarnations = new AtomicLong();

	private volatile byte[] incarnation;

	/**
	 * The users with sessions here in each group, as last sent to Redis: the groups whose incarnation key a renewal
	 * renews on a Redis Cluster. Written on the presence thread only, read on the cluster thread.
	 */
	private final Map<String, Set<String>> usersHere = new ConcurrentHashMap<>();

	/**
	 * Presence of one instance.
	 * @param options the prefix, this instance's id and the lease, which also bounds how long a dead instance counts
	 * @param keys the names on the server
	 * @param connections where to ask Redis
	 * @param node the engine, asked to send every count again when Redis has forgotten them
	 * @param clusterThread the thread to renew on
	 */
	RedisPresence(RedisClusterOptions options, RedisKeys keys, RedisConnections connections, ClusterNode node,
			ScheduledExecutorService clusterThread) {
		this.keys = keys;
		this.instanceId = options.instanceId();
		this.lease = options.workerLease();
		this.leaseMillis = bytes(Long.toString(this.lease.toMillis()));
		this.wait = new RedisWait(this.lease);
		this.connections = connections;
		this.node = node;
		this.clusterThread = clusterThread;
		// Never alive: a change recorded before the first connection's incarnation does not count, and is sent again.
		this.incarnation = bytes(this.instanceId + "/0");
	}

	/** Starts renewing this incarnation, every third of the lease. */
	void start() {
		long period = this.lease.toNanos() / 3;
		this.clusterThread.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.NANOSECONDS);
	}

	/**
	 * Sends the deletion of this incarnation's keys, so that its fields stop counting at once, without waiting: the
	 * caller awaits the replies with the leases' releases. The cluster thread is stopped. What is not deleted in
	 * time expires by itself.
	 * @return the replies to come
	 */
	List<RedisFuture<Long>> stop() {
		RedisClusterAsyncCommands<byte[], byte[]> connection = this.connections.commands();
		if (connection == null) {
			return List.of();
		}
		return liveKeys(this.incarnation).stream().map(connection::del).toList();
	}

	/**
	 * Records this instance's sessions of a user in a group.
	 * @return whether no other live instance has sessions of the user in the group; {@code true} if Redis cannot tell
	 */
	boolean changed(String group, String user, int sessions) {
		if (sessions > 0) {
			this.usersHere.computeIfAbsent(group, (key) -> ConcurrentHashMap.newKeySet()).add(user);
		}
		else {
			this.usersHere.computeIfPresent(group, (key, users) -> {
				users.remove(user);
				return users.isEmpty() ? null : users;
			});
		}
		RedisClusterAsyncCommands<byte[], byte[]> connection = this.connections.commands();
		if (connection == null) {
			return true;
		}
		byte[][] arguments = { this.keys.incarnationKeyPrefix(group), this.incarnation, bytes(user),
				bytes(Integer.toString(sessions)), this.keys.sharded() ? this.leaseMillis : NO_KEY_TO_CREATE };
		try {
			Long others = this.wait.await(connection.<Long>eval(CHANGE, ScriptOutputType.INTEGER,
					new byte[][] { this.keys.presenceKey(group) }, arguments));
			return others == null || others == 0;
		}
		catch (RedisWait.Failure ex) {
			logger.debug("Could not record the presence of '{}' in group '{}'", user, group, ex);
			return true;
		}
	}

	/**
	 * The sessions of each user of a group on every live instance, anonymous ones under {@code ""}.
	 * @return the counts, or {@code null} if Redis cannot tell now
	 */
	@Nullable Map<String, Integer> presence(String group) {
		RedisClusterAsyncCommands<byte[], byte[]> connection = this.connections.commands();
		if (connection == null) {
			return null;
		}
		try {
			List<Object> flat = this.wait.await(connection
				.<List<Object>>eval(READ, ScriptOutputType.MULTI, new byte[][] { this.keys.presenceKey(group) },
						this.keys.incarnationKeyPrefix(group)));
			Map<String, Integer> users = new HashMap<>();
			for (int i = 0; i + 1 < flat.size(); i += 2) {
				users.put(new String((byte[]) flat.get(i), StandardCharsets.UTF_8),
						((Long) flat.get(i + 1)).intValue());
			}
			return users;
		}
		catch (RedisWait.Failure ex) {
			logger.debug("Could not read the presence of group '{}'", group, ex);
			return null;
		}
	}

	/**
	 * A new pair of connections: once they count as connected (after every listener's {@code opened}, hence a task
	 * queued behind this one on the cluster thread), a new incarnation.
	 */
	@Override
	public @Nullable Future<?> opened(
			StatefulRedisPubSubConnection<byte[], byte[]> pubSub) {
		try {
			this.clusterThread.execute(this::reincarnate);
		}
		catch (RejectedExecutionException ex) {
			// Stopped.
		}
		return null;
	}

	/** Lettuce reconnected: Redis may have restarted without its data, so a renewal tells. */
	@Override
	public void reconnected() {
		renew();
	}

	/**
	 * On the cluster thread: keeps this incarnation alive (its one key, or on a Redis Cluster the key of each group it
	 * counts sessions in, pipelined), or starts a new one if Redis has forgotten any of them.
	 */
	private void renew() {
		RedisClusterAsyncCommands<byte[], byte[]> connection = this.connections.commands();
		if (connection == null) {
			return;
		}
		List<RedisFuture<Long>> renewals = new ArrayList<>();
		for (byte[] key : liveKeys(this.incarnation)) {
			renewals.add(connection.eval(RENEW, ScriptOutputType.INTEGER, new byte[][] { key }, this.leaseMillis));
		}
		if (this.wait.awaitAll(renewals) < renewals.size()) {
			logger.debug("Could not renew this instance's presence keys in time");
			return;
		}
		boolean forgotten = renewals.stream()
			.map(RedisFuture::toCompletableFuture)
			.anyMatch((reply) -> !reply.isCompletedExceptionally() && reply.join() == 0);
		if (forgotten) {
			logger.info("Redis no longer knew this instance's presence; sending it again");
			reincarnate();
		}
	}

	/**
	 * On the cluster thread: a new incarnation, alive from now on, under which the engine sends every count again; the
	 * earlier one's fields stop counting. On a Redis Cluster the new incarnation's keys are created by the changes the
	 * engine sends again.
	 */
	private void reincarnate() {
		RedisClusterAsyncCommands<byte[], byte[]> connection = this.connections.commands();
		if (connection == null) {
			return;
		}
		byte[] previous = this.incarnation;
		byte[] next = nextIncarnation();
		try {
			if (!this.keys.sharded()) {
				this.wait.await(connection.set(this.keys.incarnationKey(null, next), bytes("1"),
						SetArgs.Builder.px(this.lease.toMillis())));
			}
			List<byte[]> previousKeys = liveKeys(previous);
			this.incarnation = next;
			previousKeys.forEach(connection::del);
			this.node.resendPresence();
		}
		catch (RedisWait.Failure ex) {
			logger.debug("Could not start a new presence incarnation; the next renewal tries again", ex);
		}
	}

	/** The keys that keep an incarnation alive: one, or on a Redis Cluster one per group with sessions here. */
	private List<byte[]> liveKeys(byte[] incarnation) {
		if (!this.keys.sharded()) {
			return List.of(this.keys.incarnationKey(null, incarnation));
		}
		return this.usersHere.keySet().stream().map((group) -> this.keys.incarnationKey(group, incarnation)).toList();
	}

	private byte[] nextIncarnation() {
		return bytes(this.instanceId + "/" + this.incarnations.incrementAndGet());
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
