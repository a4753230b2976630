package dev.notifier.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.OutboundMessage;
import dev.notifier.redis.PayloadCodec.Published;
import dev.notifier.redis.RecordingNode.Event;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The hand-off from Lettuce's event loop to the inbound thread, with a {@link RecordingNode} in place of the engine:
 * order, the thread, and what happens when the queue is full.
 */
class InboundDeliveryTests {

	private final LongAdder dropped = new LongAdder();

	private InboundDelivery inbound;

	@AfterEach
	void stop() {
		if (this.inbound != null) {
			this.inbound.stop();
		}
	}

	@Test
	void whatIsOfferedIsDeliveredOnTheInboundThreadInTheOrderOffered() {
		RecordingNode node = new RecordingNode("g");
		this.inbound = new InboundDelivery(node, 1000, this.dropped);
		List<String> sent = IntStream.rangeClosed(1, 200).mapToObj((n) -> "line " + n).toList();

		sent.forEach((text) -> this.inbound.offer("g", message(text)));

		waiting("all 200 are delivered").until(() -> node.texts().size() == 200);
		assertThat(node.texts()).isEqualTo(sent);
		assertThat(node.events()).extracting(Event::thread).containsOnly("notifier-cluster-inbound-1");
		assertThat(node.events()).extracting(Event::group).containsOnly("g");
		assertThat(this.dropped.sum()).isZero();
	}

	@Test
	void aMessageOfferedWhileTheQueueIsFullIsDroppedAndCountedAndTheEarlierOnesArriveInOrder() {
		RecordingNode node = new RecordingNode("g").holdFirstDelivery();
		this.inbound = new InboundDelivery(node, 3, this.dropped);
		this.inbound.offer("g", message("1"));
		waiting("the first delivery has started").until(node::firstDeliveryStarted);

		List.of("2", "3", "4", "5", "6").forEach((text) -> this.inbound.offer("g", message(text)));

		assertThat(this.dropped.sum()).as("the one being delivered and two waiting fill the queue of 3").isEqualTo(3);
		node.release();
		waiting("the queued ones are delivered").until(() -> node.texts().size() == 3);
		assertThat(node.texts()).containsExactly("1", "2", "3");
	}

	@Test
	void onceTheQueueHasRoomAgainMessagesAreDeliveredAgain() {
		RecordingNode node = new RecordingNode("g").holdFirstDelivery();
		this.inbound = new InboundDelivery(node, 1, this.dropped);
		this.inbound.offer("g", message("1"));
		waiting("the first delivery has started").until(node::firstDeliveryStarted);
		this.inbound.offer("g", message("dropped"));
		node.release();
		waiting("the first is delivered").until(() -> node.texts().size() == 1);

		waiting("a later message is delivered").until(() -> {
			this.inbound.offer("g", message("later"));
			return node.texts().contains("later");
		});
		assertThat(node.texts()).doesNotContain("dropped");
		assertThat(this.dropped.sum()).isGreaterThanOrEqualTo(1);
	}

	@Test
	void aCloseOfferedWhileTheQueueIsFullIsNeverDroppedAndComesAfterTheMessagesBeforeIt() {
		RecordingNode node = new RecordingNode("g").holdFirstDelivery();
		this.inbound = new InboundDelivery(node, 1, this.dropped);
		this.inbound.offer("g", message("1"));
		waiting("the first delivery has started").until(node::firstDeliveryStarted);

		this.inbound.offer("g", message("2"));
		this.inbound.offer("g", new Published.Close(CloseStatus.NORMAL.withReason("done")));
		this.inbound.offer(null, new Published.Close(CloseStatus.GOING_AWAY));

		assertThat(this.dropped.sum()).as("only the message").isEqualTo(1);
		node.release();
		waiting("both closes are applied").until(() -> node.events().size() == 3);
		assertThat(node.events()).extracting(Event::text, Event::group, Event::close)
			.containsExactly(tuple("1", "g", null),
					tuple(null, "g", CloseStatus.NORMAL.withReason("done")),
					tuple(null, null, CloseStatus.GOING_AWAY));
	}

	@Test
	void aDeliveryThatFailsDoesNotStopTheOnesAfterIt() {
		RecordingNode node = new RecordingNode("g").failWith(new IllegalStateException("broken"));
		this.inbound = new InboundDelivery(node, 10, this.dropped);

		this.inbound.offer("g", message("1"));
		this.inbound.offer("g", message("2"));

		waiting("both are attempted").until(() -> node.texts().size() == 2);
		assertThat(node.events()).extracting(Event::thread).containsOnly("notifier-cluster-inbound-1");
	}

	@Test
	void afterStopNothingIsDeliveredNorCountedAsDropped() {
		RecordingNode node = new RecordingNode("g");
		this.inbound = new InboundDelivery(node, 10, this.dropped);

		this.inbound.stop();
		this.inbound.offer("g", message("late"));

		assertThat(node.events()).isEmpty();
		assertThat(this.dropped.sum()).isZero();
	}

	private static Published message(String text) {
		return new Published.Message(OutboundMessage.text(text));
	}

	private static ConditionFactory waiting(String alias) {
		return Awaitility.await(alias)
			.atMost(Duration.ofSeconds(10))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(5));
	}

}
