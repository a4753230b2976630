package dev.notifier.redis.autoconfigure;

import java.time.Duration;
import java.util.Map;

import dev.notifier.core.NotifierCluster;
import dev.notifier.redis.RedisNotifierCluster;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.Configurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * When the Redis cluster is configured and when it is not. The cluster is created here but never started: these
 * tests need no Redis server.
 */
class NotifierRedisAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
				NotifierRedisAutoConfiguration.class, NotifierRedisMetricsAutoConfiguration.class));

	@Test
	void runWithoutClusterModeShouldNotCreateAnythingAboutRedisForTheNotifier() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(NotifierCluster.class));
	}

	@Test
	void runWithClusterModeRedisShouldBindTheClusterPropertiesHere() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=redis", "notifier.cluster.prefix=shop:")
			.run((context) -> assertThat(context.getBean(NotifierRedisProperties.class).getPrefix())
				.isEqualTo("shop:"));
	}

	@Test
	void runWithClusterModeRedisInAnyCaseShouldCreateTheCluster() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=REDIS")
			.run((context) -> assertThat(context).hasSingleBean(RedisNotifierCluster.class));
	}

	@Test
	void runWithClusterModeNoneShouldNotCreateTheCluster() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=none")
			.run((context) -> assertThat(context).doesNotHaveBean(NotifierCluster.class));
	}

	@Test
	void runWithClusterModeRedisShouldCreateTheRedisCluster() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=redis", "notifier.cluster.instance-id=one")
			.run((context) -> {
				assertThat(context).hasSingleBean(RedisNotifierCluster.class);
				assertThat(context.getBean(NotifierCluster.class).instanceId()).isEqualTo("one");
			});
	}

	@Test
	void instanceIdWhenUnsetShouldBeTheApplicationNameAndARandomSuffix() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=redis", "spring.application.name=shop")
			.run((context) -> assertThat(context.getBean(NotifierCluster.class).instanceId())
				.matches("shop-[0-9a-f]{8}"));
	}

	@Test
	void runWhenNotifierDisabledShouldNotCreateTheCluster() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=redis", "notifier.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(NotifierCluster.class));
	}

	@Test
	void runWithoutLettuceShouldNotCreateTheCluster() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=redis")
			.withClassLoader(new FilteredClassLoader(RedisClient.class))
			.run((context) -> assertThat(context).doesNotHaveBean(NotifierCluster.class));
	}

	@Test
	void clusterWhenUserDefinesOneShouldBackOff() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=redis")
			.withBean("customCluster", NotifierCluster.class,
					() -> mock(NotifierCluster.class))
			.run((context) -> assertThat(context).getBeans(NotifierCluster.class).containsOnlyKeys("customCluster"));
	}

	@Test
	void shardClientsWhenUserDefinesAClusterShouldBackOffWithTheCluster() {
		this.contextRunner
			.withPropertyValues("notifier.cluster.mode=redis",
					"notifier.cluster.shards=redis://127.0.0.1:7001,redis://127.0.0.1:7002")
			.withBean("customCluster", NotifierCluster.class, () -> mock(NotifierCluster.class))
			.run((context) -> {
				assertThat(context).getBeans(NotifierCluster.class).containsOnlyKeys("customCluster");
				assertThat(context).doesNotHaveBean(NotifierRedisShards.class);
			});
	}

	@Test
	void shardClientsShouldBeCreatedWithTheCluster() {
		this.contextRunner
			.withPropertyValues("notifier.cluster.mode=redis",
					"notifier.cluster.shards=redis://127.0.0.1:7001,redis://127.0.0.1:7002")
			.run((context) -> {
				assertThat(context).hasSingleBean(RedisNotifierCluster.class);
				assertThat(context).hasSingleBean(NotifierRedisShards.class);
			});
	}

	@Test
	void onARedisClusterAPrefixWithABraceShouldFailNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("notifier.cluster.mode=redis", "notifier.cluster.prefix=shop{1}:",
					"spring.data.redis.cluster.nodes=127.0.0.1:7000")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("notifier.cluster.prefix")
				.hasMessageContaining("must not contain '{' or '}' on a Redis Cluster"));
	}

	@Test
	void onARedisClusterTheClusterShouldBeCreated() {
		this.contextRunner
			.withPropertyValues("notifier.cluster.mode=redis", "spring.data.redis.cluster.nodes=127.0.0.1:7000")
			.run((context) -> assertThat(context).hasSingleBean(RedisNotifierCluster.class));
	}

	@Test
	void workerLeaseTooShortShouldFailNamingTheProperty() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=redis", "notifier.cluster.worker-lease=100ms")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("notifier.cluster.worker-lease")
				.hasMessageContaining("must be at least 300ms"));
	}

	@Test
	void inboundQueueSizeZeroShouldFailNamingTheProperty() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=redis", "notifier.cluster.inbound-queue-size=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("notifier.cluster.inbound-queue-size")
				.hasMessageContaining("must be positive"));
	}

	@Test
	void instanceIdWithALineBreakShouldFailNamingThePropertyAsPresenceSplitsItsFieldsThere() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=redis", "notifier.cluster.instance-id=a\nb")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("notifier.cluster.instance-id")
				.hasMessageContaining("must not contain a line break"));
	}

	@Test
	void probeIntervalNotLongerThanItsTimeoutShouldFailNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("notifier.cluster.mode=redis", "notifier.cluster.probe-interval=2s",
					"notifier.cluster.probe-timeout=2s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("notifier.cluster.probe-interval")
				.hasMessageContaining("must be longer than the probe timeout (PT2S)"));
	}

	@Test
	void negativePublishLingerShouldFailNamingTheProperty() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=redis", "notifier.cluster.publish-linger=-1ms")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("notifier.cluster.publish-linger")
				.hasMessageContaining("must not be negative"));
	}

	@Test
	void everyRuleOfTheClusterOptionsShouldFailStartupNamingItsProperty() {
		Map<String, String> invalid = Map.of("notifier.cluster.prefix", "", "notifier.cluster.instance-id", " ",
				"notifier.cluster.worker-lease", "299ms", "notifier.cluster.reconnect-max-delay", "0s",
				"notifier.cluster.max-pending-publishes", "0", "notifier.cluster.inbound-queue-size", "-1",
				"notifier.cluster.probe-timeout", "0s", "notifier.cluster.probe-interval", "1s",
				"notifier.cluster.publish-linger", "-1ms");
		invalid.forEach((property, value) -> this.contextRunner
			.withPropertyValues("notifier.cluster.mode=redis", property + "=" + value)
			.run((context) -> assertThat(context).getFailure()
				.as(property)
				.rootCause()
				.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
						(ex) -> assertThat(ex.getName()).isEqualTo(property))));
	}

	@Test
	void publishLingerShouldDefaultToTwoMillisecondsAndReachTheClusterOptions() {
		NotifierRedisProperties properties = new NotifierRedisProperties();
		assertThat(NotifierRedisAutoConfiguration.options(properties, new MockEnvironment()).publishLinger())
			.isEqualTo(Duration.ofMillis(2));
		properties.setPublishLinger(Duration.ZERO);
		assertThat(NotifierRedisAutoConfiguration.options(properties, new MockEnvironment()).publishLinger()).isZero();
	}

	@Test
	void metricsShouldBeConfiguredWithTheCluster() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=redis")
			.run((context) -> assertThat(context).hasSingleBean(NotifierRedisMetrics.class));
	}

	@Test
	void metricsShouldBeConfiguredAfterSpringBootsMetricsAutoConfiguration() {
		// Without the ordering, the notifier's class would come first: its package sorts before Spring Boot's.
		assertThat(Configurations.getClasses(AutoConfigurations.of(NotifierRedisMetricsAutoConfiguration.class,
				MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class)))
			.endsWith(NotifierRedisMetricsAutoConfiguration.class);
	}

	@Test
	void metricsWithoutTheClusterShouldNotBeConfigured() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(NotifierRedisMetrics.class));
	}

	@Test
	void metricsWhenUserDefinesThemShouldBackOff() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=redis")
			.withUserConfiguration(CustomMetricsConfiguration.class)
			.run((context) -> assertThat(context).getBeans(NotifierRedisMetrics.class)
				.containsOnlyKeys("customMetrics"));
	}

	@Test
	void shardThatIsNotARedisUrlShouldFailNamingTheEntry() {
		this.contextRunner
			.withPropertyValues("notifier.cluster.mode=redis",
					"notifier.cluster.shards=redis://127.0.0.1:7001,http://127.0.0.1:7002")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("notifier.cluster.shards[1]")
				.hasMessageContaining("is not a Redis URL"));
	}

	@Test
	void shardListedTwiceShouldFailNamingTheEntry() {
		this.contextRunner
			.withPropertyValues("notifier.cluster.mode=redis",
					"notifier.cluster.shards=redis://127.0.0.1:7001,redis://127.0.0.1:7001")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("notifier.cluster.shards[1]")
				.hasMessageContaining("appears twice"));
	}

	@Test
	void withShardsTheClusterDoesNotNeedSpringBootsLettuceConnectionFactory() {
		// The shards have clients of their own; Spring Boot's connection factory is left to the application.
		this.contextRunner
			.withPropertyValues("notifier.cluster.mode=redis",
					"notifier.cluster.shards=redis://127.0.0.1:7001,redis://127.0.0.1:7002")
			.withBean(RedisConnectionFactory.class, () -> mock(RedisConnectionFactory.class))
			.run((context) -> assertThat(context).hasSingleBean(RedisNotifierCluster.class));
	}

	@Test
	void emptyPrefixShouldFailNamingTheProperty() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=redis", "notifier.cluster.prefix=")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("notifier.cluster.prefix"));
	}

	@Test
	void aConnectionFactoryThatIsNotLettuceShouldFailSayingSo() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=redis")
			.withBean(RedisConnectionFactory.class, () -> mock(RedisConnectionFactory.class))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("needs Spring Boot's Lettuce connection factory"));
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomMetricsConfiguration {

		@Bean
		NotifierRedisMetrics customMetrics(RedisNotifierCluster cluster) {
			return new NotifierRedisMetrics(cluster);
		}

	}

}
