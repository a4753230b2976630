package dev.notifier.redis.autoconfigure;

import dev.notifier.redis.RedisNotifierCluster;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the cluster's Micrometer meters, when the cluster on Redis exists; ordered after Spring Boot's
 * metrics auto-configuration, as Boot's own binders are.
 */
@AutoConfiguration(after = NotifierRedisAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(RedisNotifierCluster.class)
public final class NotifierRedisMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	NotifierRedisMetrics notifierRedisMetrics(RedisNotifierCluster cluster) {
		return new NotifierRedisMetrics(cluster);
	}

}
