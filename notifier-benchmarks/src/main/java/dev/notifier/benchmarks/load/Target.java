package dev.notifier.benchmarks.load;

import java.net.URI;

/**
 * A server to measure, as the protocol sees it.
 * @param name the name in the report
 * @param webSocketBase where subscribers connect: {@code <webSocketBase>/<group>} for raw WebSocket, or the STOMP
 * endpoint itself
 * @param httpBase where {@code /publish} and {@code /stats} are
 * @param stomp whether subscribers speak STOMP 1.2 and SUBSCRIBE to {@code /topic/<group>}
 * @param eventStream whether subscribers read Server-Sent Events at {@code <httpBase>/sse/<group>} instead
 */
public record Target(String name, String webSocketBase, String httpBase, boolean stomp, boolean eventStream) {

	/** A server whose subscribers use WebSocket. */
	public Target(String name, String webSocketBase, String httpBase, boolean stomp) {
		this(name, webSocketBase, httpBase, stomp, false);
	}

	/** The same server, its subscribers reading its event streams (notifier's {@code /sse}) instead. */
	public Target eventStreams() {
		return new Target(this.name, this.webSocketBase, this.httpBase, false, true);
	}

	/** The URI a subscriber of this group connects to. */
	public URI subscribeUri(String group) {
		if (this.eventStream) {
			return URI.create(this.httpBase + "/sse/" + group);
		}
		return URI.create(this.stomp ? this.webSocketBase : this.webSocketBase + "/" + group);
	}

	/** The STOMP destination of a group. */
	public static String stompDestination(String group) {
		return "/topic/" + group;
	}

}
