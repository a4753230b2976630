package dev.notifier.autoconfigure.actuate;

import dev.notifier.autoconfigure.HandshakeRefusals;
import dev.notifier.autoconfigure.NotifierAutoConfiguration;
import dev.notifier.autoconfigure.StubCluster;
import dev.notifier.core.NotifierEngine;
import dev.notifier.core.NotifierOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.Configurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class NotifierActuatorAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(NotifierAutoConfiguration.class, EndpointAutoConfiguration.class,
				NotifierEndpointAutoConfiguration.class, NotifierHealthAutoConfiguration.class,
				NotifierMetricsAutoConfiguration.class));

	@Test
	void runWhenEndpointNotExposedShouldNotHaveEndpointBean() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(NotifierEndpoint.class));
	}

	@Test
	void runWhenEndpointExposedShouldHaveEndpointBean() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=notifier")
			.run((context) -> assertThat(context).hasSingleBean(NotifierEndpoint.class));
	}

	@Test
	void endpointWhenUserDefinesOneShouldBackOff() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=notifier")
			.withBean("customEndpoint", NotifierEndpoint.class,
					() -> new NotifierEndpoint(NotifierEngine.builder(NotifierOptions.builder().maxGroupLength(16).build()).build()))
			.run((context) -> assertThat(context).getBean(NotifierEndpoint.class)
				.isSameAs(context.getBean("customEndpoint")));
	}

	@Test
	void runWhenEndpointAccessIsNoneShouldNotHaveEndpointBean() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=notifier",
					"management.endpoint.notifier.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(NotifierEndpoint.class));
	}

	@Test
	void runWithoutActuatorShouldStillHaveTheEngine() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(Endpoint.class, HealthIndicator.class))
			.withPropertyValues("management.endpoints.web.exposure.include=notifier")
			.run((context) -> {
				assertThat(context).hasSingleBean(NotifierEngine.class);
				assertThat(context).doesNotHaveBean(NotifierEndpoint.class);
				assertThat(context).doesNotHaveBean(NotifierHealthIndicator.class);
			});
	}

	@Test
	void runWhenNotifierDisabledShouldHaveNoActuatorBeans() {
		this.contextRunner
			.withPropertyValues("notifier.enabled=false", "management.endpoints.web.exposure.include=notifier")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(NotifierEndpoint.class);
				assertThat(context).doesNotHaveBean(NotifierHealthIndicator.class);
				assertThat(context).doesNotHaveBean(NotifierMetrics.class);
			});
	}

	@Test
	void healthIndicatorShouldBeUpWhileTheEngineRunsAndDownAfterShutdown() {
		this.contextRunner.run((context) -> {
			NotifierHealthIndicator indicator = context.getBean(NotifierHealthIndicator.class);
			Health up = indicator.health(true);
			assertThat(up.getStatus()).isEqualTo(Status.UP);
			assertThat(up.getDetails()).containsEntry("sessions", 0).containsEntry("groups", 0).containsEntry("workers", 0);
			context.getBean(NotifierEngine.class).shutdown(dev.notifier.core.CloseStatus.GOING_AWAY,
					java.time.Duration.ZERO);
			Health down = indicator.health(true);
			assertThat(down.getStatus()).isEqualTo(Status.DOWN);
			assertThat(down.getDetails()).containsEntry("reason", "the notifier engine is shut down");
		});
	}

	@Test
	void healthIndicatorShouldBeDegradedWithTheReasonWhileTheClusterIsUnavailable() {
		this.contextRunner.withBean(StubCluster.class, StubCluster::new).run((context) -> {
			NotifierHealthIndicator indicator = context.getBean(NotifierHealthIndicator.class);
			StubCluster cluster = context.getBean(StubCluster.class);
			assertThat(indicator.health(true).getStatus()).isEqualTo(Status.UP);
			assertThat(indicator.health(true).getDetails()).containsEntry("instance", "stub-1");
			cluster.unavailable = "lost the connection to Redis";
			Health degraded = indicator.health(true);
			assertThat(degraded.getStatus()).isEqualTo(NotifierHealthIndicator.DEGRADED);
			assertThat(degraded.getDetails()).containsEntry("reason", "lost the connection to Redis");
			cluster.unavailable = null;
			assertThat(indicator.health(true).getStatus()).isEqualTo(Status.UP);
		});
	}

	@Test
	void healthIndicatorWhenUserDefinesOneShouldBackOff() {
		this.contextRunner.withBean("notifierHealthIndicator", HealthIndicator.class, () -> () -> Health.up().build())
			.run((context) -> {
				assertThat(context).doesNotHaveBean(NotifierHealthIndicator.class);
				assertThat(context).hasSingleBean(HealthIndicator.class);
			});
	}

	@Test
	void healthIndicatorWhenDisabledShouldBackOff() {
		this.contextRunner.withPropertyValues("management.health.notifier.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(NotifierHealthIndicator.class));
	}

	@Test
	void metricsShouldRegisterEveryMeterWithoutGroupTags() {
		this.contextRunner.run((context) -> {
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			context.getBean(NotifierMetrics.class).bindTo(registry);
			assertThat(registry.getMeters()).extracting((meter) -> meter.getId().getName())
				.contains("notifier.sessions", "notifier.groups", "notifier.workers", "notifier.connections.opened",
						"notifier.connections.closed", "notifier.messages.sent", "notifier.writes", "notifier.bytes.sent",
						"notifier.messages.dropped", "notifier.handshakes.refused", "notifier.broadcast.fanout");
			assertThat(registry.getMeters()).allSatisfy(
					(meter) -> assertThat(meter.getId().getTags()).noneMatch((tag) -> tag.getKey().equals("group")));
		});
	}

	@Test
	void metricsShouldBeBoundToTheRegistryOfSpringBootsMetricsAutoConfiguration() {
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
			.run((context) -> assertThat(context.getBean(MeterRegistry.class).find("notifier.sessions").gauge())
				.isNotNull());
	}

	@Test
	void metricsShouldBeConfiguredAfterSpringBootsMetricsAutoConfiguration() {
		// Without the ordering, the notifier's class would come first: its package sorts before Spring Boot's.
		assertThat(Configurations.getClasses(AutoConfigurations.of(NotifierMetricsAutoConfiguration.class,
				MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class)))
			.endsWith(NotifierMetricsAutoConfiguration.class);
	}

	@Test
	void metricsWithoutMicrometerShouldNotBeConfigured() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterBinder.class))
			.run((context) -> assertThat(context).doesNotHaveBean(NotifierMetrics.class));
	}

	@Test
	void metricsWhenUserDefinesABinderShouldBackOff() {
		this.contextRunner
			.withBean("customMetrics", NotifierMetrics.class,
					() -> new NotifierMetrics(NotifierEngine.builder(
							dev.notifier.core.NotifierOptions.builder().build()).build(), new HandshakeRefusals()))
			.run((context) -> assertThat(context).getBeans(MeterBinder.class).containsOnlyKeys("customMetrics"));
	}


}
