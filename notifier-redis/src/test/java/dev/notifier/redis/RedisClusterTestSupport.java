package dev.notifier.redis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.notifier.core.NotifierEngine;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts instances of {@link ClusterTestApplication} joined into one cluster through a real Redis server, each a
 * Spring Boot application on a random port, joins them with real WebSocket clients ({@link Viewer}), and stops both
 * after each test. Each test has its own key and channel prefix, whose keys are deleted afterwards.
 */
abstract class RedisClusterTestSupport {

	protected static final Duration LEASE = Duration.ofMillis(900);

	private static RedisClient admin;

	private static StatefulRedisConnection<String, String> adminConnection;

	protected final String prefix = "notifier-test-" + UUID.randomUUID() + ":";

	private final List<Instance> instances = new ArrayList<>();

	private final List<Viewer> viewers = new ArrayList<>();

	@BeforeAll
	static void connectAdmin() {
		admin = TestRedis.adminClient();
		adminConnection = admin.connect();
	}

	@AfterAll
	static void closeAdmin() {
		adminConnection.close();
		admin.shutdown();
	}

	@AfterEach
	void stopInstances() {
		this.viewers.forEach(Viewer::close);
		this.instances.forEach((instance) -> instance.context().close());
		List<String> keys = redis().keys(this.prefix + "*");
		if (!keys.isEmpty()) {
			redis().del(keys.toArray(String[]::new));
		}
	}

	/**
	 * Joins speaking {@code notifier.v1}, and waits until the instance counts the session.
	 * @param groupAndQuery the group, and the query with the position to resume from, if any
	 */
	protected Viewer joinFramed(Instance instance, String groupAndQuery) throws Exception {
		String group = groupAndQuery.split("\\?", 2)[0];
		int before = instance.engine().sessionCount(group);
		Viewer viewer = Viewer.joinFramed(instance.port(), groupAndQuery);
		this.viewers.add(viewer);
		waiting(group + " has the new viewer on " + instance.id())
			.until(() -> instance.engine().sessionCount(group) > before);
		return viewer;
	}

	/** The position of a message of {@code notifier.v1}: "m <epoch>:<offset>\n...". */
	protected static String positionOf(String frame) {
		return frame.substring(2, frame.indexOf('\n'));
	}

	protected static long offsetOf(String frame) {
		String position = positionOf(frame);
		return Long.parseLong(position.substring(position.indexOf(':') + 1));
	}

	/**
	 * Starts an instance in cluster mode with its own id, on the test's Redis server unless the properties give a
	 * {@code spring.data.redis.url}.
	 */
	protected Instance start(String name, String... properties) {
		String id = name + "-" + UUID.randomUUID().toString().substring(0, 8);
		SpringApplicationBuilder application = new SpringApplicationBuilder(ClusterTestApplication.class)
			.properties("server.port=0", "notifier.cluster.mode=redis", "notifier.cluster.prefix=" + this.prefix,
					"notifier.cluster.instance-id=" + id, "notifier.cluster.worker-lease=" + LEASE.toMillis() + "ms",
					"notifier.workers.idle-timeout=200ms", "spring.data.redis.client-name=" + this.prefix + id,
					"management.endpoints.web.exposure.include=health,notifier",
					"management.endpoint.health.show-details=always", "spring.main.banner-mode=off")
			.properties(properties);
		if (Arrays.stream(properties).noneMatch((property) -> property.startsWith("spring.data.redis.url="))) {
			TestRedis.connect(application);
		}
		ConfigurableApplicationContext context = application.run();
		Instance instance = new Instance(id, context);
		this.instances.add(instance);
		return instance;
	}

	protected Viewer join(Instance instance, String group) throws Exception {
		return join(instance, group, null);
	}

	/** Joins signed in as a user of {@link ClusterTestApplication}, or anonymously for {@code null}. */
	protected Viewer join(Instance instance, String group, @Nullable String user) throws Exception {
		Viewer viewer = Viewer.join(instance.port(), group, user);
		this.viewers.add(viewer);
		waiting(group + " has the new viewer on " + instance.id())
			.until(() -> instance.engine().sessionCount(group) > 0);
		return viewer;
	}

	protected void awaitSubscribed(String group, int instances) {
		waiting(instances + " instances subscribe to " + group).until(() -> numsub(group) == instances);
	}

	protected void awaitUsersSubscribed(int instances) {
		String channel = this.prefix + "users";
		waiting(instances + " instances subscribe to " + channel)
			.until(() -> redis().pubsubNumsub(channel).getOrDefault(channel, 0L) == instances);
	}

	protected long numsub(String group) {
		String channel = this.prefix + "group:" + group;
		Map<String, Long> subscribers = redis().pubsubNumsub(channel);
		return subscribers.getOrDefault(channel, 0L);
	}

	/** How many instances subscribe to a group's channel on a server of the test's own. */
	protected long numsub(RedisServerProcess server, String group) {
		String channel = this.prefix + "group:" + group;
		return server.commands().pubsubNumsub(channel).getOrDefault(channel, 0L);
	}

	/** The notifier health component over HTTP: {@code {"status": ..., "details": {...}}}. */
	protected static JsonNode health(Instance instance) throws Exception {
		return JsonMapper.builder().build().readTree(send(instance, "/actuator/health/notifier").body());
	}

	protected static JsonNode json(HttpResponse<String> response) {
		return JsonMapper.builder().build().readTree(response.body());
	}

	protected static double meter(Instance instance, String name) {
		return instance.context().getBean(MeterRegistry.class).get(name).functionCounter().count();
	}

	protected static JsonNode get(Instance instance, String path) throws Exception {
		HttpResponse<String> response = send(instance, path);
		assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
		return JsonMapper.builder().build().readTree(response.body());
	}

	protected static HttpResponse<String> send(Instance instance, String path) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port() + path)).build(),
					HttpResponse.BodyHandlers.ofString());
	}

	protected static RedisCommands<String, String> redis() {
		return adminConnection.sync();
	}

	protected static ConditionFactory waiting(String alias) {
		return Awaitility.await(alias)
			.atMost(Duration.ofSeconds(10))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(10));
	}

	/** One running instance. */
	protected record Instance(String id, ConfigurableApplicationContext context) {

		int port() {
			return ((WebServerApplicationContext) this.context).getWebServer().getPort();
		}

		NotifierEngine engine() {
			return this.context.getBean(NotifierEngine.class);
		}

		RedisNotifierCluster cluster() {
			return this.context.getBean(RedisNotifierCluster.class);
		}

		List<String> presenceEvents() {
			return this.context.getBean(ClusterTestApplication.PresenceEvents.class).events;
		}

	}

}
