package dev.notifier.autoconfigure;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.notifier.autoconfigure.security.OAuth2TokenExpiry;
import dev.notifier.core.GroupAuthorizer;
import dev.notifier.core.GroupNotifier;
import dev.notifier.core.MessageEncoder;
import dev.notifier.core.NotifierCluster;
import dev.notifier.core.NotifierEngine;
import dev.notifier.core.NotifierOptions;
import dev.notifier.core.OverflowPolicy;
import dev.notifier.core.SessionExpiry;
import dev.notifier.core.WorkerOptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class NotifierAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, NotifierAutoConfiguration.class));

	@Test
	void runShouldRegisterEngineAsTheGroupNotifier() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(GroupNotifier.class).hasSingleBean(NotifierEngine.class);
			assertThat(context.getBean(GroupNotifier.class)).isSameAs(context.getBean(NotifierEngine.class));
			assertThat(context.getBean(NotifierEngine.class).isRunning()).isTrue();
		});
	}

	@Test
	void runShouldAllowEveryGroupByDefault() {
		this.contextRunner.run((context) -> assertThat(context.getBean(GroupAuthorizer.class))
			.isSameAs(GroupAuthorizer.ALLOW_ALL));
	}

	@Test
	void runWhenDisabledShouldNotRegisterAnything() {
		this.contextRunner.withPropertyValues("notifier.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(NotifierEngine.class);
			assertThat(context).doesNotHaveBean(NotifierLifecycle.class);
			assertThat(context).doesNotHaveBean(NotifierProperties.class);
		});
	}

	@Test
	void engineWhenHasNoClusterBeanShouldStandAlone() {
		this.contextRunner.run((context) -> assertThat(context.getBean(NotifierEngine.class).cluster()).isNull());
	}

	@Test
	void engineWhenHasAClusterBeanShouldJoinIt() {
		this.contextRunner.withBean(NotifierCluster.class, StubCluster::new)
			.run((context) -> assertThat(context.getBean(NotifierEngine.class).cluster())
				.isSameAs(context.getBean(NotifierCluster.class)));
	}

	@Test
	void clusterModeRedisWithoutAClusterShouldFailStartupSayingWhatIsMissing() {
		// notifier-redis is not on this module's test class path, as in an application that forgot it.
		this.contextRunner.withPropertyValues("notifier.cluster.mode=redis")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOfSatisfying(ClusterModeUnavailableException.class, (ex) -> {
					assertThat(ex.isRedisModulePresent()).isFalse();
					assertThat(ex).hasMessageContaining("notifier-redis is not on the classpath");
				}));
	}

	@Test
	void clusterModeRedisWithAClusterOfTheApplicationsOwnShouldJoinIt() {
		this.contextRunner.withPropertyValues("notifier.cluster.mode=redis")
			.withBean(NotifierCluster.class, StubCluster::new)
			.run((context) -> assertThat(context.getBean(NotifierEngine.class).cluster())
				.isSameAs(context.getBean(NotifierCluster.class)));
	}

	@Test
	void clusterModeThatDoesNotExistShouldFailStartupNamingTheProperty() {
		assertThat(startupFailureReason("notifier.cluster.mode=redsi")).isEqualTo("must be 'none' or 'redis'");
	}

	@Test
	void clusterModeShouldDefaultToNoneAndStandAlone() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(NotifierEngine.class).cluster()).isNull();
		});
	}

	@Test
	void customizersShouldExtendTheEngineInTheirOrderWithoutReplacingIt() {
		this.contextRunner.withUserConfiguration(CustomizerConfiguration.class).run((context) -> {
			NotifierEngine engine = context.getBean(NotifierEngine.class);
			List<String> seen = context.getBean(CustomizerConfiguration.class).seen;

			engine.broadcast("news", "hello");

			// The later customizer wraps the earlier one's decorator, so it sees the broadcast first.
			assertThat(seen).containsExactly("second news", "first news");
			assertThat(engine.isRunning()).isTrue();
		});
	}

	@Test
	void engineWhenUserDefinesOneShouldBackOff() {
		this.contextRunner.withUserConfiguration(CustomEngineConfiguration.class)
			.run((context) -> assertThat(context.getBean(NotifierEngine.class))
				.isSameAs(context.getBean("customEngine")));
	}

	@Test
	void engineWhenUserDefinesOneShouldBeTheOneTheLifecycleStarts() {
		this.contextRunner.withUserConfiguration(CustomEngineConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(NotifierEngine.class).hasSingleBean(GroupNotifier.class);
			assertThat(context.getBean(NotifierEngine.class).isRunning()).isTrue();
		});
	}

	@Test
	void groupNotifierOfTheUsersOwnShouldNotReplaceTheEngineBehindTheWebSocketEndpoint() {
		this.contextRunner.withUserConfiguration(DecoratingNotifierConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(NotifierEngine.class).hasSingleBean(NotifierLifecycle.class);
			assertThat(context.getBean(GroupNotifier.class)).isSameAs(context.getBean("auditingNotifier"));
			assertThat(context.getBean(NotifierEngine.class).isRunning()).isTrue();
		});
	}

	@Test
	void lifecycleWhenUserDefinesOneShouldBackOff() {
		this.contextRunner
			.withBean("customLifecycle", NotifierLifecycle.class,
					() -> new NotifierLifecycle(NotifierEngine.builder(NotifierOptions.builder().build()).build(),
							Duration.ofSeconds(42)))
			.run((context) -> assertThat(context).getBean(NotifierLifecycle.class)
				.isSameAs(context.getBean("customLifecycle")));
	}

	@Test
	void workerPropertiesShouldReachTheEngine() {
		this.contextRunner
			.withPropertyValues("notifier.workers.idle-timeout=7s", "notifier.workers.max-lifetime=2h",
					"notifier.workers.stop-grace=250ms", "notifier.workers.max-blocking=12")
			.run((context) -> assertThat(context.getBean(NotifierEngine.class)).extracting("workerOptions")
				.isInstanceOfSatisfying(WorkerOptions.class, (options) -> {
					assertThat(options.idleTimeout()).isEqualTo(Duration.ofSeconds(7));
					assertThat(options.maxLifetime()).isEqualTo(Duration.ofHours(2));
					assertThat(options.stopGrace()).isEqualTo(Duration.ofMillis(250));
					assertThat(options.maxBlockingWorkers()).isEqualTo(12);
				}));
	}

	@Test
	void workerDefaultsShouldMatchTheDocumentedOnes() {
		this.contextRunner.run((context) -> assertThat(context.getBean(NotifierEngine.class))
			.extracting("workerOptions")
			.isInstanceOfSatisfying(WorkerOptions.class, (options) -> {
				assertThat(options.idleTimeout()).isEqualTo(Duration.ofSeconds(1));
				assertThat(options.maxLifetime()).isEqualTo(Duration.ofHours(24));
				assertThat(options.stopGrace()).isEqualTo(Duration.ofSeconds(3));
				assertThat(options.maxBlockingWorkers()).isEqualTo(256);
			}));
	}

	@Test
	void shutdownTimeoutShouldReachTheLifecycle() {
		this.contextRunner.withPropertyValues("notifier.shutdown-timeout=4s")
			.run((context) -> assertThat(context.getBean(NotifierLifecycle.class)).extracting("shutdownTimeout")
				.isEqualTo(Duration.ofSeconds(4)));
	}

	@Test
	void groupAuthorizerWhenUserDefinesOneShouldBackOff() {
		this.contextRunner.withBean("onlyPublic", GroupAuthorizer.class,
				() -> (handshake) -> handshake.group().startsWith("public/"))
			.run((context) -> assertThat(context).getBean(GroupAuthorizer.class)
				.isSameAs(context.getBean("onlyPublic")));
	}

	@Test
	void messageEncoderWhenUserDefinesOneShouldBackOff() {
		this.contextRunner.withBean(MessageEncoder.class, () -> (payload) -> "custom:" + payload)
			.run((context) -> assertThat(context.getBean(MessageEncoder.class).encode(42)).isEqualTo("custom:42"));
	}

	@Test
	void messageEncoderShouldUseTheApplicationJsonMapper() {
		this.contextRunner.withPropertyValues("spring.jackson.property-naming-strategy=SNAKE_CASE")
			.run((context) -> assertThat(context.getBean(MessageEncoder.class).encode(new TaskLine(42, "started")))
				.isEqualTo("{\"task_id\":42,\"line\":\"started\"}"));
	}

	@Test
	void messageEncoderWithoutJacksonShouldRefuseObjectsWithAClearError() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(NotifierAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(JsonMapper.class))
			.run((context) -> {
				assertThat(context).doesNotHaveBean(MessageEncoder.class);
				GroupNotifier notifier = context.getBean(GroupNotifier.class);
				assertThat(notifier.broadcast("tasks/42", "text needs no encoder")).isZero();
				assertThatIllegalArgumentException().isThrownBy(() -> notifier.broadcast("tasks/42", new TaskLine(1, "x")))
					.withMessageContaining("no MessageEncoder is configured");
			});
	}

	@Test
	void propertiesShouldBeBoundToEngineOptions() {
		this.contextRunner
			.withPropertyValues("notifier.max-group-length=64", "notifier.max-inbound-message-size=8KB",
					"notifier.outbound.max-queued-messages=16", "notifier.outbound.max-queued-bytes=64KB",
					"notifier.outbound.overflow=drop-oldest", "notifier.outbound.send-timeout=3s",
					"notifier.heartbeat.interval=5s", "notifier.heartbeat.timeout=2s")
			.run((context) -> {
				NotifierOptions options = NotifierOptionsMapper.toOptions(context.getBean(NotifierProperties.class));
				assertThat(options.maxGroupLength()).isEqualTo(64);
				assertThat(options.maxInboundMessageSize()).isEqualTo(8 * 1024);
				assertThat(options.maxQueuedMessages()).isEqualTo(16);
				assertThat(options.maxQueuedBytes()).isEqualTo(64 * 1024);
				assertThat(options.overflow()).isEqualTo(OverflowPolicy.DROP_OLDEST);
				assertThat(options.sendTimeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(options.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
				assertThat(options.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(2));
			});
	}

	@Test
	void defaultsShouldMatchTheDocumentedOnes() {
		this.contextRunner.run((context) -> {
			NotifierOptions options = NotifierOptionsMapper.toOptions(context.getBean(NotifierProperties.class));
			assertThat(options.maxGroupLength()).isEqualTo(256);
			assertThat(options.maxInboundMessageSize()).isEqualTo(64 * 1024);
			assertThat(options.maxQueuedMessages()).isEqualTo(1024);
			assertThat(options.maxQueuedBytes()).isEqualTo(1024 * 1024);
			assertThat(options.overflow()).isEqualTo(OverflowPolicy.CLOSE);
			assertThat(options.sendTimeout()).isEqualTo(Duration.ofSeconds(10));
			assertThat(options.heartbeatInterval()).isEqualTo(Duration.ofSeconds(25));
			assertThat(options.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(10));
			assertThat(context.getBean(NotifierProperties.class).getPath()).isEqualTo("/ws");
		});
	}

	@Test
	void heartbeatIntervalOfZeroShouldTurnHeartbeatsOff() {
		this.contextRunner.withPropertyValues("notifier.heartbeat.interval=0s")
			.run((context) -> assertThat(
					NotifierOptionsMapper.toOptions(context.getBean(NotifierProperties.class)).heartbeatEnabled())
				.isFalse());
	}

	@Test
	void invalidPropertiesShouldFailStartupNamingTheProperty() {
		List<String> invalid = List.of("notifier.path=ws", "notifier.path=/ws/", "notifier.path=/ws/*",
				"notifier.path=/ws/..", "notifier.path=/a//b",
				"notifier.max-group-length=0", "notifier.max-inbound-message-size=0B",
				"notifier.max-inbound-message-size=3GB", "notifier.outbound.max-queued-messages=0",
				"notifier.outbound.max-queued-bytes=0B", "notifier.outbound.send-timeout=0s",
				"notifier.heartbeat.interval=-1s", "notifier.heartbeat.timeout=0s", "notifier.shutdown-timeout=-1s",
				"notifier.workers.idle-timeout=-1s", "notifier.workers.max-lifetime=0s",
				"notifier.workers.stop-grace=-1s", "notifier.workers.max-blocking=0",
				"notifier.limits.inbound-messages-per-second=0", "notifier.limits.inbound-burst=0",
				"notifier.limits.max-connections-per-user=0", "notifier.limits.max-connections-per-address=-1",
				"notifier.inbound-buffer-size=0B", "notifier.cluster.mode=both",
				"notifier.history.groups=tasks/a*", "notifier.history.max-messages=0", "notifier.history.max-size=0B",
				"notifier.history.time-to-live=0s", "notifier.history.replay-last=-1", "notifier.sse.path=sse",
				"notifier.sse.path=/ws");
		for (String property : invalid) {
			String name = property.substring(0, property.indexOf('='));
			this.contextRunner.withPropertyValues(property).run((context) -> {
				assertThat(context).as(property).hasFailed();
				assertThat(context.getStartupFailure()).as(property)
					.rootCause()
					.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
							(ex) -> assertThat(ex.getName()).isEqualTo(name));
			});
		}
	}

	@Test
	void invalidPathShouldFailStartupWithAReasonThatSaysWhatIsWrong() {
		assertThat(startupFailureReason("notifier.path=ws")).isEqualTo("must start with '/'");
		assertThat(startupFailureReason("notifier.path=/ws/")).isEqualTo(
				"must be '/' followed by segments that follow the group-name rules, but for 'ws/' the group name has "
						+ "an empty segment");
		assertThat(startupFailureReason("notifier.path=/ws/*")).isEqualTo(
				"must be '/' followed by segments that follow the group-name rules, but for 'ws/*' the group name has "
						+ "a character outside [A-Za-z0-9._~-] at position 3");
	}

	@Test
	void inboundBurstWithoutARateShouldFailStartupNamingWhatItNeeds() {
		assertThat(startupFailureReason("notifier.limits.inbound-burst=5"))
			.isEqualTo("needs notifier.limits.inbound-messages-per-second to be set");
	}

	@Test
	void inboundRateLimitShouldBeOffByDefault() {
		this.contextRunner.run((context) -> assertThat(context.getBean(NotifierEngine.class).options().inboundRateLimited())
			.isFalse());
	}

	@Test
	void inboundRateLimitShouldReachTheEngineWithOneSecondsWorthAsTheDefaultBurst() {
		this.contextRunner.withPropertyValues("notifier.limits.inbound-messages-per-second=20").run((context) -> {
			NotifierOptions options = context.getBean(NotifierEngine.class).options();
			assertThat(options.inboundMessagesPerSecond()).isEqualTo(20);
			assertThat(options.inboundBurst()).isEqualTo(20);
		});
	}

	@Test
	void inboundBurstShouldReachTheEngine() {
		this.contextRunner
			.withPropertyValues("notifier.limits.inbound-messages-per-second=20", "notifier.limits.inbound-burst=5")
			.run((context) -> assertThat(context.getBean(NotifierEngine.class).options().inboundBurst()).isEqualTo(5));
	}

	@Test
	void presenceShouldBeOffForEveryGroupByDefault() {
		this.contextRunner.run((context) -> assertThat(context.getBean(NotifierEngine.class).hasPresence("chat/lobby"))
			.isFalse());
	}

	@Test
	void presenceGroupsShouldReachTheEngine() {
		this.contextRunner.withPropertyValues("notifier.presence.groups=chat/**,admin/*").run((context) -> {
			NotifierEngine engine = context.getBean(NotifierEngine.class);
			assertThat(engine.hasPresence("chat/lobby/1")).isTrue();
			assertThat(engine.hasPresence("admin/audit")).isTrue();
			assertThat(engine.hasPresence("admin/a/b")).isFalse();
			assertThat(engine.hasPresence("tasks/1")).isFalse();
		});
	}

	@Test
	void invalidPresenceGroupPatternShouldFailStartupNamingTheProperty() {
		this.contextRunner.withPropertyValues("notifier.presence.groups=chat/**,admin/a*").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, (ex) -> {
					assertThat(ex.getName()).isEqualTo("notifier.presence.groups[1]");
					assertThat(ex.getReason()).isEqualTo("invalid group pattern 'admin/a*': segments are non-empty "
							+ "and '*' or '**' stand alone in a segment");
				});
		});
	}

	@Test
	void sessionExpiryShouldFollowOAuth2TokensWhenSpringSecuritysOAuth2CoreIsPresent() {
		this.contextRunner.run((context) -> assertThat(context).getBean(SessionExpiry.class)
			.isInstanceOf(OAuth2TokenExpiry.class));
	}

	@Test
	void sessionExpiryWithoutSpringSecuritysOAuth2CoreShouldBeAbsent() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.security.oauth2"))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(SessionExpiry.class));
	}

	@Test
	void sessionExpiryWhenSwitchedOffShouldBeAbsent() {
		this.contextRunner.withPropertyValues("notifier.security.close-on-token-expiry=false")
			.run((context) -> assertThat(context).doesNotHaveBean(SessionExpiry.class));
	}

	@Test
	void sessionExpiryWhenUserDefinesOneShouldBackOff() {
		SessionExpiry own = (handshake) -> null;
		this.contextRunner.withBean(SessionExpiry.class, () -> own)
			.run((context) -> assertThat(context).getBean(SessionExpiry.class).isSameAs(own));
	}

	@Test
	void nonPositiveReauthorizeIntervalShouldFailStartupNamingTheProperty() {
		this.contextRunner.withPropertyValues("notifier.security.reauthorize-interval=0s").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, (ex) -> {
					assertThat(ex.getName()).isEqualTo("notifier.security.reauthorize-interval");
					assertThat(ex.getReason()).isEqualTo("must be positive");
				});
		});
	}

	@Test
	void runWithoutSpringSecurityShouldStillAllowEveryGroup() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.security"))
			.run((context) -> assertThat(context.getBean(GroupAuthorizer.class)).isSameAs(GroupAuthorizer.ALLOW_ALL));
	}

	@Test
	void nonPositiveHeartbeatTimeoutShouldFailStartupEvenWithHeartbeatsOff() {
		assertThat(startupFailureReason("notifier.heartbeat.timeout=0s", "notifier.heartbeat.interval=0s"))
			.isEqualTo("must be positive");
	}

	private String startupFailureReason(String... properties) {
		String[] reason = new String[1];
		this.contextRunner.withPropertyValues(properties).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
						(ex) -> reason[0] = ex.getReason());
		});
		return reason[0];
	}

	@Test
	void runShouldRegisterShutdownThatClosesTheEngineBeforeTheWebServerStops() {
		this.contextRunner.run((context) -> {
			NotifierLifecycle shutdown = context.getBean(NotifierLifecycle.class);
			assertThat(shutdown.getPhase()).isGreaterThan(org.springframework.context.SmartLifecycle.DEFAULT_PHASE - 1024);
			NotifierEngine engine = context.getBean(NotifierEngine.class);
			context.close();
			assertThat(engine.isRunning()).isFalse();
		});
	}

	record TaskLine(int taskId, String line) {
	}

	/**
	 * Two {@link NotifierEngineBuilderCustomizer} beans, declared against their order, each wrapping the engine's
	 * delivery and recording the broadcasts it sees, so that a test can tell in which order they were applied.
	 */
	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		final List<String> seen = new CopyOnWriteArrayList<>();

		@Bean
		@Order(2)
		NotifierEngineBuilderCustomizer secondCustomizer() {
			return (builder) -> builder.delivery((inner) -> (broadcast) -> {
				this.seen.add("second " + broadcast.group());
				return inner.deliver(broadcast);
			});
		}

		@Bean
		@Order(1)
		NotifierEngineBuilderCustomizer firstCustomizer() {
			return (builder) -> builder.delivery((local) -> (broadcast) -> {
				this.seen.add("first " + broadcast.group());
				return local.deliver(broadcast);
			});
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DecoratingNotifierConfiguration {

		@Bean
		@Primary
		GroupNotifier auditingNotifier(NotifierEngine engine) {
			return (GroupNotifier) Proxy.newProxyInstance(getClass().getClassLoader(),
					new Class<?>[] { GroupNotifier.class }, (proxy, method, arguments) -> method.invoke(engine, arguments));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomEngineConfiguration {

		@Bean
		NotifierEngine customEngine() {
			return NotifierEngine.builder(NotifierOptions.builder().build()).build();
		}

	}

}
