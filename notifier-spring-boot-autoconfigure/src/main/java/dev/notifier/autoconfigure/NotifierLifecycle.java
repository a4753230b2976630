package dev.notifier.autoconfigure;

import java.time.Duration;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.NotifierEngine;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the engine once every singleton exists, so that listeners and worker factories may depend on the
 * {@link dev.notifier.core.GroupNotifier} and the engine runs before the web server accepts connections; and, when the
 * application context closes, stops the workers and closes every session with 1001 "going away" before the web server
 * stops, so that clients see a proper close frame and reconnect elsewhere instead of a dropped connection.
 */
public final class NotifierLifecycle implements SmartInitializingSingleton, SmartLifecycle {

	/**
	 * Stops before the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) and before the server itself
	 * ({@code DEFAULT_PHASE - 2048}): lifecycles with a higher phase stop first.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

	private final NotifierEngine engine;

	private final Duration shutdownTimeout;

	/**
	 * A lifecycle for an engine. The auto-configuration declares one for the engine bean and backs off for a bean of
	 * this type of the application's own, for example one with a shutdown timeout computed at runtime.
	 * @param engine the engine to start and stop
	 * @param shutdownTimeout how long {@link #stop()} waits for sessions to receive their close frame
	 */
	public NotifierLifecycle(NotifierEngine engine, Duration shutdownTimeout) {
		this.engine = engine;
		this.shutdownTimeout = shutdownTimeout;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.engine.start();
	}

	@Override
	public void start() {
		this.engine.start();
	}

	@Override
	public void stop() {
		this.engine.shutdown(CloseStatus.GOING_AWAY, this.shutdownTimeout);
	}

	@Override
	public boolean isRunning() {
		return this.engine.isRunning();
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
