/**
 * Cluster mode on Redis: {@link dev.notifier.redis.RedisNotifierCluster}, a {@link dev.notifier.core.NotifierCluster}
 * over Lettuce.
 */
@NullMarked
package dev.notifier.redis;

import org.jspecify.annotations.NullMarked;
