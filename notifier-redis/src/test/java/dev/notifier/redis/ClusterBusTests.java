package dev.notifier.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.LongAdder;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.OutboundMessage;
import dev.notifier.redis.RecordingNode.Event;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The bus without Redis: what arrives on a channel, as Lettuce would hand it over, reaches the right group on the
 * inbound thread, and what it must not deliver it skips. Its connections are never opened.
 */
class ClusterBusTests {

	private static final RedisClusterOptions OPTIONS = new RedisClusterOptions("test:", "b", Duration.ofSeconds(3),
			Duration.ofSeconds(1), 100, 100);

	private final PayloadCodec otherInstance = new PayloadCodec("a");

	private final RedisKeys keys = new RedisKeys("test:", false);

	private final RecordingNode node = new RecordingNode("tasks/1");

	private final ScheduledThreadPoolExecutor clusterThread = ClusterThreads.scheduler("test-cluster");

	private final LongAdder unpublished = new LongAdder();

	private final InboundDelivery inbound = new InboundDelivery(this.node, 100, new LongAdder());

	private final RedisConnections connections = new RedisConnections(() -> {
		throw new IllegalStateException("no Redis in this test");
	}, OPTIONS, this.clusterThread);

	private final PubSubProbe probe = new PubSubProbe(OPTIONS, this.keys, this.connections, this.clusterThread,
			new LongAdder());

	private final List<String> released = new CopyOnWriteArrayList<>();

	private final ClusterBus bus = new ClusterBus(OPTIONS, this.keys, this.connections, this.node, this.inbound,
			this.unpublished, this.probe, this.released::add, true, this.clusterThread);

	@Test
	void aReleasedLeaseIsHandedToTheLeasesAndNotDeliveredToAnyGroup() {
		this.bus.message(this.keys.releasedChannel(), "tasks/1".getBytes(StandardCharsets.UTF_8));

		assertThat(this.released).containsExactly("tasks/1");
		assertThat(this.node.events()).isEmpty();
	}

	@Test
	void aProbeOnThisInstancesProbeChannelIsNotDeliveredToAnyGroup() {
		this.bus.message(this.keys.probeChannel("b"), "1".getBytes(StandardCharsets.US_ASCII));

		assertThat(this.node.events()).isEmpty();
		assertThat(this.released).isEmpty();
	}

	@AfterEach
	void stop() {
		this.inbound.stop();
		this.clusterThread.shutdownNow();
	}

	@Test
	void aMessageOnAGroupsChannelIsDeliveredToThatGroupOnTheInboundThread() {
		this.bus.message(this.keys.channel("tasks/1"), published(this.otherInstance, OutboundMessage.text("hello")));

		waiting("the message is delivered").until(() -> !this.node.events().isEmpty());
		assertThat(this.node.events()).extracting(Event::group, Event::text, Event::thread)
			.containsExactly(tuple("tasks/1", "hello", "notifier-cluster-inbound-1"));
	}

	@Test
	void aMessageOnTheChannelOfAllIsDeliveredToEveryGroup() {
		this.bus.message(this.keys.channel(null), published(this.otherInstance, OutboundMessage.text("everyone")));

		waiting("the message is delivered").until(() -> !this.node.events().isEmpty());
		assertThat(this.node.events()).extracting(Event::group, Event::text).containsExactly(tuple(null, "everyone"));
	}

	@Test
	void aCloseOnAGroupsChannelClosesThatGroup() {
		this.bus.message(this.keys.channel("tasks/1"),
				published(this.otherInstance, CloseStatus.NORMAL.withReason("done")));

		waiting("the close is applied").until(() -> !this.node.events().isEmpty());
		assertThat(this.node.events()).extracting(Event::group, Event::close)
			.containsExactly(tuple("tasks/1", CloseStatus.NORMAL.withReason("done")));
	}

	@Test
	void thisInstancesOwnEchoAndPayloadsThatAreNotANotifiersAreSkippedAndWhatFollowsStillArrives() {
		byte[] channel = this.keys.channel("tasks/1");
		this.bus.message(channel, published(new PayloadCodec("b"), OutboundMessage.text("my own")));
		this.bus.message(channel, "not a notifier payload".getBytes(StandardCharsets.UTF_8));
		this.bus.message(channel, new byte[0]);
		this.bus.message(channel, published(this.otherInstance, OutboundMessage.text("after")));

		waiting("the last one is delivered").until(() -> this.node.texts().contains("after"));
		assertThat(this.node.texts()).containsExactly("after");
	}

	@Test
	void severalPublishedInOnePayloadAreDeliveredInTheirOrder() {
		byte[] channel = this.keys.channel("tasks/1");
		this.bus.message(channel, this.otherInstance.payload(List.of(PayloadCodec.entry(null, OutboundMessage.text("1")),
				PayloadCodec.entry(null, OutboundMessage.text("2")), PayloadCodec.entry(null, OutboundMessage.text("3")))));

		waiting("the last one is delivered").until(() -> this.node.texts().contains("3"));
		assertThat(this.node.texts()).containsExactly("1", "2", "3");
	}

	@Test
	void aBroadcastOrCloseWhileTheCommandConnectionIsNotOpenIsCountedAsUnpublished() {
		this.bus.publish("tasks/1", OutboundMessage.text("local only"));
		this.bus.publish(null, CloseStatus.GOING_AWAY);

		assertThat(this.unpublished.sum()).isEqualTo(2);
	}

	private static byte[] published(PayloadCodec origin, OutboundMessage message) {
		return origin.payload(List.of(PayloadCodec.entry(null, message)));
	}

	private static byte[] published(PayloadCodec origin, CloseStatus status) {
		return origin.payload(List.of(PayloadCodec.entry(null, status)));
	}

	private static ConditionFactory waiting(String alias) {
		return Awaitility.await(alias)
			.atMost(Duration.ofSeconds(10))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(5));
	}

}
