package dev.notifier.core;

/**
 * Decides at the handshake whether a request may join its group. A refusal answers the handshake with 403.
 *
 * <p>Called on the container's request thread, before the connection is upgraded; it may block briefly (a lookup),
 * but every handshake waits for it.
 */
@FunctionalInterface
public interface GroupAuthorizer {

	/** Lets everyone join every group. */
	GroupAuthorizer ALLOW_ALL = (handshake) -> true;

	/** Whether this handshake may join {@code handshake.group()}. */
	boolean authorize(HandshakeInfo handshake);

}
