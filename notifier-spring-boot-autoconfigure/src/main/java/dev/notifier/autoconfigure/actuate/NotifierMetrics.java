package dev.notifier.autoconfigure.actuate;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.notifier.autoconfigure.HandshakeRefusals;
import dev.notifier.core.NotifierEngine;
import dev.notifier.core.NotifierStatistics;
import dev.notifier.core.OverflowPolicy;
import dev.notifier.core.WorkerInfo;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The notifier's meters, all under {@code notifier.}. Every meter reads counters the engine keeps anyway, so nothing
 * on the delivery path calls Micrometer. No meter is tagged by group: groups are unbounded in number.
 */
public class NotifierMetrics implements MeterBinder {

	/** One description for both kinds of {@code notifier.history.messages}, which are one meter with a tag. */
	private static final String HISTORY_MESSAGES = "Messages sent from a group's history: replayed to sessions joining "
			+ "without a position, whose resume failed or too slow for live broadcasts; recovered to sessions "
			+ "resuming from one";

	/** One description for both outcomes of {@code notifier.history.resumes}. */
	private static final String HISTORY_RESUMES = "Sessions that asked to resume from a position, by outcome";

	private static final Map<Integer, String> CLOSE_REASONS = Map.of(1000, "normal", 1001, "going_away", 1006,
			"abnormal", 1008, "policy_violation", 1009, "too_big", 1011, "server_error", 1013, "slow_consumer",
			NotifierStatistics.OTHER, "other");

	private final NotifierEngine engine;

	private final HandshakeRefusals refusals;

	public NotifierMetrics(NotifierEngine engine, HandshakeRefusals refusals) {
		this.engine = engine;
		this.refusals = refusals;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		NotifierStatistics statistics = this.engine.statistics();
		Gauge.builder("notifier.sessions", this.engine, NotifierEngine::sessionCount)
			.description("Open WebSocket sessions")
			.register(registry);
		Gauge.builder("notifier.groups", this.engine, NotifierEngine::groupCount)
			.description("Groups with at least one open session")
			.register(registry);
		for (WorkerInfo.State state : WorkerInfo.State.values()) {
			Gauge.builder("notifier.workers", this.engine, (engine) -> workersIn(engine, state))
				.description("Group workers")
				.tag("state", tag(state))
				.register(registry);
		}
		FunctionCounter.builder("notifier.connections.opened", statistics, NotifierStatistics::connectionsOpened)
			.description("WebSocket connections opened")
			.register(registry);
		for (int code : NotifierStatistics.closeCodes()) {
			FunctionCounter
				.builder("notifier.connections.closed", statistics, (counters) -> counters.connectionsClosed(code))
				.description("WebSocket connections closed, by close reason")
				.tag("reason", CLOSE_REASONS.get(code))
				.register(registry);
		}
		FunctionCounter.builder("notifier.messages.sent", statistics, NotifierStatistics::messagesSent)
			.description("Messages written to sessions")
			.register(registry);
		FunctionCounter.builder("notifier.writes", statistics, NotifierStatistics::writes)
			.description("Writes to sessions, each carrying one or more messages: messages sent per write grows with "
					+ "the load")
			.register(registry);
		FunctionCounter.builder("notifier.bytes.sent", statistics, NotifierStatistics::bytesSent)
			.description("Payload bytes written to sessions")
			.baseUnit("bytes")
			.register(registry);
		for (OverflowPolicy policy : OverflowPolicy.values()) {
			FunctionCounter
				.builder("notifier.messages.dropped", statistics, (counters) -> counters.messagesDropped(policy))
				.description("Messages dropped because a session's queue was full, by overflow policy")
				.tag("policy", tag(policy))
				.register(registry);
		}
		for (HandshakeRefusals.Reason reason : HandshakeRefusals.Reason.values()) {
			FunctionCounter.builder("notifier.handshakes.refused", this.refusals, (counts) -> counts.count(reason))
				.description("WebSocket handshakes refused, by reason")
				.tag("reason", tag(reason))
				.register(registry);
		}
		FunctionCounter
			.builder("notifier.inbound.rate.exceeded", statistics, NotifierStatistics::inboundRateExceeded)
			.description("Sessions closed with 1008 for sending more than notifier.limits.inbound-messages-per-second")
			.register(registry);
		FunctionCounter.builder("notifier.history.messages", statistics, NotifierStatistics::messagesReplayed)
			.description(HISTORY_MESSAGES)
			.tag("kind", "replayed")
			.register(registry);
		FunctionCounter.builder("notifier.history.messages", statistics, NotifierStatistics::messagesRecovered)
			.description(HISTORY_MESSAGES)
			.tag("kind", "recovered")
			.register(registry);
		FunctionCounter.builder("notifier.history.resumes", statistics, NotifierStatistics::resumesRecovered)
			.description(HISTORY_RESUMES)
			.tag("outcome", "recovered")
			.register(registry);
		FunctionCounter.builder("notifier.history.resumes", statistics, NotifierStatistics::resumesFailed)
			.description(HISTORY_RESUMES)
			.tag("outcome", "not_recovered")
			.register(registry);
		FunctionCounter.builder("notifier.workers.interrupted", statistics, NotifierStatistics::workersInterrupted)
			.description("Workers interrupted because they were still running when their stop grace ran out")
			.register(registry);
		FunctionTimer
			.builder("notifier.broadcast.fanout", statistics, NotifierStatistics::broadcasts,
					NotifierStatistics::broadcastNanos, TimeUnit.NANOSECONDS)
			.description("Time to queue a broadcast for all of its recipients on this instance")
			.register(registry);
	}

	private static double workersIn(NotifierEngine engine, WorkerInfo.State state) {
		return engine.workers().stream().filter((worker) -> worker.state() == state).count();
	}

	private static String tag(Enum<?> value) {
		return value.name().toLowerCase(Locale.ROOT);
	}

}
