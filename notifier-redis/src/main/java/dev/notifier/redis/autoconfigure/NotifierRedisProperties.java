package dev.notifier.redis.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of cluster mode on Redis, used with {@code notifier.cluster.mode=redis}. The Redis server itself is
 * Spring Boot's, {@code spring.data.redis.*}. The values are checked, naming the property, when the cluster is created
 * ({@code NotifierRedisAutoConfiguration}).
 */
@ConfigurationProperties("notifier.cluster")
public class NotifierRedisProperties {

	/**
	 * Prefix of every Redis key and pub/sub channel the cluster uses. Instances with the same prefix on the same
	 * Redis server form one cluster. On a Redis Cluster it must not contain '{' or '}'.
	 */
	private String prefix = "notifier:";

	/**
	 * Redis servers to spread the groups over, as URLs ("redis://host:6379"), instead of the one server of
	 * "spring.data.redis.*": each group lives on one of them, chosen by consistent hashing of its name (its
	 * broadcasts, closes and worker lease), and broadcasts to all groups go through the first. Every instance must
	 * list the same servers in the same order; a server added at the end takes about 1/n of the groups. When empty,
	 * the server of "spring.data.redis.*".
	 */
	private List<String> shards = new ArrayList<>();

	/**
	 * Name of this instance in the cluster, shown by the Actuator endpoint as the holder of workers; it must differ
	 * between instances. When unset, "spring.application.name" (or "notifier") followed by "-" and 8 random
	 * hexadecimal digits, new at every start.
	 */
	private @Nullable String instanceId;

	/**
	 * How long the lease on a group's worker lasts in Redis unless renewed; the holder renews it every third of this.
	 * When the holder dies, another instance with sessions in the group takes the worker over when the dead holder's
	 * lease expires, at most half of this later.
	 */
	private Duration workerLease = Duration.ofSeconds(10);

	/**
	 * Longest wait between two attempts to connect to Redis when there is no connection (at startup, or after one was
	 * closed): the first attempt comes after 100ms and each failure doubles the wait up to this. A connection that
	 * drops is reconnected by Lettuce itself, with the reconnect delay of Spring Boot's Lettuce ClientResources.
	 */
	private Duration reconnectMaxDelay = Duration.ofSeconds(5);

	/**
	 * Publishes waiting to be sent to Redis or for its reply beyond which a further broadcast reaches this instance's
	 * sessions only and is counted as unpublished.
	 */
	private int maxPendingPublishes = 10000;

	/**
	 * Messages from other instances waiting to be delivered to this instance's sessions beyond which a further one is
	 * dropped and counted, rather than holding up the Redis client's event loop. Group closes are never dropped.
	 */
	private int inboundQueueSize = 10000;

	/**
	 * How often this instance checks end to end that its pub/sub subscription still delivers, by publishing a probe
	 * on a channel only it subscribes to. A subscription found silent is replaced with a new connection, reported by
	 * the health indicator and counted by the notifier.cluster.pubsub.restarts meter.
	 */
	private Duration probeInterval = Duration.ofSeconds(5);

	/**
	 * How long after Redis acknowledged a probe it must have come back; a probe that does not counts the subscription
	 * as silent. Must be shorter than probe-interval.
	 */
	private Duration probeTimeout = Duration.ofSeconds(2);

	/**
	 * How long after a round of publishes to a Redis server the next round waits while this instance broadcasts
	 * faster than that, so that broadcasts to one group made meanwhile go in one PUBLISH: fewer commands, replies and
	 * echoes for Redis and every instance, at up to this much more latency across instances. A broadcast after a
	 * quiet spell goes at once. Zero sends the next round as soon as Redis has answered the last.
	 */
	private Duration publishLinger = Duration.ofMillis(2);

	public String getPrefix() {
		return this.prefix;
	}

	public void setPrefix(String prefix) {
		this.prefix = prefix;
	}

	public List<String> getShards() {
		return this.shards;
	}

	public void setShards(List<String> shards) {
		this.shards = shards;
	}

	public @Nullable String getInstanceId() {
		return this.instanceId;
	}

	public void setInstanceId(@Nullable String instanceId) {
		this.instanceId = instanceId;
	}

	public Duration getWorkerLease() {
		return this.workerLease;
	}

	public void setWorkerLease(Duration workerLease) {
		this.workerLease = workerLease;
	}

	public Duration getReconnectMaxDelay() {
		return this.reconnectMaxDelay;
	}

	public void setReconnectMaxDelay(Duration reconnectMaxDelay) {
		this.reconnectMaxDelay = reconnectMaxDelay;
	}

	public int getMaxPendingPublishes() {
		return this.maxPendingPublishes;
	}

	public void setMaxPendingPublishes(int maxPendingPublishes) {
		this.maxPendingPublishes = maxPendingPublishes;
	}

	public int getInboundQueueSize() {
		return this.inboundQueueSize;
	}

	public void setInboundQueueSize(int inboundQueueSize) {
		this.inboundQueueSize = inboundQueueSize;
	}

	public Duration getProbeInterval() {
		return this.probeInterval;
	}

	public void setProbeInterval(Duration probeInterval) {
		this.probeInterval = probeInterval;
	}

	public Duration getProbeTimeout() {
		return this.probeTimeout;
	}

	public void setProbeTimeout(Duration probeTimeout) {
		this.probeTimeout = probeTimeout;
	}

	public Duration getPublishLinger() {
		return this.publishLinger;
	}

	public void setPublishLinger(Duration publishLinger) {
		this.publishLinger = publishLinger;
	}

}
