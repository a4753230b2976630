package dev.notifier.redis.autoconfigure;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import dev.notifier.autoconfigure.NotifierAutoConfiguration;
import dev.notifier.core.NotifierCluster;
import dev.notifier.redis.RedisClusterOptions;
import dev.notifier.redis.RedisNotifierCluster;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Auto-configuration of cluster mode on Redis, with {@code notifier.cluster.mode=redis}: a
 * {@link RedisNotifierCluster} on the Lettuce client of Spring Boot's {@link RedisConnectionFactory}
 * ({@code spring.data.redis.*}: a standalone server, Sentinel, or a Redis Cluster with
 * {@code spring.data.redis.cluster.nodes}), or on the servers of {@code notifier.cluster.shards}, which the engine of
 * {@link NotifierAutoConfiguration} joins. Without the property nothing about Redis is created here.
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
		before = NotifierAutoConfiguration.class)
@ConditionalOnClass({ RedisClient.class, LettuceConnectionFactory.class })
@ConditionalOnBooleanProperty(name = "notifier.enabled", matchIfMissing = true)
@ConditionalOnProperty(name = "notifier.cluster.mode", havingValue = "redis")
@EnableConfigurationProperties(NotifierRedisProperties.class)
public final class NotifierRedisAutoConfiguration {

	private static final String PREFIX = "notifier.cluster.";

	/** Where a record component's name starts a word, which the property's name separates with a dash. */
	private static final Pattern PROPERTY_WORDS = Pattern.compile("(?<=[a-z])([A-Z])");

	/**
	 * The clients of {@code notifier.cluster.shards}, if any: a part of the cluster below, so it backs off with it,
	 * for a {@link NotifierCluster} of the application's own, and is never replaced alone.
	 */
	@Bean
	@ConditionalOnMissingBean(NotifierCluster.class)
	NotifierRedisShards notifierRedisShards(NotifierRedisProperties properties,
			ObjectProvider<ClientResources> clientResources) {
		return new NotifierRedisShards(shards(properties), clientResources.getIfAvailable());
	}

	@Bean
	@ConditionalOnMissingBean(NotifierCluster.class)
	RedisNotifierCluster notifierCluster(RedisConnectionFactory connectionFactory, NotifierRedisProperties properties,
			NotifierRedisShards shards, Environment environment) {
		RedisClusterOptions options = options(properties, environment);
		if (!shards.isEmpty()) {
			return new RedisNotifierCluster(shards.clients(), options);
		}
		if (!(connectionFactory instanceof LettuceConnectionFactory lettuce)) {
			throw new IllegalStateException("notifier.cluster.mode=redis needs Spring Boot's Lettuce connection "
					+ "factory, but the RedisConnectionFactory is a " + connectionFactory.getClass().getName());
		}
		if (lettuce.isClusterAware()) {
			return checked(() -> RedisNotifierCluster
				.onRedisCluster(() -> (RedisClusterClient) nativeClient(lettuce), options));
		}
		return new RedisNotifierCluster(() -> (RedisClient) nativeClient(lettuce), options);
	}

	private static Object nativeClient(LettuceConnectionFactory lettuce) {
		if (!lettuce.isRunning()) {
			lettuce.start();
		}
		return lettuce.getRequiredNativeClient();
	}

	/**
	 * The options of the properties; {@link RedisClusterOptions} checks every value, and a failure names the
	 * property.
	 */
	static RedisClusterOptions options(NotifierRedisProperties cluster, Environment environment) {
		String instanceId = instanceId(cluster, environment);
		return checked(() -> new RedisClusterOptions(cluster.getPrefix(), instanceId, cluster.getWorkerLease(),
				cluster.getReconnectMaxDelay(), cluster.getMaxPendingPublishes(), cluster.getInboundQueueSize(),
				cluster.getProbeInterval(), cluster.getProbeTimeout(), cluster.getPublishLinger()));
	}

	/** The configured instance id, or the application's name followed by 8 random hexadecimal digits. */
	private static String instanceId(NotifierRedisProperties cluster, Environment environment) {
		String configured = cluster.getInstanceId();
		if (configured != null) {
			return configured;
		}
		return environment.getProperty("spring.application.name", "notifier") + "-"
				+ HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
	}

	/** Reports a setting that {@link RedisClusterOptions} refuses as the property it comes from. */
	private static <T> T checked(Supplier<T> creation) {
		try {
			return creation.get();
		}
		catch (RedisClusterOptions.InvalidOptionException ex) {
			throw invalid(PROPERTY_WORDS.matcher(ex.option()).replaceAll("-$1").toLowerCase(Locale.ROOT), ex.value(),
					ex.reason());
		}
	}

	/** The servers of {@code notifier.cluster.shards}, checked: each a Redis URL, none twice. */
	static List<RedisURI> shards(NotifierRedisProperties cluster) {
		List<RedisURI> servers = new ArrayList<>();
		List<String> urls = cluster.getShards();
		for (int index = 0; index < urls.size(); index++) {
			String url = urls.get(index);
			RedisURI server;
			try {
				server = RedisURI.create(url);
			}
			catch (IllegalArgumentException ex) {
				throw invalid("shards[" + index + "]", url, "is not a Redis URL: " + ex.getMessage());
			}
			if (urls.subList(0, index).contains(url)) {
				throw invalid("shards[" + index + "]", url, "appears twice");
			}
			servers.add(server);
		}
		return servers;
	}

	private static InvalidConfigurationPropertyValueException invalid(String name, Object value, String reason) {
		return new InvalidConfigurationPropertyValueException(PREFIX + name, value, reason);
	}

}
