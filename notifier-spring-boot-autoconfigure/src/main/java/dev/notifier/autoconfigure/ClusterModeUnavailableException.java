package dev.notifier.autoconfigure;

/**
 * {@code notifier.cluster.mode=redis} is set but no cluster could be created, because notifier-redis or the Redis
 * client it needs is missing; {@link ClusterModeFailureAnalyzer} says what to add.
 */
final class ClusterModeUnavailableException extends IllegalStateException {

	private final boolean redisModulePresent;

	private final boolean lettucePresent;

	ClusterModeUnavailableException(String mode, boolean redisModulePresent, boolean lettucePresent) {
		super(ClusterMode.PROPERTY + "=" + mode + " is set, but "
				+ (redisModulePresent ? "the Lettuce Redis client is not on the classpath"
						: "dev.notifier:notifier-redis is not on the classpath"));
		this.redisModulePresent = redisModulePresent;
		this.lettucePresent = lettucePresent;
	}

	boolean isRedisModulePresent() {
		return this.redisModulePresent;
	}

	boolean isLettucePresent() {
		return this.lettucePresent;
	}

}
