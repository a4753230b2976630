package dev.notifier.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.LongAdder;

import dev.notifier.core.OutboundMessage;
import dev.notifier.redis.PayloadCodec.MalformedPayloadException;
import dev.notifier.redis.PayloadCodec.Published;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbox against a real Redis server: what is handed in arrives in order, publishes made while Redis has not
 * answered go together in one command, and what goes beyond the bound is counted. Redis is held still with
 * {@code CLIENT PAUSE}, which holds back every client's commands, so that publishes made meanwhile are
 * certain to wait for the next round.
 */
class OutboxTests {

	private static final Duration PAUSE = Duration.ofMillis(500);

	private final RedisClient client = TestRedis.adminClient();

	private final PayloadCodec origin = new PayloadCodec("publisher");

	private final PayloadCodec receiver = new PayloadCodec("receiver");

	private final byte[] channel = ("outbox-tests:" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);

	private final List<byte[]> payloads = new CopyOnWriteArrayList<>();

	private final LongAdder unpublished = new LongAdder();

	private final ScheduledThreadPoolExecutor scheduler = ClusterThreads.scheduler("test-outbox");

	private RedisAsyncCommands<byte[], byte[]> commands;

	private StatefulRedisPubSubConnection<byte[], byte[]> subscriber;

	@BeforeEach
	void connect() throws Exception {
		this.commands = this.client.connect(ByteArrayCodec.INSTANCE).async();
		this.subscriber = this.client.connectPubSub(ByteArrayCodec.INSTANCE);
		this.subscriber.addListener(new RedisPubSubAdapter<>() {

			@Override
			public void message(byte[] channel, byte[] payload) {
				OutboxTests.this.payloads.add(payload);
			}

		});
		this.subscriber.sync().subscribe(this.channel);
	}

	@AfterEach
	void disconnect() {
		this.scheduler.shutdownNow();
		this.client.shutdown();
	}

	@Test
	void aPublishToAnIdleOutboxGoesAtOnceAlone() {
		Outbox outbox = outbox(10);

		assertThat(outbox.publish(this.channel, true, text("alone"))).isTrue();

		waiting("the publish arrives").until(() -> this.payloads.size() == 1);
		assertThat(this.payloads.get(0)[1]).isEqualTo((byte) 'T');
		assertThat(texts()).containsExactly("alone");
	}

	@Test
	void publishesMadeWhileRedisHasNotAnsweredGoTogetherInOneCommandInOrder() {
		Outbox outbox = outbox(10_000);
		pauseWrites();
		for (int i = 0; i < 1_000; i++) {
			outbox.publish(this.channel, true, text(Integer.toString(i)));
		}

		waiting("every publish arrives").until(() -> texts().size() == 1_000);
		// The first went alone, before the pause let go; the rest waited for its reply.
		assertThat(this.payloads).hasSize(2);
		assertThat(texts()).containsExactlyElementsOf(numbers(1_000));
		assertThat(this.unpublished.sum()).isZero();
	}

	@Test
	void publishesMadeWithinTheLingerAfterARoundGoTogetherInTheNextEvenWhenRedisHasAnswered() {
		Outbox outbox = outbox(100, Duration.ofMillis(300));
		outbox.publish(this.channel, true, text("0"));
		waiting("the first publish arrives at once").until(() -> this.payloads.size() == 1);
		outbox.publish(this.channel, true, text("1"));
		outbox.publish(this.channel, true, text("2"));

		waiting("every publish arrives").until(() -> texts().size() == 3);
		assertThat(this.payloads).hasSize(2);
		assertThat(texts()).containsExactly("0", "1", "2");
	}

	@Test
	void aPublishAfterTheLingerIsOverGoesAtOnceAlone() {
		Outbox outbox = outbox(100, Duration.ofMillis(50));
		outbox.publish(this.channel, true, text("0"));
		waiting("the first publish arrives").until(() -> this.payloads.size() == 1);
		Awaitility.await().pollDelay(Duration.ofMillis(100)).until(() -> true);
		outbox.publish(this.channel, true, text("1"));

		waiting("the second publish arrives").until(() -> this.payloads.size() == 2);
		assertThat(texts()).containsExactly("0", "1");
	}

