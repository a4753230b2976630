/**
 * Auto-configuration of the notifier engine and its WebSocket endpoint for Spring Boot applications.
 */
@NullMarked
package dev.notifier.autoconfigure;

import org.jspecify.annotations.NullMarked;
