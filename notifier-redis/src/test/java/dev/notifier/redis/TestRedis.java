package dev.notifier.redis;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.testcontainers.context.ImportTestcontainers;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Configuration;

/**
 * The Redis server the tests run against: a Testcontainers container, given to Spring Boot with
 * {@link ServiceConnection}, where Docker is available; otherwise the server at {@code NOTIFIER_TEST_REDIS}
 * (default {@code redis://127.0.0.1:6379}), given as {@code spring.data.redis.url}. Tests never stop the server: they
 * prefix their keys and channels and kill only their own connections.
 */
final class TestRedis {

	static final boolean DOCKER = dockerAvailable();

	private TestRedis() {
	}

	private static boolean dockerAvailable() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException | LinkageError ex) {
			return false;
		}
	}

	/** The server's address, starting the container first where there is one. */
	static URI uri() {
		if (DOCKER) {
			GenericContainer<?> redis = Containers.redis;
			redis.start();
			return URI.create("redis://" + redis.getHost() + ":" + redis.getMappedPort(6379));
		}
		String configured = System.getenv("NOTIFIER_TEST_REDIS");
		return URI.create((configured != null && !configured.isBlank()) ? configured : "redis://127.0.0.1:6379");
	}

	/** Points an application at the test server. */
	static SpringApplicationBuilder connect(SpringApplicationBuilder application) {
		if (DOCKER) {
			return application.sources(ContainerConfiguration.class);
		}
		Map<String, Object> properties = new HashMap<>();
		properties.put("spring.data.redis.url", uri().toString());
		return application.properties(properties);
	}

	/** A client of the test server for the tests' own commands (CLIENT KILL, PUBSUB NUMSUB, ...). */
	static RedisClient adminClient() {
		return RedisClient.create(RedisURI.create(uri().toString()));
	}

	/** The container, for {@link ImportTestcontainers}. */
	static final class Containers {

		@ServiceConnection(name = "redis")
		static final GenericContainer<?> redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);

	}

	@Configuration(proxyBeanMethods = false)
	@ImportTestcontainers(Containers.class)
	static class ContainerConfiguration {

	}

}
