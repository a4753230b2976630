package dev.notifier.autoconfigure;

import java.util.Locale;

import dev.notifier.core.NotifierCluster;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * The switch {@code notifier.cluster.mode}: {@code none} (the default) or {@code redis}. It is read here, and not bound
 * to a properties class of this module, because the properties of a mode live in the module that implements it
 * (notifier-redis binds {@code notifier.cluster.*}); what this module checks is that the mode asked for is there, so
 * that {@code redis} without notifier-redis fails startup instead of leaving every instance alone unnoticed.
 */
final class ClusterMode {

	static final String PROPERTY = "notifier.cluster.mode";

	static final String REDIS_CLUSTER_CLASS = "dev.notifier.redis.RedisNotifierCluster";

	static final String LETTUCE_CLASS = "io.lettuce.core.RedisClient";

	private ClusterMode() {
	}

	/**
	 * Fails with {@link ClusterModeUnavailableException} when the mode is {@code redis} and there is no cluster to
	 * join, and with {@link InvalidConfigurationPropertyValueException} for a mode that does not exist.
	 * @param cluster the {@link NotifierCluster} bean, or {@code null}
	 */
	static void check(Environment environment, @Nullable NotifierCluster cluster) {
		String mode = environment.getProperty(PROPERTY, "none").trim();
		switch (mode.toLowerCase(Locale.ROOT)) {
			case "none" -> {
			}
			case "redis" -> {
				if (cluster == null) {
					ClassLoader classLoader = ClusterMode.class.getClassLoader();
					throw new ClusterModeUnavailableException(mode,
							ClassUtils.isPresent(REDIS_CLUSTER_CLASS, classLoader),
							ClassUtils.isPresent(LETTUCE_CLASS, classLoader));
				}
			}
			default -> throw new InvalidConfigurationPropertyValueException(PROPERTY, mode,
					"must be 'none' or 'redis'");
		}
	}

}
