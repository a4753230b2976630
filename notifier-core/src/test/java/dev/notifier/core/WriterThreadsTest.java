package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.notifier.core.RecordingTransport.Mode;

/** The writer threads: every pipe handed to them is written on one of them, and a pass runs in turn with writes. */
class WriterThreadsTest {

	private final WriterThreads writers = new WriterThreads(2, NotifierThreads.named("test-writer"));

	private final NotifierOptions options = NotifierOptions.builder().build();

	@AfterEach
	void stop() {
		this.writers.stop();
	}

	@Test
	void everyPipeIsWrittenInOrderOnTheWriterThreads() {
		this.writers.start();
		List<RecordingTransport> transports = IntStream.range(0, 100)
			.mapToObj((i) -> new RecordingTransport(Mode.INLINE))
			.toList();
		List<OutboundPipe> pipes = IntStream.range(0, transports.size()).mapToObj((i) -> pipe(transports.get(i), i)).toList();

		for (int m = 0; m < 20; m++) {
			Envelope message = Envelope.of(OutboundMessage.text("m" + m));
			pipes.forEach((pipe) -> pipe.offer(message, false));
		}

		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(transports).allSatisfy((transport) -> assertThat(transport.texts())
				.containsExactlyElementsOf(IntStream.range(0, 20).mapToObj((m) -> "m" + m).toList())));
		assertThat(transports).allSatisfy((transport) -> assertThat(transport.senderThreads()).singleElement()
			.asString()
			.startsWith("test-writer"));
	}

	@Test
	void aPassRunsOnTheWriterItIsHandedToAfterWhatWasHandedBefore() {
		this.writers.start();
		RecordingTransport transport = new RecordingTransport(Mode.HOLD);
		OutboundPipe pipe = pipe(transport, 1);
		pipe.offer(Envelope.of(OutboundMessage.text("first")), false);
		List<String> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
		this.writers.schedule(1, () -> ran.add(Thread.currentThread().getName() + " after " + transport.heldSends()));

		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ran).singleElement()
			.asString()
			.startsWith("test-writer")
			.endsWith("after 1"));
	}

	private OutboundPipe pipe(Transport transport, int slot) {
		return new OutboundPipe(transport, this.options, new NotifierStatistics(), this.writers, slot, Framing.PAYLOAD,
				new OutboundPipe.Owner() {

					@Override
					public void written(List<Envelope> messages) {
					}

					@Override
					public void replayOverrun() {
					}

					@Override
					public void writeFailed(Throwable failure) {
					}

					@Override
					public void drained(CloseStatus status) {
					}

					@Override
					public void runBlocking(Runnable task) {
						task.run();
					}

					@Override
					public String id() {
						return "session " + slot;
					}

				});
	}

}