	@Test
	void aCommandGoesBetweenThePublishesMadeBeforeAndAfterIt() {
		Outbox outbox = outbox(10);
		pauseWrites();
		outbox.publish(this.channel, true, text("0"));
		outbox.publish(this.channel, true, text("1"));
		byte[] between = this.origin.payload(List.of(text("2")));
		outbox.send((commands) -> commands.publish(this.channel, between));
		outbox.publish(this.channel, true, text("3"));

		waiting("every publish arrives").until(() -> texts().size() == 4);
		assertThat(texts()).containsExactly("0", "1", "2", "3");
		assertThat(this.payloads).hasSize(4);
	}

	@Test
	void publishesToOneChannelShareAPayloadOnlyUpToItsSize() {
		Outbox outbox = outbox(100);
		pauseWrites();
		String tenKilobytes = "x".repeat(10 * 1024);
		for (int i = 0; i < 20; i++) {
			outbox.publish(this.channel, true, text(i + tenKilobytes));
		}

		waiting("every publish arrives").until(() -> texts().size() == 20);
		assertThat(this.payloads)
			.allSatisfy((payload) -> assertThat(payload.length).isLessThanOrEqualTo(Outbox.MAX_PAYLOAD_BYTES + 100));
		// One alone, then 19 of 10 KB at six per payload.
		assertThat(this.payloads).hasSize(5);
		assertThat(texts()).extracting((text) -> text.substring(0, text.indexOf('x')))
			.containsExactlyElementsOf(numbers(20));
	}

	@Test
	void beyondItsCapacityAPublishIsCountedAsUnpublishedAndTheRestStillArrive() {
		Outbox outbox = outbox(3);
		pauseWrites();
		List<Boolean> queued = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			queued.add(outbox.publish(this.channel, true, text(Integer.toString(i))));
		}

		assertThat(queued).containsExactly(true, true, true, false, false);
		assertThat(this.unpublished.sum()).isEqualTo(2);
		waiting("the queued publishes arrive").until(() -> texts().size() == 3);
		assertThat(texts()).containsExactly("0", "1", "2");
		assertThat(outbox.publish(this.channel, true, text("after"))).isTrue();
		waiting("a later publish arrives").until(() -> texts().contains("after"));
	}

	@Test
	void aCommandThatFailsIsCountedAsUnpublishedAndTheNextRoundStillGoes() {
		Outbox outbox = outbox(10);
		outbox.send((commands) -> commands.eval("return redis.call('NOSUCHCOMMAND')", ScriptOutputType.INTEGER));
		outbox.publish(this.channel, true, text("after"));

		waiting("the publish after it arrives").until(() -> texts().contains("after"));
		assertThat(this.unpublished.sum()).isEqualTo(1);
	}

	private Outbox outbox(int capacity) {
		return outbox(capacity, Duration.ZERO);
	}

	private Outbox outbox(int capacity, Duration linger) {
		return new Outbox(() -> this.commands, this.origin, false, capacity, this.unpublished, linger,
				this.scheduler);
	}

	private static PayloadCodec.Entry text(String text) {
		return PayloadCodec.entry(null, OutboundMessage.text(text));
	}

	/** Holds back the publishes of the next {@link #PAUSE}, the outbox's first among them. */
	private void pauseWrites() {
		this.client.connect().sync().clientPause(PAUSE.toMillis());
	}

	private List<String> texts() {
		List<String> texts = new ArrayList<>();
		for (byte[] payload : this.payloads) {
			try {
				for (Published published : this.receiver.decode(payload)) {
					texts.add(((Published.Message) published).message().text());
				}
			}
			catch (MalformedPayloadException ex) {
				throw new AssertionError(ex);
			}
		}
		return texts;
	}

	private static List<String> numbers(int count) {
		List<String> numbers = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			numbers.add(Integer.toString(i));
		}
		return numbers;
	}

	private static ConditionFactory waiting(String alias) {
		return Awaitility.await(alias).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10));
	}

}
