package dev.notifier.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

import dev.notifier.core.GroupAuthorizer;
import dev.notifier.core.HistoryOptions;
import dev.notifier.core.NotifierEngine;
import dev.notifier.core.NotifierOptions;
import dev.notifier.core.WorkerOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.util.unit.DataSize;

/**
 * Turns {@link NotifierProperties} into the engine's {@link NotifierOptions}, failing startup with the name of the
 * first property whose value cannot work. Every {@code notifier.*} value is checked here, all of them when the engine
 * is built ({@link #toOptions} checks the endpoint's values too), so a bad value fails startup whatever the
 * application replaced; the cluster's {@code notifier.cluster.*} are checked by the module that binds them.
 */
final class NotifierOptionsMapper {

	/** The engine counts time between messages in whole nanoseconds. */
	private static final int MAX_INBOUND_MESSAGES_PER_SECOND = 1_000_000_000;

	private NotifierOptionsMapper() {
	}

	static WorkerOptions toWorkerOptions(NotifierProperties.Workers workers, ThreadFactory blockingThreads) {
		if (workers.getIdleTimeout().isNegative()) {
			throw invalid("notifier.workers.idle-timeout", workers.getIdleTimeout(), "must not be negative");
		}
		requirePositive("notifier.workers.max-lifetime", workers.getMaxLifetime());
		if (workers.getStopGrace().isNegative()) {
			throw invalid("notifier.workers.stop-grace", workers.getStopGrace(), "must not be negative");
		}
		requirePositive("notifier.workers.max-blocking", workers.getMaxBlocking());
		return new WorkerOptions(workers.getIdleTimeout(), workers.getMaxLifetime(), workers.getStopGrace(),
				workers.getMaxBlocking(), blockingThreads);
	}

	static HistoryOptions toHistoryOptions(NotifierProperties.History history) {
		requirePositive("notifier.history.max-messages", history.getMaxMessages());
		requirePositive("notifier.history.max-size", history.getMaxSize());
		requirePositive("notifier.history.time-to-live", history.getTimeToLive());
		if (history.getReplayLast() < 0) {
			throw invalid("notifier.history.replay-last", history.getReplayLast(),
					"must be 0 (no replay) or positive");
		}
		try {
			return new HistoryOptions(history.getGroups(), history.getMaxMessages(), history.getMaxSize().toBytes(),
					history.getTimeToLive(), history.getReplayLast());
		}
		catch (IllegalArgumentException ex) {
			// The limits are checked above: what is left to refuse is a malformed pattern.
			throw invalid("notifier.history.groups", history.getGroups(), ex.getMessage());
		}
	}

	static NotifierOptions toOptions(NotifierProperties properties) {
		validatePath("notifier.path", properties.getPath());
		if (properties.getSse().isEnabled()) {
			ssePath(properties);
		}
		NotifierProperties.Outbound outbound = properties.getOutbound();
		NotifierProperties.Heartbeat heartbeat = properties.getHeartbeat();
		requirePositive("notifier.max-group-length", properties.getMaxGroupLength());
		requirePositive("notifier.outbound.max-queued-messages", outbound.getMaxQueuedMessages());
		requirePositive("notifier.outbound.max-queued-bytes", outbound.getMaxQueuedBytes());
		requirePositive("notifier.outbound.send-timeout", outbound.getSendTimeout());
		requirePositive("notifier.heartbeat.timeout", heartbeat.getTimeout());
		if (heartbeat.getInterval().isNegative()) {
			throw invalid("notifier.heartbeat.interval", heartbeat.getInterval(), "must be zero (off) or positive");
		}
		if (properties.getShutdownTimeout().isNegative()) {
			throw invalid("notifier.shutdown-timeout", properties.getShutdownTimeout(), "must not be negative");
		}
		int maxInboundMessageSize = intBytes("notifier.max-inbound-message-size",
				properties.getMaxInboundMessageSize());
		inboundBufferSize(properties);
		NotifierProperties.Limits limits = properties.getLimits();
		Integer messagesPerSecond = limits.getInboundMessagesPerSecond();
		requirePositiveIfSet("notifier.limits.inbound-messages-per-second", messagesPerSecond);
		if (messagesPerSecond != null && messagesPerSecond > MAX_INBOUND_MESSAGES_PER_SECOND) {
			throw invalid("notifier.limits.inbound-messages-per-second", messagesPerSecond,
					"must be at most " + MAX_INBOUND_MESSAGES_PER_SECOND);
		}
		Integer burst = limits.getInboundBurst();
		requirePositiveIfSet("notifier.limits.inbound-burst", burst);
		if (burst != null && messagesPerSecond == null) {
			throw invalid("notifier.limits.inbound-burst", burst,
					"needs notifier.limits.inbound-messages-per-second to be set");
		}
		connectionLimits(properties);
		int rate = (messagesPerSecond != null) ? messagesPerSecond : 0;
		return NotifierOptions.builder()
			.maxGroupLength(properties.getMaxGroupLength())
			.maxInboundMessageSize(maxInboundMessageSize)
			.maxQueuedMessages(outbound.getMaxQueuedMessages())
			.maxQueuedBytes(outbound.getMaxQueuedBytes().toBytes())
			.overflow(outbound.getOverflow())
			.sendTimeout(outbound.getSendTimeout())
			.heartbeatInterval(heartbeat.getInterval())
			.heartbeatTimeout(heartbeat.getTimeout())
			.inboundRateLimit(rate, (burst != null) ? burst : Math.max(1, rate))
			.build();
	}

