package dev.notifier.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.ClusterNode;
import dev.notifier.core.OutboundMessage;
import dev.notifier.redis.PayloadCodec.MalformedPayloadException;
import dev.notifier.redis.PayloadCodec.Published;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broadcasts between instances, over Redis pub/sub: publishes this instance's broadcasts and group closes, keeps
 * the pub/sub connection subscribed to the channels this instance needs, and receives what the others publish.
 *
 * <p><b>Publishing.</b> {@code PUBLISH <channel> <payload>} (see {@link PayloadCodec}) on the command connection,
 * asynchronously, through an {@link Outbox}, which sends in the order publishes were made, in rounds at most one per
 * {@link RedisClusterOptions#publishLinger()}, and puts the publishes of a round made one after the other to one
 * channel into one command. Lettuce writes the
 * commands of one connection in call order, and every instance receives on one connection, so what this instance
 * publishes arrives everywhere in the order it was published. While the command connection is not open, or when
 * {@link RedisClusterOptions#maxPendingPublishes()} publishes already wait to be sent or for Redis's reply, a publish
 * is not made and is counted as unpublished: the broadcast reaches this instance's sessions only.
 *
 * <p><b>Subscriptions.</b> {@code SUBSCRIBE <prefix>all} and {@code SUBSCRIBE <prefix>users} (messages and closes
 * for one user, whose sessions may be on any instance; both on the first shard only, see
 * {@link RedisNotifierCluster#RedisNotifierCluster(List, RedisClusterOptions)}), {@code <prefix>released} (leases
 * given up, see {@link WorkerLeases}) and this instance's probe channel (see {@link PubSubProbe}) always, and
 * {@code SUBSCRIBE <prefix>group:<group>} from a group's first local session until its last one leaves
 * ({@code UNSUBSCRIBE}), so that an instance hears only about groups it has sessions in. On a Redis Cluster a group's
 * channel is sharded: {@code SPUBLISH}, {@code SSUBSCRIBE} and {@code SUNSUBSCRIBE}, which Lettuce sends to the node
 * serving the channel's slot, one group at a time (a sharded subscription takes channels of one slot only). After
 * Lettuce reconnected, every channel is subscribed again: a group occupied while the connection was down was not.
 *
 * <p><b>Receiving.</b> Hands a probe to the {@link PubSubProbe} and a released lease to the leases; decodes what else
 * arrives, skips this instance's own echo and what it cannot read (logged at debug level), and hands the rest to the
 * {@link InboundDelivery}, never delivering it here.
 *
 * <p>Threads: {@link #publish} on the engine's caller threads and {@link #reconcile} on the threads that join and
 * leave groups only hand commands to Lettuce and never wait. {@link #opened}, {@link #reconnected} and
 * {@link #topologyChanged} run on the cluster thread; {@link #message}, {@link #smessage} and {@link #sunsubscribed}
 * on Lettuce's event loop threads of the pub/sub connection. The set of groups to be
 * subscribed and the pub/sub connection they are subscribed on change together under the set's monitor, so that a
 * group occupied while connecting is subscribed either by the connection as it opens or by itself on it.
 */
final class ClusterBus extends RedisPubSubAdapter<byte[], byte[]> implements RedisConnections.Listener {

	private static final Logger logger = LoggerFactory.getLogger(ClusterBus.class);

	private final RedisKeys keys;

	private final PayloadCodec codec;

	private final RedisConnections connections;

	private final ClusterNode node;

	private final InboundDelivery inbound;

	private final Outbox outbox;

	private final PubSubProbe probe;

	private final byte[] probeChannel;

	private final byte[] releasedChannel;

	private final Consumer<String> leaseReleased;

	private final boolean home;

	/** Groups whose channel the pub/sub connection is subscribed to, or will be once open; guarded by itself. */
	private final Set<String> subscribed = new HashSet<>();

	/**
	 * Redis's confirmation of each subscribed group's subscription on the pub/sub connection last opened, for
	 * {@link #subscription}; guarded by {@link #subscribed}.
	 */
	private final Map<String, CompletableFuture<?>> confirmations = new HashMap<>();

	/** The pub/sub connection last opened; guarded by {@link #subscribed}. */
	private @Nullable StatefulRedisPubSubConnection<byte[], byte[]> pubSub;

	/**
	 * A bus for one instance.
	 * @param options the prefix, this instance's id and the cap on pending publishes
	 * @param keys the names on the server
	 * @param connections where to publish
	 * @param node the engine, to ask which groups have local sessions
	 * @param inbound where what others published goes
	 * @param unpublished counts the publishes not made
	 * @param probe hears the probes that come back on its channel
	 * @param leaseReleased hears the groups whose lease an instance released, on Lettuce's event loop
	 * @param home whether this bus's server carries the broadcasts and closes to every group (the first shard's)
	 * @param clusterThread starts the rounds of publishes that wait for {@link RedisClusterOptions#publishLinger()}
	 */
	ClusterBus(RedisClusterOptions options, RedisKeys keys, RedisConnections connections, ClusterNode node,
			InboundDelivery inbound, LongAdder unpublished, PubSubProbe probe, Consumer<String> leaseReleased,
			boolean home, ScheduledExecutorService clusterThread) {
		this.keys = keys;
		this.probe = probe;
		this.probeChannel = probe.channel();
		this.releasedChannel = this.keys.releasedChannel();
		this.leaseReleased = leaseReleased;
		this.home = home;
		this.codec = new PayloadCodec(options.instanceId());
		this.connections = connections;
		this.node = node;
		this.inbound = inbound;
		this.outbox = new Outbox(connections::commands, this.codec, keys.sharded(), options.maxPendingPublishes(),
				unpublished, options.publishLinger(), clusterThread);
	}

	/**
	 * Publishes a broadcast to the other instances.
	 * @param group the group, or {@code null} for every group
	 */
	void publish(@Nullable String group, OutboundMessage message) {
		publish(group, PayloadCodec.entry(null, message));
	}

	/**
	 * Publishes a close to the other instances.
	 * @param group the group, or {@code null} for every group
	 */
	void publish(@Nullable String group, CloseStatus status) {
		publish(group, PayloadCodec.entry(null, status));
	}

	/** Publishes a message for a user's sessions to the other instances. */
	void publishToUser(String user, OutboundMessage message) {
		this.outbox.publish(this.keys.usersChannel(), false, PayloadCodec.entry(user, message));
	}

	/** Publishes the close of a user's sessions to the other instances. */
	void publishToUser(String user, CloseStatus status) {
		this.outbox.publish(this.keys.usersChannel(), false, PayloadCodec.entry(user, status));
	}

	/** Subscribes to a group's channel while it has local sessions, unsubscribes once it has none. */
	void reconcile(String group) {
		synchronized (this.subscribed) {
			boolean wanted = this.node.hasSessions(group);
			boolean changed = wanted ? this.subscribed.add(group) : this.subscribed.remove(group);
			StatefulRedisPubSubConnection<byte[], byte[]> pubSub = this.pubSub;
			if (!changed || pubSub == null || !pubSub.isOpen()) {
				// Not connected: connecting and reconnecting subscribe to the whole set.
				return;
			}
			if (wanted) {
				this.confirmations.put(group, subscribe(pubSub, group));
			}
			else {
				this.confirmations.remove(group);
				byte[] channel = this.keys.channel(group);
				if (this.keys.sharded()) {
					pubSub.async().sunsubscribe(channel);
				}
				else {
					pubSub.async().unsubscribe(channel);
				}
			}
		}
	}

	/**
	 * Subscribes to a group's channel, if it is not, for a group that has, or is about to have, local sessions.
	 * @return completes once Redis has confirmed the subscription: from then on every message published to the group
	 * reaches this instance; fails if the pub/sub connection is not open
	 */
	CompletionStage<?> subscription(String group) {
		synchronized (this.subscribed) {
			StatefulRedisPubSubConnection<byte[], byte[]> pubSub = this.pubSub;
			if (pubSub == null || !pubSub.isOpen()) {
				return CompletableFuture.failedFuture(new IllegalStateException("the pub/sub connection is not open"));
			}
			CompletableFuture<?> confirmation = this.subscribed.add(group) ? null : this.confirmations.get(group);
			if (confirmation == null) {
				confirmation = subscribe(pubSub, group);
				this.confirmations.put(group, confirmation);
			}
			return confirmation;
		}
	}

	/** Listens to a new pub/sub connection and subscribes it to every channel this instance needs. */
	@Override
	public Future<?> opened(StatefulRedisPubSubConnection<byte[], byte[]> pubSub) {
		pubSub.addListener(this);
		synchronized (this.subscribed) {
			this.subscribed.addAll(this.node.groups());
			this.pubSub = pubSub;
			return subscribeAll(pubSub);
		}
	}

	@Override
	public void reconnected() {
		synchronized (this.subscribed) {
			StatefulRedisPubSubConnection<byte[], byte[]> pubSub = this.pubSub;
			if (pubSub != null && pubSub.isOpen()) {
				subscribeAll(pubSub);
			}
		}
	}

	/**
	 * A sharded subscription ended, on Lettuce's event loop thread of the node's connection. Unless this instance
	 * asked for it (the group is then out of {@link #subscribed}), the channel's slot has moved to another node, by a
	 * resharding or a failover: Redis tells a slot's subscribers so, and Lettuce does not follow. Subscribing again
	 * reaches the node that serves the slot now. Broadcasts published in between are lost to this instance; for a group
	 * with history, the next one shows the gap and its sessions here resume.
	 */
	@Override
	public void sunsubscribed(byte[] channel, long count) {
		String group = this.keys.group(channel);
		if (group == null) {
			return;
		}
		synchronized (this.subscribed) {
			StatefulRedisPubSubConnection<byte[], byte[]> pubSub = this.pubSub;
			if (this.subscribed.contains(group) && pubSub != null && pubSub.isOpen()) {
				logger.info("The slot of group '{}' moved to another Redis Cluster node; subscribing there", group);
				this.confirmations.put(group, subscribe(pubSub, group));
			}
		}
	}

	/**
	 * On a Redis Cluster whose topology changed: subscribes to every group's sharded channel again, which reaches the
	 * node that serves its slot now. A master that died leaves its subscribers subscribed to nothing, without an
	 * {@code SUNSUBSCRIBE}, and Lettuce does not move them to the replica that took over. A subscription to a node
	 * that already has it changes nothing.
	 */
	@Override
	public void topologyChanged() {
		if (!this.keys.sharded()) {
			return;
		}
		synchronized (this.subscribed) {
			StatefulRedisPubSubConnection<byte[], byte[]> pubSub = this.pubSub;
			if (pubSub != null && pubSub.isOpen()) {
				this.subscribed.forEach((group) -> this.confirmations.put(group, subscribe(pubSub, group)));
			}
		}
	}

	/** A payload on a group's sharded channel, on Lettuce's event loop thread of the node's connection. */
	@Override
	public void smessage(byte[] channel, byte[] payload) {
		message(channel, payload);
	}

	/** A payload on one of the subscribed channels, on Lettuce's event loop thread. */
	@Override
	public void message(byte[] channel, byte[] payload) {
		if (Arrays.equals(channel, this.probeChannel)) {
			this.probe.answered(payload);
			return;
		}
		if (Arrays.equals(channel, this.releasedChannel)) {
			this.leaseReleased.accept(new String(payload, StandardCharsets.UTF_8));
			return;
		}
		List<Published> published;
		try {
			published = this.codec.decode(payload);
		}
		catch (MalformedPayloadException ex) {
			logger.debug("Ignoring a payload that is not a notifier cluster's: {}", ex.getMessage());
			return;
		}
		if (!published.isEmpty()) {
			String group = this.keys.group(channel);
			published.forEach((each) -> this.inbound.offer(group, each));
		}
	}

	private void publish(@Nullable String group, PayloadCodec.Entry entry) {
		this.outbox.publish(this.keys.channel(group), group != null, entry);
	}

	/**
	 * Sends a command that publishes, in order with this bus's publishes (see {@link Outbox}).
	 * @return whether it was queued; if not, it is counted as unpublished
	 */
	boolean send(Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<?>> command) {
		return this.outbox.send(command);
	}

	/**
	 * Under the monitor of {@link #subscribed}: subscribes to every channel this instance needs.
	 * @return completes once Redis has confirmed every subscription
	 */
	private CompletableFuture<?> subscribeAll(StatefulRedisPubSubConnection<byte[], byte[]> pubSub) {
		List<byte[]> channels = new ArrayList<>();
		if (this.home) {
			channels.add(this.keys.channel(null));
			channels.add(this.keys.usersChannel());
		}
		channels.add(this.probeChannel);
		channels.add(this.releasedChannel);
		this.confirmations.clear();
		if (this.keys.sharded()) {
			this.subscribed.forEach((group) -> this.confirmations.put(group, subscribe(pubSub, group)));
		}
		else {
			this.subscribed.forEach((group) -> channels.add(this.keys.channel(group)));
		}
		CompletableFuture<?> confirmed = pubSub.async()
			.subscribe(channels.toArray(byte[][]::new))
			.toCompletableFuture();
		if (this.keys.sharded()) {
			List<CompletableFuture<?>> all = new ArrayList<>(this.confirmations.values());
			all.add(confirmed);
			return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
		}
		this.subscribed.forEach((group) -> this.confirmations.put(group, confirmed));
		return confirmed;
	}

	/** Subscribes to a group's channel, sharded on a Redis Cluster; completes once Redis has confirmed it. */
	private CompletableFuture<?> subscribe(StatefulRedisPubSubConnection<byte[], byte[]> pubSub, String group) {
		byte[] channel = this.keys.channel(group);
		RedisFuture<Void> confirmed = this.keys.sharded() ? pubSub.async().ssubscribe(channel)
				: pubSub.async().subscribe(channel);
		return confirmed.toCompletableFuture();
	}

}
