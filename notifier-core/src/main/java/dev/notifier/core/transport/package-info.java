/**
 * Adapters from a container's WebSocket session to the engine's non-blocking {@link dev.notifier.core.Transport}.
 */
@NullMarked
package dev.notifier.core.transport;

import org.jspecify.annotations.NullMarked;
