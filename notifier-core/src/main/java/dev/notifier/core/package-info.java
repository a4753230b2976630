/**
 * The notifier engine: groups of WebSocket sessions, bounded outbound queues and heartbeats, free of Spring Boot.
 */
@NullMarked
package dev.notifier.core;

import org.jspecify.annotations.NullMarked;
