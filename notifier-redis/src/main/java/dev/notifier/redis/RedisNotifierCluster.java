package dev.notifier.redis;

import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.ClusterNode;
import dev.notifier.core.Delivery;
import dev.notifier.core.NotifierCluster;
import dev.notifier.core.OutboundMessage;
import io.lettuce.core.RedisClient;
import org.jspecify.annotations.Nullable;

/**
 * A {@link NotifierCluster} on one Redis server (standalone, or found through Sentinel), over two Lettuce connections
 * of its own: one for commands and publishes, one for pub/sub.
 *
 * <p><b>Broadcasts.</b> A broadcast to a group, to a group but its sender, or to all, and a group close, is published
 * once on the group's channel or the channel of all, as a small header (the origin instance, the kind: text, binary or
 * close) followed by the message as the engine encoded it. The origin delivers to its own sessions directly and
 * ignores its own echo. An instance listens to the channel of all and to the channel of every group it has sessions
 * in. What one instance publishes arrives everywhere in the order it was published. While Redis cannot take a
 * publish, the broadcast reaches this instance's sessions only and is counted in {@link #unpublished()}; what arrives
 * faster than this instance can deliver it is dropped and counted in {@link #droppedInbound()}.
 *
 * <p><b>Workers.</b> A group's worker runs only on the instance holding the group's lease in Redis, which renews it
 * every third of {@link RedisClusterOptions#workerLease()}. When the holder dies, an instance with sessions in the
 * group takes the worker over within the lease.
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
 * format), {@code InboundDelivery} (the hand-off of what was received to a thread of its own) and {@code WorkerLeases}
 * (acquiring, renewing and releasing leases, the watchdog, takeovers). The parts never call back into this class.
 *
 * <p>Threads: {@link #delivery}, {@link #closed}, {@link #groupOccupied} and {@link #groupEmptied} only hand commands
 * to Lettuce and never wait for a reply. {@link #acquireWorker} and {@link #releaseWorker} wait for Redis, at most a
 * third of the lease and never more than 2 seconds. Connecting, renewing and taking over run on one
 * {@code notifier-cluster} thread, which may wait for Redis; one {@code notifier-cluster-lease} thread, which never
 * does, stops a worker whose lease was not renewed within two thirds of it. What other instances published is
 * received on Lettuce's event loop thread of the pub/sub connection and delivered, in the order received, on one
 * {@code notifier-cluster-inbound} thread. Every method is safe to call from any thread.
 */
public final class RedisNotifierCluster implements NotifierCluster {

	private final Supplier<RedisClient> clientSource;

	private final RedisClusterOptions options;

	/** Counts across starts, and also what is broadcast while the cluster is not started. */
	private final LongAdder unpublished = new LongAdder();

	private final LongAdder droppedInbound = new LongAdder();

	private final LongAdder pubSubRestarts = new LongAdder();

	private volatile @Nullable Running running;

	private volatile String notRunning = "not connected to Redis yet";

	/**
	 * A cluster on the server of this client.
	 * @param clientSource the Lettuce client (not a cluster client), asked for once per {@link #start}
	 * @param options the settings
	 */
	public RedisNotifierCluster(Supplier<RedisClient> clientSource, RedisClusterOptions options) {
		this.clientSource = clientSource;
		this.options = options;
	}

	/** Connects (waiting for the first attempt up to 2 seconds) and starts renewing and taking over leases. */
	@Override
	public void start(ClusterNode node) {
		ScheduledThreadPoolExecutor clusterThread = ClusterThreads.scheduler("notifier-cluster");
		RedisConnections connections = new RedisConnections(this.clientSource, this.options, clusterThread);
		InboundDelivery inbound = new InboundDelivery(node, this.options.inboundQueueSize(), this.droppedInbound);
		WorkerLeases leases = new WorkerLeases(this.options, connections, node, clusterThread);
		PubSubProbe probe = new PubSubProbe(this.options, connections, clusterThread, this.pubSubRestarts);
		ClusterBus bus = new ClusterBus(this.options, connections, node, inbound, this.unpublished, probe,
				leases::released);
		connections.listen(bus);
		connections.listen(leases);
		// Before connecting: a group occupied meanwhile is then subscribed by the connection or by itself.
		this.running = new Running(clusterThread, connections, inbound, bus, leases, probe);
		connections.connect();
		leases.start();
		probe.start();
	}

	/**
	 * Releases the leases still held (pipelined, under one deadline of at most a third of the lease and 2 seconds),
	 * closes both connections and stops the cluster's threads.
	 */
	@Override
	public void stop() {
		Running running = this.running;
		this.running = null;
		this.notRunning = "the cluster is stopped";
		if (running != null) {
			running.clusterThread().shutdownNow();
			running.leases().stop();
			running.inbound().stop();
			running.connections().close();
		}
	}

	@Override
	public Delivery delivery(Delivery local) {
		return (broadcast) -> {
			int queued = local.deliver(broadcast);
			switch (broadcast.target()) {
				case GROUP, GROUP_OTHERS -> publish(broadcast.group(), broadcast.message());
				case ALL -> publish(null, broadcast.message());
				default -> {
					// A filter or a set of sessions exists only on this instance.
				}
			}
			return queued;
		};
	}

	@Override
	public void closed(@Nullable String group, CloseStatus status) {
		Running running = this.running;
		if (running != null) {
			running.bus().publish(group, status);
		}
		else {
			this.unpublished.increment();
		}
	}

	@Override
	public void groupOccupied(String group) {
		Running running = this.running;
		if (running != null) {
			running.bus().reconcile(group);
		}
	}

	@Override
	public void groupEmptied(String group) {
		Running running = this.running;
		if (running != null) {
			running.bus().reconcile(group);
			running.leases().forget(group);
		}
	}

	@Override
	public boolean acquireWorker(String group) {
		Running running = this.running;
		return running != null && running.leases().acquire(group);
	}

	@Override
	public void releaseWorker(String group) {
		Running running = this.running;
		if (running != null) {
			running.leases().release(group);
		}
	}

	@Override
	public String instanceId() {
		return this.options.instanceId();
	}

	@Override
	public @Nullable String workerInstance(String group) {
		Running running = this.running;
		return (running != null) ? running.leases().holder(group) : null;
	}

	@Override
	public @Nullable String unavailable() {
		Running running = this.running;
		if (running == null) {
			return this.notRunning;
		}
		String connections = running.connections().unavailable();
		return (connections != null) ? connections : running.probe().problem();
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
		return (running != null) ? running.leases().held() : Set.of();
	}

	private void publish(@Nullable String group, OutboundMessage message) {
		Running running = this.running;
		if (running != null) {
			running.bus().publish(group, message);
		}
		else {
			this.unpublished.increment();
		}
	}

	/** The parts of one run, from {@link #start} to {@link #stop}. */
	private record Running(ScheduledThreadPoolExecutor clusterThread, RedisConnections connections,
			InboundDelivery inbound, ClusterBus bus, WorkerLeases leases, PubSubProbe probe) {
	}

}
