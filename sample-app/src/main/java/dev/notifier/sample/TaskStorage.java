package dev.notifier.sample;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Where the tasks are kept: in memory when the sample runs alone (the default), in Redis when it runs as a
 * cluster ({@code notifier.cluster.mode=redis}), so that every instance sees every task.
 */
@Configuration(proxyBeanMethods = false)
class TaskStorage {

	@Bean
	@ConditionalOnProperty(name = "notifier.cluster.mode", havingValue = "none", matchIfMissing = true)
	Tasks memoryTasks(TaskProperties properties) {
		return new MemoryTasks(properties);
	}

	@Bean
	@ConditionalOnProperty(name = "notifier.cluster.mode", havingValue = "redis")
	Tasks redisTasks(StringRedisTemplate redis, @Value("${notifier.cluster.prefix:notifier:}") String prefix) {
		return new RedisTasks(redis, prefix);
	}

}
