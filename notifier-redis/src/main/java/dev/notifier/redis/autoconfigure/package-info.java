/**
 * The Spring Boot auto-configuration of cluster mode on Redis.
 */
@NullMarked
package dev.notifier.redis.autoconfigure;

import org.jspecify.annotations.NullMarked;
