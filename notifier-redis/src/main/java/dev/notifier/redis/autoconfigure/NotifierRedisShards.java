package dev.notifier.redis.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;

/**
 * The Lettuce clients of the servers of {@code notifier.cluster.shards}, created when the cluster first connects to
 * each, on Spring Boot's Lettuce {@link ClientResources} when there are some, and shut down with the application
 * context. Without shards there are none: the cluster uses Spring Boot's own client. The list of clients is only
 * added to, from the cluster threads, and read when the context closes.
 */
final class NotifierRedisShards implements DisposableBean {

	private final List<RedisURI> servers;

	private final @Nullable ClientResources resources;

	private final List<RedisClient> created = new CopyOnWriteArrayList<>();

	NotifierRedisShards(List<RedisURI> servers, @Nullable ClientResources resources) {
		this.servers = List.copyOf(servers);
		this.resources = resources;
	}

	/** Whether any shard is configured. */
	boolean isEmpty() {
		return this.servers.isEmpty();
	}

	/** One client source per shard, in the configured order. */
	List<Supplier<RedisClient>> clients() {
		return this.servers.stream().<Supplier<RedisClient>>map((server) -> () -> create(server)).toList();
	}

	private RedisClient create(RedisURI server) {
		RedisClient client = (this.resources != null) ? RedisClient.create(this.resources, server)
				: RedisClient.create(server);
		this.created.add(client);
		return client;
	}

	@Override
	public void destroy() {
		for (RedisClient client : this.created) {
			client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		}
	}

}