	/** The connection caps of {@code notifier.limits.*}, checked. */
	static ConnectionLimits connectionLimits(NotifierProperties properties) {
		NotifierProperties.Limits limits = properties.getLimits();
		requirePositiveIfSet("notifier.limits.max-connections-per-user", limits.getMaxConnectionsPerUser());
		requirePositiveIfSet("notifier.limits.max-connections-per-address", limits.getMaxConnectionsPerAddress());
		return new ConnectionLimits(limits.getMaxConnectionsPerUser(), limits.getMaxConnectionsPerAddress());
	}

	/** Applies {@code notifier.presence.groups} to an engine, failing with the first invalid pattern. */
	static NotifierEngine.Builder presence(NotifierEngine.Builder engine, NotifierProperties properties) {
		List<String> groups = properties.getPresence().getGroups();
		for (int i = 0; i < groups.size(); i++) {
			try {
				engine.presence(List.of(groups.get(i)));
			}
			catch (IllegalArgumentException ex) {
				throw invalid("notifier.presence.groups[" + i + "]", groups.get(i), ex.getMessage());
			}
		}
		return engine.presence(groups);
	}

	/**
	 * Applies {@code notifier.security.reauthorize-interval} to an engine, if set.
	 * @param authorizer the authorizer to ask again, looked up when first asked, so that it may depend on the engine
	 */
	static NotifierEngine.Builder reauthorization(NotifierEngine.Builder engine, NotifierProperties properties,
			Supplier<GroupAuthorizer> authorizer) {
		Duration interval = properties.getSecurity().getReauthorizeInterval();
		if (interval == null) {
			return engine;
		}
		requirePositive("notifier.security.reauthorize-interval", interval);
		SingletonSupplier<GroupAuthorizer> once = SingletonSupplier.of(authorizer);
		return engine.reauthorize((handshake) -> once.obtain().authorize(handshake), interval);
	}

	/** {@code notifier.inbound-buffer-size} in bytes, checked. */
	static int inboundBufferSize(NotifierProperties properties) {
		return intBytes("notifier.inbound-buffer-size", properties.getInboundBufferSize());
	}

	private static int intBytes(String property, DataSize size) {
		requirePositive(property, size);
		if (size.toBytes() > Integer.MAX_VALUE) {
			throw invalid(property, size, "must be less than 2GB");
		}
		return (int) size.toBytes();
	}

	private static void validatePath(String property, String path) {
		if (!path.startsWith("/")) {
			throw invalid(property, path, "must start with '/'");
		}
		String segments = path.substring(1);
		String problem = NotifierOptions.builder().maxGroupLength(Integer.MAX_VALUE).build().groupProblem(segments);
		if (problem != null) {
			throw invalid(property, path, "must be '/' followed by segments that follow the group-name rules, "
					+ "but for '" + segments + "' " + problem);
		}
	}

	/** The base path of the event streams, checked like notifier.path and against it. */
	static String ssePath(NotifierProperties properties) {
		String path = properties.getSse().getPath();
		validatePath("notifier.sse.path", path);
		if (path.equals(properties.getPath())) {
			throw invalid("notifier.sse.path", path, "must differ from notifier.path");
		}
		return path;
	}

	private static void requirePositiveIfSet(String name, @Nullable Integer value) {
		if (value != null) {
			requirePositive(name, value);
		}
	}

	private static void requirePositive(String name, long value) {
		if (value <= 0) {
			throw invalid(name, value, "must be positive");
		}
	}

	private static void requirePositive(String name, DataSize value) {
		if (value.toBytes() <= 0) {
			throw invalid(name, value, "must be positive");
		}
	}

	private static void requirePositive(String name, Duration value) {
		if (value.isNegative() || value.isZero()) {
			throw invalid(name, value, "must be positive");
		}
	}

	private static InvalidConfigurationPropertyValueException invalid(String name, Object value, String reason) {
		return new InvalidConfigurationPropertyValueException(name, value, reason);
	}

}
