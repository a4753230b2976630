package dev.notifier.benchmarks.load;

import java.net.URI;

/**
 * A server to measure, as the protocol sees it.
 * @param name the name in the report
 * @param webSocketBase where subscribers connect: {@code <webSocketBase>/<group>} for raw WebSocket, or the STOMP
 * endpoint itself
 * @param httpBase where {@code /publish} and {@code /stats} are
 * @param stomp whether subscribers speak STOMP 1.2 and SUBSCRIBE to {@code /topic/<group>}
 */
public record Target(String name, String webSocketBase, String httpBase, boolean stomp) {

	/** The URI a subscriber of this group connects to. */
	public URI subscribeUri(String group) {
		return URI.create(this.stomp ? this.webSocketBase : this.webSocketBase + "/" + group);
	}

	/** The STOMP destination of a group. */
	public static String stompDestination(String group) {
		return "/topic/" + group;
	}

}
