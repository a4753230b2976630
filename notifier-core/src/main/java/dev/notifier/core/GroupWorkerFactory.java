package dev.notifier.core;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Creates the worker of each group matching its pattern. In a Spring application every factory is a bean; the first
 * factory whose pattern matches a group serves it.
 */
public interface GroupWorkerFactory {

	/** The groups this factory serves, as a {@link GroupPattern}: {@code ticker/*}, {@code tasks/**}. */
	String groupPattern();

	/**
	 * Creates the worker for a group. Called at most once per worker start, never concurrently for one group: on a
	 * {@code notifier-worker-launch} thread when a group gains its first session, or on the thread that calls
	 * {@link GroupNotifier#startWorker}. It never holds up a connection, but a slow one holds one of the few launch
	 * threads for as long as it takes, so keep it short.
	 * @return the worker, or {@code null} to run none for this group
	 * @throws RuntimeException to fail the start: the group's sessions are closed with 1011
	 */
	@Nullable GroupWorker create(String group);

	/**
	 * How long one of this factory's workers may run before it is stopped and its group's sessions are asked to
	 * reconnect; {@code null} for the engine's default. Read once, when the engine starts.
	 */
	default @Nullable Duration maxLifetime() {
		return null;
	}

}
