package dev.notifier.redis.autoconfigure;

import dev.notifier.redis.RedisNotifierCluster;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The cluster's meters, under {@code notifier.cluster.}: what did not cross between the instances, and how often the
 * pub/sub subscription had to be replaced. Every meter reads a counter the cluster keeps anyway.
 */
public class NotifierRedisMetrics implements MeterBinder {

	private final RedisNotifierCluster cluster;

	public NotifierRedisMetrics(RedisNotifierCluster cluster) {
		this.cluster = cluster;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		FunctionCounter.builder("notifier.cluster.unpublished", this.cluster, RedisNotifierCluster::unpublished)
			.description("Broadcasts and closes of this instance that Redis could not take, which reached its own "
					+ "sessions only")
			.register(registry);
		FunctionCounter.builder("notifier.cluster.inbound.dropped", this.cluster, RedisNotifierCluster::droppedInbound)
			.description("Messages of other instances dropped because the inbound queue was full")
			.register(registry);
		FunctionCounter.builder("notifier.cluster.pubsub.restarts", this.cluster, RedisNotifierCluster::pubSubRestarts)
			.description("Pub/sub subscriptions found to have stopped delivering, each replaced with a new connection")
			.register(registry);
	}

}
