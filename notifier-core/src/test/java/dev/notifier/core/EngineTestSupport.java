package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;

import dev.notifier.core.RecordingTransport.Mode;

/**
 * Creates started engines on a fake clock and shuts them down after each test.
 *
 * <p>The engine's own sweep thread reads the same fake clock, so it does nothing unless a test moves the clock; tests
 * call {@link NotifierEngine#sweep()} themselves and never sleep. The engines write on the test's thread
 * ({@link ManualWrites}): a broadcast only queues, and the writes run when the test looks at a transport, as the
 * writer threads would have run them by then. Engines a test builds itself use the real writer threads.
 */
abstract class EngineTestSupport {

	/** The fake monotonic clock every engine of the test reads, in nanoseconds. */
	protected final AtomicLong clock = new AtomicLong(1_000_000_000L);

	private final List<NotifierEngine> engines = new ArrayList<>();

	private static final Map<NotifierEngine, ManualWrites> writes = new ConcurrentHashMap<>();

	@AfterEach
	void shutDownEngines() {
		for (NotifierEngine engine : this.engines) {
			engine.shutdown(CloseStatus.GOING_AWAY, Duration.ZERO);
			writes.remove(engine);
		}
	}

	/** Options on the fake clock, otherwise the defaults. */
	protected NotifierOptions.Builder options() {
		return NotifierOptions.builder().nanoClock(this.clock::get);
	}

	protected NotifierEngine engine(NotifierListener... listeners) {
		return engine(options(), listeners);
	}

	protected NotifierEngine engine(NotifierOptions.Builder options, NotifierListener... listeners) {
		return engine(options.build(), MessageEncoder.NONE, listeners);
	}

	protected NotifierEngine engine(NotifierOptions options, MessageEncoder encoder, NotifierListener... listeners) {
		return engine(options, encoder, HistoryOptions.none(), listeners);
	}

	protected NotifierEngine engine(NotifierOptions options, MessageEncoder encoder, HistoryOptions history,
			NotifierListener... listeners) {
		return engine(NotifierEngine.builder(options).encoder(encoder).history(history), listeners);
	}

	/** An engine built with these settings on the fake clock, its writes run by the test. */
	protected NotifierEngine engine(UnaryOperator<NotifierEngine.Builder> settings, NotifierListener... listeners) {
		return engine(settings.apply(NotifierEngine.builder(options().build())), listeners);
	}

	/** An engine with presence in the groups matching these patterns. */
	protected NotifierEngine engineWithPresence(List<String> presenceGroups, NotifierListener... listeners) {
		return engine(NotifierEngine.builder(options().build()).presence(presenceGroups), listeners);
	}

	/** An engine whose writes the test runs, as if there were this many writer threads. */
	protected NotifierEngine engineWithManualWriters(int writers) {
		return engine(NotifierEngine.builder(options().build()), new ManualWrites(writers));
	}

	private NotifierEngine engine(NotifierEngine.Builder builder, NotifierListener... listeners) {
		return engine(builder, new ManualWrites(), listeners);
	}

	private NotifierEngine engine(NotifierEngine.Builder builder, ManualWrites manual, NotifierListener... listeners) {
		NotifierEngine engine = builder.listeners(() -> Arrays.asList(listeners)).writers(manual).build();
		writes.put(engine, manual);
		this.engines.add(engine);
		engine.start();
		return engine;
	}

	/** An engine that writes on its own writer threads, as in production, instead of on the test's thread. */
	protected NotifierEngine engineWithWriterThreads(NotifierOptions.Builder options) {
		return engineWithWriterThreads(options, HistoryOptions.none());
	}

	protected NotifierEngine engineWithWriterThreads(NotifierOptions.Builder options, HistoryOptions history) {
		NotifierEngine engine = NotifierEngine.builder(options.build()).history(history).build();
		this.engines.add(engine);
		engine.start();
		return engine;
	}

	/** Opens a connection whose sends complete inline. */
	protected static Peer open(NotifierEngine engine, String group) {
		return open(engine, group, new RecordingTransport(Mode.INLINE));
	}

	/** Opens a connection whose sends are held until the test completes them. */
	protected static Peer openHeld(NotifierEngine engine, String group) {
		return open(engine, group, new RecordingTransport(Mode.HOLD));
	}

	protected static Peer open(NotifierEngine engine, String group, RecordingTransport transport) {
		return open(engine, handshake(group), transport);
	}

	/** Opens a connection whose sends complete inline, for a user authenticated at the handshake. */
	protected static Peer openAs(NotifierEngine engine, String group, String user) {
		return open(engine, new HandshakeInfo(group, null, () -> user, Map.of(), Map.of()),
				new RecordingTransport(Mode.INLINE));
	}

	protected static Peer open(NotifierEngine engine, HandshakeInfo handshake, RecordingTransport transport) {
		ManualWrites manual = writes.get(engine);
		if (manual != null) {
			transport.writes(manual);
		}
		Connection connection = engine.open(handshake, transport);
		transport.attach(connection);
		return new Peer(transport, connection);
	}

	/** A session that speaks {@link NotifierProtocol}, resuming from a position if one is given. */
	protected static Peer openFramed(NotifierEngine engine, String group, @Nullable String resumeFrom) {
		return openFramed(engine, group, resumeFrom, new RecordingTransport(Mode.INLINE));
	}

	protected static Peer openFramed(NotifierEngine engine, String group, @Nullable String resumeFrom,
			RecordingTransport transport) {
		Map<String, List<String>> query = (resumeFrom != null)
				? Map.of(NotifierProtocol.RESUME_PARAMETER, List.of(resumeFrom)) : Map.of();
		HandshakeInfo handshake = new HandshakeInfo(group, null, null,
				Map.of("sec-websocket-protocol", List.of("other, " + NotifierProtocol.NAME)), query);
		return open(engine, handshake, transport);
	}

	/** The status frame of {@link NotifierProtocol} that opens a framed session's messages. */
	protected static String status(String epoch, long offset, boolean recovered) {
		return "s\n{\"epoch\":\"" + epoch + "\",\"offset\":" + offset + ",\"recovered\":" + recovered + "}";
	}

	protected static HandshakeInfo handshake(String group) {
		return new HandshakeInfo(group, null, null, Map.of(), Map.of());
	}

	/** The writes of an engine made by {@link #engine}, which the test runs. */
	protected static ManualWrites manualWrites(NotifierEngine engine) {
		return writes.get(engine);
	}

	/** Runs the writes an engine made by {@link #engine} has pending, as its writer threads would. */
	protected static void flush(NotifierEngine engine) {
		ManualWrites manual = writes.get(engine);
		if (manual != null) {
			manual.run();
		}
	}

	protected void advance(Duration duration) {
		this.clock.addAndGet(duration.toNanos());
	}

	/** For outcomes that happen on another thread, such as close frames sent on the engine's close threads. */
	protected static ConditionFactory eventually() {
		return Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(2));
	}

	/** One connection: the transport the test drives and the engine's side of it. */
	record Peer(RecordingTransport transport, Connection connection) {

		NotifierSession session() {
			return this.connection.session();
		}

		List<String> texts() {
			return this.transport.texts();
		}

		void awaitClosedWith(int code) {
			eventually().untilAsserted(() -> assertThat(this.transport.closeStatus())
				.isNotNull()
				.extracting(CloseStatus::code)
				.isEqualTo(code));
		}

	}

}
