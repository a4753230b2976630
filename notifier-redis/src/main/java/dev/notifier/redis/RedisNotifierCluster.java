package dev.notifier.redis;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.ClusterNode;
import dev.notifier.core.Delivery;
import dev.notifier.core.HistoryOptions;
import dev.notifier.core.NotifierCluster;
import dev.notifier.core.OutboundMessage;
import dev.notifier.core.SharedHistory;
import dev.notifier.core.StreamPosition;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.RedisClusterClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link NotifierCluster} on one Redis server (standalone, or found through Sentinel), over two Lettuce connections
 * of its own: one for commands and publishes, one for pub/sub; or on several servers, the shards, each group living on
 * one of them ({@code ShardRing}), with two connections and one cluster thread per server; or on a Redis Cluster
 * ({@link #onRedisCluster}), where each group lives in the slot of its name and travels by sharded pub/sub.
 *
 * <p><b>Broadcasts.</b> A broadcast to a group, to a group but its sender, or to all, and a group close, is published
 * once on the group's channel or the channel of all, as a small header (the origin instance, the kind: text, binary or
 * close) followed by the message as the engine encoded it. The origin delivers to its own sessions directly and
 * ignores its own echo. An instance listens to the channel of all and to the channel of every group it has sessions
 * in. A message or close for one user ({@link dev.notifier.core.GroupNotifier#sendToUser sendToUser},
 * {@link dev.notifier.core.GroupNotifier#closeUser closeUser}) is published on the channel every instance listens to
 * for users, with the user's name in the header; each instance looks the user up in the engine's index of its own
 * sessions. What one instance publishes arrives everywhere in the order it was published. While Redis cannot take a
 * publish, the broadcast reaches this instance's sessions only and is counted in {@link #unpublished()}; what arrives
 * faster than this instance can deliver it is dropped and counted in {@link #droppedInbound()}.
 *
 * <p><b>Workers.</b> A group's worker runs only on the instance holding the group's lease in Redis, which renews it
 * every third of {@link RedisClusterOptions#workerLease()}. When the holder dies, an instance with sessions in the
 * group takes the worker over once the dead holder's lease has expired, at most half a lease later.
 *
 * <p><b>Presence.</b> For the groups with presence, each instance keeps its session count of each user in the
 * group's hash in Redis, under a field of its own that stops counting within the lease once the instance dies; a
 * user's join or leave is announced by the instance that finds no other instance with sessions of that user.
 *
 * <p><b>Failures.</b> Lettuce reconnects a connection that drops; when there is none at all (Redis down at startup),
 * this cluster tries again with a backoff up to {@link RedisClusterOptions#reconnectMaxDelay()}. A subscription that
 * stops delivering while its connection stays open is found by a probe ({@link RedisClusterOptions#probeInterval()})
 * and its connection replaced, counted in {@link #pubSubRestarts()}. {@link #unavailable()} says why Redis cannot be
 * reached, or the subscription is not known to deliver, meanwhile.
 *
 * <p><b>Inside.</b> This class only wires, for each {@link #start}, the parts that do the work, each documenting the
 * Redis commands it sends and the threads that call it: {@code RedisConnections} (connecting, reconnecting, why Redis
 * is unavailable), {@code ClusterBus} (publishing, subscriptions, receiving), {@code PayloadCodec} (the payload
 * format), {@code InboundDelivery} (the hand-off of what was received to a thread of its own), {@code WorkerLeases}
 * (acquiring, renewing and releasing leases, the watchdog, takeovers) and {@code RedisPresence} (presence). The parts
 * never call back into this class.
 *
 * <p>Threads: {@link #delivery}, {@link #closed}, {@link #sentToUser}, {@link #closedUser}, {@link #groupOccupied}
 * and {@link #groupEmptied} only hand commands to Lettuce and never wait for a reply. {@link #acquireWorker},
 * {@link #releaseWorker}, {@link #presenceChanged} (on the engine's presence thread) and {@link #presence} (on the
 * caller's) wait for Redis, at most a third of the lease and never more than 2 seconds. Connecting, renewing and
 * taking over run on one {@code notifier-cluster} thread per server (the others' named
 * {@code notifier-cluster-shard<n>}), which may wait for Redis; one {@code notifier-cluster-lease} thread, which never
 * does, stops a worker whose lease was not renewed within two thirds of it. What other instances published is
 * received on Lettuce's event loop thread of the pub/sub connection and delivered, in the order received, on one
 * {@code notifier-cluster-inbound} thread. Every method is safe to call from any thread.
 */
public final class RedisNotifierCluster implements NotifierCluster {

	private static final Logger logger = LoggerFactory.getLogger(RedisNotifierCluster.class);

	private final List<Supplier<? extends AbstractRedisClient>> shards;

	/** Whether the one client is a Redis Cluster's: the names of a group then carry it as a hash tag. */
	private final boolean redisCluster;

	private final RedisClusterOptions options;

	/** How long {@link #stop} waits for Redis, once for every shard. */
	private final RedisWait wait;

	/** Counts across starts, and also what is broadcast while the cluster is not started. */
	private final LongAdder unpublished = new LongAdder();

	private final LongAdder droppedInbound = new LongAdder();

	private final LongAdder pubSubRestarts = new LongAdder();

	private volatile @Nullable Running running;

	private volatile String notRunning = "not connected to Redis yet";

	private final SharedHistory sharedHistory = new SharedHistory() {

		@Override
		public boolean record(String group, OutboundMessage message, @Nullable String exceptSession,
				HistoryOptions limits) {
			Running running = RedisNotifierCluster.this.running;
			if (running == null) {
				RedisNotifierCluster.this.unpublished.increment();
				return false;
			}
			return running.shardOf(group).history().record(group, message, exceptSession, limits);
		}

		@Override
		public CompletionStage<Loaded> load(String group, HistoryOptions limits) {
			Running running = RedisNotifierCluster.this.running;
			if (running == null) {
				String reason = "the cluster is not running: " + RedisNotifierCluster.this.notRunning;
				return CompletableFuture.failedFuture(new IllegalStateException(reason));
			}
			return running.shardOf(group).history().load(group, limits);
		}

	};

	/**
	 * A cluster on the server of this client.
	 * @param clientSource the Lettuce client (not a cluster client), asked for once per {@link #start}
	 * @param options the settings
	 */
	public RedisNotifierCluster(Supplier<RedisClient> clientSource, RedisClusterOptions options) {
		this(List.of(clientSource), options);
	}

	/**
	 * A cluster whose groups are spread over several Redis servers, the shards, by consistent hashing of the group
	 * name ({@code ShardRing}): a group's broadcasts, closes, subscriptions and worker lease all live on its shard;
	 * broadcasts and closes to every group, on the first. Every instance must be given the same servers in the same
	 * order; add a server at the end, and about 1/n of the groups move to it.
	 * @param shards the Lettuce client of each server (not a cluster client), each asked for once per {@link #start}
	 * @param options the settings, the same for every shard
	 */
	public RedisNotifierCluster(List<Supplier<RedisClient>> shards, RedisClusterOptions options) {
		this(List.copyOf(shards), false, options);
		if (shards.isEmpty()) {
			throw new IllegalArgumentException("at least one shard is needed");
		}
	}

	private RedisNotifierCluster(List<Supplier<? extends AbstractRedisClient>> shards, boolean redisCluster,
			RedisClusterOptions options) {
		this.shards = shards;
		this.redisCluster = redisCluster;
		this.options = options;
		this.wait = new RedisWait(options.workerLease());
	}

	/**
	 * A cluster on a Redis Cluster: every name of a group carries the group as a hash tag ({@code {<group>}}), so its
	 * lease, its history, its presence and its channel live in one slot, served by one node; a group's broadcasts are
	 * published there with {@code SPUBLISH} and received with {@code SSUBSCRIBE} (sharded pub/sub, Redis 7 and
	 * later), so they travel through that node only, and capacity grows with the nodes. Broadcasts to every group,
	 * messages to users, released leases and the probe stay on classic pub/sub, which every node relays.
	 * @param clientSource the Lettuce cluster client, asked for once per {@link #start}
	 * @param options the settings; the prefix must not contain a brace, which would change the hash tags
	 * @return a cluster not started yet
	 * @throws RedisClusterOptions.InvalidOptionException if the prefix contains a brace
	 */
	public static RedisNotifierCluster onRedisCluster(Supplier<RedisClusterClient> clientSource,
			RedisClusterOptions options) {
		options.requireHashTagsIntact();
		return new RedisNotifierCluster(List.of(clientSource), true, options);
	}

	/**
	 * Connects to every shard (waiting for each first attempt up to 2 seconds) and starts renewing and taking over
	 * leases.
	 */
	@Override
	public void start(ClusterNode node) {
		ShardRing ring = new ShardRing(this.shards.size());
		InboundDelivery inbound = new InboundDelivery(node, this.options.inboundQueueSize(), this.droppedInbound);
		RedisKeys keys = new RedisKeys(this.options.prefix(), this.redisCluster);
		List<Shard> shards = new ArrayList<>();
		for (int index = 0; index < this.shards.size(); index++) {
			ClusterNode shardNode = (ring.size() > 1) ? new ShardNode(node, ring, index) : node;
			ScheduledThreadPoolExecutor clusterThread = ClusterThreads
				.scheduler((index == 0) ? "notifier-cluster" : "notifier-cluster-shard" + index);
			RedisConnections connections = new RedisConnections(this.shards.get(index), this.options, clusterThread);
			WorkerLeases leases = new WorkerLeases(this.options, keys, connections, shardNode, clusterThread);
			PubSubProbe probe = new PubSubProbe(this.options, keys, connections, clusterThread, this.pubSubRestarts);
			ClusterBus bus = new ClusterBus(this.options, keys, connections, shardNode, inbound, this.unpublished,
					probe, leases::released, index == 0, clusterThread);
			RedisHistory history = new RedisHistory(keys, new PayloadCodec(this.options.instanceId()), connections,
					bus);
			connections.listen(bus);
			connections.listen(leases);
			shards.add(new Shard(clusterThread, connections, bus, leases, probe, history));
		}
		// Presence and messages to users live on the first server, as broadcasts to every group do.
		Shard home = shards.get(0);
		RedisPresence presence = new RedisPresence(this.options, keys, home.connections(), node,
				home.clusterThread());
		home.connections().listen(presence);
		// Before connecting: a group occupied meanwhile is then subscribed by the connection or by itself.
		this.running = new Running(ring, inbound, shards, presence, node);
		for (Shard shard : shards) {
			shard.connections().connect();
			shard.leases().start();
			shard.probe().start();
		}
		presence.start();
	}

	/**
	 * Releases every lease still held, those of the workers the engine's shutdown ended included, and deletes this
	 * instance's presence: the commands of every shard are sent first, pipelined on each shard's command connection,
	 * then awaited together under one deadline (a third of the lease, at most 2 seconds), whatever the number of
	 * leases and shards. Then closes the connections and stops the cluster's threads.
	 */
	@Override
	public void stop() {
		Running running = this.running;
		this.running = null;
		this.notRunning = "the cluster is stopped";
		if (running != null) {
			running.shards().forEach((shard) -> shard.clusterThread().shutdownNow());
			List<RedisFuture<Long>> releases = new ArrayList<>();
			running.shards().forEach((shard) -> releases.addAll(shard.leases().stop()));
			List<RedisFuture<Long>> presence = running.presence().stop();
			long deadline = this.wait.deadline();
			int released = this.wait.awaitAll(releases, deadline);
			if (released < releases.size()) {
				logger.warn("{} of {} worker lease releases were not answered in time; those leases expire by "
						+ "themselves within {}", releases.size() - released, releases.size(), this.options.workerLease());
			}
			this.wait.awaitAll(presence, deadline);
			running.inbound().stop();
			running.shards().forEach((shard) -> shard.connections().close());
		}
	}

	@Override
	public Delivery delivery(Delivery local) {
		return (broadcast) -> {
			int queued = local.deliver(broadcast);
			switch (broadcast.target()) {
				case GROUP, GROUP_OTHERS -> {
					if (!keepsHistory(broadcast.group())) {
						publish(broadcast.group(), broadcast.message());
					}
				}
				case ALL -> publish(null, broadcast.message());
				default -> {
					// A filter or a set of sessions exists only on this instance.
				}
			}
			return queued;
		};
	}

	/** Whether the engine records the group's broadcasts through {@link #sharedHistory()} instead. */
	private boolean keepsHistory(String group) {
		Running running = this.running;
		return running != null && running.node().keepsHistory(group);
	}

	/**
	 * The histories of the groups that keep one, in Redis Streams shared by every instance (see {@code RedisHistory});
	 * while the cluster is not started, nothing is recorded and a load fails at once.
	 */
	@Override
	public SharedHistory sharedHistory() {
		return this.sharedHistory;
	}

	@Override
	public void closed(@Nullable String group, CloseStatus status) {
		Running running = this.running;
		if (running != null) {
			running.shardOf(group).bus().publish(group, status);
		}
		else {
			this.unpublished.increment();
		}
	}

	@Override
	public void sentToUser(String user, OutboundMessage message) {
		Running running = this.running;
		if (running != null) {
			running.home().bus().publishToUser(user, message);
		}
		else {
			this.unpublished.increment();
		}
	}

	@Override
	public void closedUser(String user, CloseStatus status) {
		Running running = this.running;
		if (running != null) {
			running.home().bus().publishToUser(user, status);
		}
		else {
			this.unpublished.increment();
		}
	}

	@Override
	public boolean presenceChanged(String group, String user, int sessions) {
		Running running = this.running;
		return running == null || running.presence().changed(group, user, sessions);
	}

	@Override
	public @Nullable Map<String, Integer> presence(String group) {
		Running running = this.running;
		return (running != null) ? running.presence().presence(group) : null;
	}

	@Override
	public void groupOccupied(String group) {
		Running running = this.running;
		if (running != null) {
			running.shardOf(group).bus().reconcile(group);
		}
	}

	@Override
	public void groupEmptied(String group) {
		Running running = this.running;
		if (running != null) {
			Shard shard = running.shardOf(group);
			shard.bus().reconcile(group);
			shard.leases().forget(group);
		}
	}

	@Override
	public boolean acquireWorker(String group) {
		Running running = this.running;
		return running != null && running.shardOf(group).leases().acquire(group);
	}

	@Override
	public void releaseWorker(String group) {
		Running running = this.running;
		if (running != null) {
			running.shardOf(group).leases().release(group);
		}
	}

	@Override
	public String instanceId() {
		return this.options.instanceId();
	}

	@Override
	public @Nullable String workerInstance(String group) {
		Running running = this.running;
		return (running != null) ? running.shardOf(group).leases().holder(group) : null;
	}

	@Override
	public @Nullable String unavailable() {
		Running running = this.running;
		if (running == null) {
			return this.notRunning;
		}
		List<Shard> shards = running.shards();
		for (int index = 0; index < shards.size(); index++) {
			Shard shard = shards.get(index);
			String connections = shard.connections().unavailable();
			String problem = (connections != null) ? connections : shard.probe().problem();
			if (problem != null) {
				return (shards.size() > 1) ? "shard " + index + ": " + problem : problem;
			}
		}
		return null;
	}

	/**
	 * Pub/sub subscriptions found to have stopped delivering while their connection stayed open, each replaced with a
	 * new connection (see {@link RedisClusterOptions#probeInterval()}).
	 */
	public long pubSubRestarts() {
		return this.pubSubRestarts.sum();
	}

	/** Broadcasts and closes that reached this instance's sessions only, since Redis could not take them. */
	public long unpublished() {
		return this.unpublished.sum();
	}

	/**
	 * Messages from other instances that were dropped because {@link RedisClusterOptions#inboundQueueSize()} of them
	 * were already waiting to be delivered here; closes are never dropped.
	 */
	public long droppedInbound() {
		return this.droppedInbound.sum();
	}

	/** The groups whose worker this instance holds the lease of. */
	public Set<String> heldWorkers() {
		Running running = this.running;
		if (running == null) {
			return Set.of();
		}
		Set<String> held = new HashSet<>();
		running.shards().forEach((shard) -> held.addAll(shard.leases().held()));
		return Set.copyOf(held);
	}

	private void publish(@Nullable String group, OutboundMessage message) {
		Running running = this.running;
		if (running != null) {
			running.shardOf(group).bus().publish(group, message);
		}
		else {
			this.unpublished.increment();
		}
	}

	/**
	 * The parts of one run, from {@link #start} to {@link #stop}: one inbound queue, the parts of each shard, presence
	 * on the first, and the engine.
	 */
	private record Running(ShardRing ring, InboundDelivery inbound, List<Shard> shards, RedisPresence presence,
			ClusterNode node) {

		/** The shard of a group; the first one for every group ({@code null}). */
		Shard shardOf(@Nullable String group) {
			return this.shards.get((group != null) ? this.ring.shard(group) : 0);
		}

		/** The first shard, which carries broadcasts to every group, messages to users and presence. */
		Shard home() {
			return this.shards.get(0);
		}

	}

	/** The parts that talk to one Redis server, each with its own cluster thread. */
	private record Shard(ScheduledThreadPoolExecutor clusterThread, RedisConnections connections, ClusterBus bus,
			WorkerLeases leases, PubSubProbe probe, RedisHistory history) {
	}

	/**
	 * The engine as one shard's parts see it: only the groups that live on the shard, so that its subscriptions and
	 * its catching up with missing workers stay on its own server. Everything else is the engine's.
	 */
	private record ShardNode(ClusterNode node, ShardRing ring, int index) implements ClusterNode {

		@Override
		public int deliver(@Nullable String group, OutboundMessage message) {
			return this.node.deliver(group, message);
		}

		@Override
		public int close(@Nullable String group, CloseStatus status) {
			return this.node.close(group, status);
		}

		@Override
		public void deliverRecorded(String group, StreamPosition position, OutboundMessage message,
				@Nullable String exceptSession) {
			this.node.deliverRecorded(group, position, message, exceptSession);
		}

		@Override
		public boolean keepsHistory(String group) {
			return this.node.keepsHistory(group);
		}

		@Override
		public int deliverToUser(String user, OutboundMessage message) {
			return this.node.deliverToUser(user, message);
		}

		@Override
		public int closeUser(String user, CloseStatus status) {
			return this.node.closeUser(user, status);
		}

		@Override
		public void resendPresence() {
			this.node.resendPresence();
		}

		@Override
		public Set<String> groups() {
			Set<String> mine = new HashSet<>();
			for (String group : this.node.groups()) {
				if (this.ring.shard(group) == this.index) {
					mine.add(group);
				}
			}
			return mine;
		}

		@Override
		public boolean hasSessions(String group) {
			return this.node.hasSessions(group);
		}

		@Override
		public boolean hasWorker(String group) {
			return this.node.hasWorker(group);
		}

		@Override
		public boolean startWorker(String group) {
			return this.node.startWorker(group);
		}

		@Override
		public boolean stopWorker(String group) {
			return this.node.stopWorker(group);
		}

	}

}
