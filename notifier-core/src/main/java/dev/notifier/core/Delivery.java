package dev.notifier.core;

/**
 * The one seam every broadcast passes through on its way to sessions. The engine's own delivery queues the message
 * on this instance's sessions; history/resume and a cluster bus wrap it, so callers of {@link GroupNotifier} never
 * change.
 *
 * <p>Implementations are called from any thread, concurrently, and must not block on the network.
 */
@FunctionalInterface
public interface Delivery {

	/**
	 * Delivers a broadcast.
	 * @return how many sessions of this instance the message was queued for, counted as {@link GroupNotifier}'s verbs
	 * count them
	 */
	int deliver(Broadcast broadcast);

}
