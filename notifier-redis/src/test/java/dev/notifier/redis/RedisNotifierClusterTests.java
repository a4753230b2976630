package dev.notifier.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import dev.notifier.core.Broadcast;
import dev.notifier.core.Delivery;
import dev.notifier.core.OutboundMessage;
import dev.notifier.redis.RecordingNode.Event;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two clusters in one JVM on the real Redis server, each with a {@link RecordingNode} in place of an engine: where and
 * how what one publishes is delivered on the other. Each test has its own prefix.
 */
class RedisNotifierClusterTests {

	private final String prefix = "notifier-test-" + UUID.randomUUID() + ":";

	private final RedisClient client = RedisClient.create(RedisURI.create(TestRedis.uri().toString()));

	private final List<RedisNotifierCluster> clusters = new ArrayList<>();

	@AfterEach
	void stop() {
		this.clusters.forEach(RedisNotifierCluster::stop);
		this.client.shutdown();
	}

	@Test
	void whatAnotherInstancePublishedIsDeliveredOnTheInboundThreadNotOnLettucesEventLoop() {
		RecordingNode receiving = new RecordingNode("g");
		start("a", 100, receiving);
		Delivery publisher = start("b", 100, new RecordingNode()).delivery((broadcast) -> 0);

		publisher.deliver(toGroup("g", "hello"));

		waiting("a receives the message").until(() -> receiving.texts().contains("hello"));
		assertThat(receiving.events()).extracting(Event::thread).containsExactly("notifier-cluster-inbound-1");
	}

	@Test
	void whileADeliveryHoldsTheInboundThreadMessagesKeepArrivingAndThoseThatDoNotFitAreDroppedAndCounted() {
		RecordingNode receiving = new RecordingNode("g").holdFirstDelivery();
		RedisNotifierCluster a = start("a", 2, receiving);
		RedisNotifierCluster b = start("b", 100, new RecordingNode());
		Delivery publisher = b.delivery((broadcast) -> 0);
		publisher.deliver(toGroup("g", "1"));
		waiting("the first delivery has started").until(receiving::firstDeliveryStarted);

		IntStream.rangeClosed(2, 10).forEach((n) -> publisher.deliver(toGroup("g", Integer.toString(n))));

		waiting("Lettuce's event loop receives the rest meanwhile, dropping what does not fit")
			.until(() -> a.droppedInbound() == 8);
		receiving.release();
		waiting("the one that fitted is delivered after the first").until(() -> receiving.texts().size() == 2);
		assertThat(receiving.texts()).containsExactly("1", "2");
		assertThat(b.unpublished()).isZero();
	}

	private RedisNotifierCluster start(String name, int inboundQueueSize, RecordingNode node) {
		RedisClusterOptions options = new RedisClusterOptions(this.prefix, name, Duration.ofSeconds(3),
				Duration.ofSeconds(1), 1000, inboundQueueSize);
		RedisNotifierCluster cluster = new RedisNotifierCluster(() -> this.client, options);
		this.clusters.add(cluster);
		cluster.start(node);
		waiting(name + " connects and subscribes").until(() -> cluster.unavailable() == null);
		return cluster;
	}

	private static Broadcast toGroup(String group, String text) {
		return new Broadcast(Broadcast.Target.GROUP, group, OutboundMessage.text(text), null, List.of());
	}

	private static ConditionFactory waiting(String alias) {
		return Awaitility.await(alias)
			.atMost(Duration.ofSeconds(10))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(10));
	}

}
