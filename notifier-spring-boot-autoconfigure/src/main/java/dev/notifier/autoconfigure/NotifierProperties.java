package dev.notifier.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.notifier.core.OverflowPolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of the notifier WebSocket endpoint and engine. The cluster's properties, {@code notifier.cluster.*},
 * belong to the module that implements the cluster (notifier-redis); only its switch, {@code notifier.cluster.mode},
 * is known here (see {@code ClusterMode}).
 */
@ConfigurationProperties("notifier")
public class NotifierProperties {

	/**
	 * Whether to auto-configure the notifier engine and its WebSocket endpoint.
	 */
	private boolean enabled = true;

	/**
	 * Base path of the WebSocket endpoint. A client joins a group by connecting to this path followed by the group
	 * name: with "/ws", "ws://host/ws/tasks/42" joins the group "tasks/42".
	 */
	private String path = "/ws";

	/**
	 * Longest group name accepted, in characters. A longer one is refused at the handshake with 400.
	 */
	private int maxGroupLength = 256;

	/**
	 * Largest inbound message accepted. A larger one closes the session with 1009.
	 */
	private DataSize maxInboundMessageSize = DataSize.ofKilobytes(64);

	/**
	 * On Tomcat, the size of the buffers every WebSocket session holds for assembling inbound text and binary
	 * messages (Tomcat allocates both for each session up front; its own default is 8KB, the text one twice that in
	 * bytes). A longer message arrives in parts that the engine joins, allocating only while it arrives, up to
	 * max-inbound-message-size. Not applied when the application declares its own ServletServerContainerFactoryBean.
	 */
	private DataSize inboundBufferSize = DataSize.ofKilobytes(1);

	/**
	 * Origin patterns allowed to connect besides the server's own origin, such as "https://*.example.com". A
	 * handshake from any other origin is refused with 403. Requests without an Origin header (non-browser clients) are
	 * always accepted.
	 */
	private List<String> allowedOriginPatterns = new ArrayList<>();

	/**
	 * How long shutdown waits for sessions to receive their 1001 close frame before the server stops.
	 */
	private Duration shutdownTimeout = Duration.ofSeconds(5);

	/**
	 * Whether a session whose handshake came from an authenticated user within an HTTP session is closed with 1008
	 * "session ended" when that HTTP session ends: logout, invalidation or timeout.
	 */
	private boolean followHttpSession = true;

	private final Limits limits = new Limits();

	private final Presence presence = new Presence();

	private final Security security = new Security();

	private final Probe probe = new Probe();

	private final Outbound outbound = new Outbound();

	private final Heartbeat heartbeat = new Heartbeat();

	private final Workers workers = new Workers();

	private final Client client = new Client();

	private final History history = new History();

	private final Sse sse = new Sse();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getPath() {
		return this.path;
	}

	public void setPath(String path) {
		this.path = path;
	}

	public int getMaxGroupLength() {
		return this.maxGroupLength;
	}

	public void setMaxGroupLength(int maxGroupLength) {
		this.maxGroupLength = maxGroupLength;
	}

	public DataSize getMaxInboundMessageSize() {
		return this.maxInboundMessageSize;
	}

	public void setMaxInboundMessageSize(DataSize maxInboundMessageSize) {
		this.maxInboundMessageSize = maxInboundMessageSize;
	}

	public DataSize getInboundBufferSize() {
		return this.inboundBufferSize;
	}

	public void setInboundBufferSize(DataSize inboundBufferSize) {
		this.inboundBufferSize = inboundBufferSize;
	}

	public List<String> getAllowedOriginPatterns() {
		return this.allowedOriginPatterns;
	}

	public void setAllowedOriginPatterns(List<String> allowedOriginPatterns) {
		this.allowedOriginPatterns = allowedOriginPatterns;
	}

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public boolean isFollowHttpSession() {
		return this.followHttpSession;
	}

	public void setFollowHttpSession(boolean followHttpSession) {
		this.followHttpSession = followHttpSession;
	}

	public Limits getLimits() {
		return this.limits;
	}

	public Security getSecurity() {
		return this.security;
	}

	public Presence getPresence() {
		return this.presence;
	}

	public Probe getProbe() {
		return this.probe;
	}

	public Outbound getOutbound() {
		return this.outbound;
	}

	public Heartbeat getHeartbeat() {
		return this.heartbeat;
	}

	public Workers getWorkers() {
		return this.workers;
	}

	public Client getClient() {
		return this.client;
	}

	public History getHistory() {
		return this.history;
	}

	public Sse getSse() {
		return this.sse;
	}

	/**
	 * Limits on what one user, one address or one session may take.
	 */
	public static class Limits {

		/**
		 * Most connections (WebSocket sessions and event streams together) one authenticated user (by principal
		 * name) may hold at once on this instance, in all groups. One more is refused at the handshake with 429.
		 * Counted per instance: on a cluster, a user may hold this many on each instance. When unset, a user's
		 * connections are not limited.
		 */
		private @Nullable Integer maxConnectionsPerUser;

		/**
		 * Most connections (WebSocket sessions and event streams together) one remote IP address may hold at once on
		 * this instance, in all groups. One more is refused at the handshake with 429. Behind a proxy, the address
		 * is the proxy's unless the server uses forwarded headers. Counted per instance: on a cluster, an address may
		 * hold this many on each instance. When unset, an address's connections are not limited.
		 */
		private @Nullable Integer maxConnectionsPerAddress;

		/**
		 * Messages a session may send per second, on average. A session that sends more is closed with 1008 "message
		 * rate exceeded" and the message is not delivered; a message in parts counts once, pongs not at all. When
		 * unset, inbound messages are not limited in rate.
		 */
		private @Nullable Integer inboundMessagesPerSecond;

		/**
		 * Messages a session may send at once above the average rate of inbound-messages-per-second. When unset, one
		 * second's worth: as many as inbound-messages-per-second.
		 */
		private @Nullable Integer inboundBurst;

		public @Nullable Integer getMaxConnectionsPerUser() {
			return this.maxConnectionsPerUser;
		}

		public void setMaxConnectionsPerUser(@Nullable Integer maxConnectionsPerUser) {
			this.maxConnectionsPerUser = maxConnectionsPerUser;
		}

		public @Nullable Integer getMaxConnectionsPerAddress() {
			return this.maxConnectionsPerAddress;
		}

		public void setMaxConnectionsPerAddress(@Nullable Integer maxConnectionsPerAddress) {
			this.maxConnectionsPerAddress = maxConnectionsPerAddress;
		}

		public @Nullable Integer getInboundMessagesPerSecond() {
			return this.inboundMessagesPerSecond;
		}

		public void setInboundMessagesPerSecond(@Nullable Integer inboundMessagesPerSecond) {
			this.inboundMessagesPerSecond = inboundMessagesPerSecond;
		}

		public @Nullable Integer getInboundBurst() {
			return this.inboundBurst;
		}

		public void setInboundBurst(@Nullable Integer inboundBurst) {
			this.inboundBurst = inboundBurst;
		}

	}

	/**
	 * Sessions that do not outlive their login.
	 */
	public static class Security {

		/**
		 * Whether a session opened with an OAuth 2.0 token (Spring Security's resource server: a JWT or an opaque
		 * access token) is closed with 1008 "token expired" once the token's expiry passes. Needs
		 * spring-security-oauth2-core on the classpath.
		 */
		private boolean closeOnTokenExpiry = true;

		/**
		 * How often the GroupAuthorizer is asked again about every open session, closing with 1008 "not authorized"
		 * those it now refuses. It sees the handshake as it was, so this matters for authorizers that consult state
		 * that changes (memberships, revoked accounts). When unset, sessions are authorized once, at the handshake.
		 */
		private @Nullable Duration reauthorizeInterval;

		public boolean isCloseOnTokenExpiry() {
			return this.closeOnTokenExpiry;
		}

		public void setCloseOnTokenExpiry(boolean closeOnTokenExpiry) {
			this.closeOnTokenExpiry = closeOnTokenExpiry;
		}

		public @Nullable Duration getReauthorizeInterval() {
			return this.reauthorizeInterval;
		}

		public void setReauthorizeInterval(@Nullable Duration reauthorizeInterval) {
			this.reauthorizeInterval = reauthorizeInterval;
		}

	}

	/**
	 * Presence: who is in a group, its sessions and its signed-in users, with an event when a user appears in a group
	 * or its last session leaves. In cluster mode it covers every instance.
	 */
	public static class Presence {

		/**
		 * Group patterns with presence, such as "chat/**" or "admin/*": "*" matches one segment, "**" any number of
		 * segments. Presence costs one update per join and leave (in cluster mode a Redis script that reads the
		 * group's users), so it is off for every group unless listed here.
		 */
		private List<String> groups = new ArrayList<>();

		public List<String> getGroups() {
			return this.groups;
		}

		public void setGroups(List<String> groups) {
			this.groups = groups;
		}

	}

	/**
	 * The probe: a plain GET of a group's URL, which tells the browser client whether its handshake would be accepted.
	 */
	public static class Probe {

		/**
		 * Whether pages of the origins matching allowed-origin-patterns may read the probe's answer (with CORS headers
		 * and the user's cookies), which tells them whether the user may join a group. When false, only the
		 * endpoint's own origin and non-browser clients get the answer; other pages get 403 whatever the verdict.
		 */
		private boolean crossOrigin;

		public boolean isCrossOrigin() {
			return this.crossOrigin;
		}

		public void setCrossOrigin(boolean crossOrigin) {
			this.crossOrigin = crossOrigin;
		}

	}

	/**
	 * The bounded queue in front of every session.
	 */
	public static class Outbound {

		/**
		 * Messages a session may have waiting to be written (not yet taken by a write) before the overflow policy
		 * applies.
		 */
		private int maxQueuedMessages = 1024;

		/**
		 * Bytes a session may have waiting to be written (not yet taken by a write) before the overflow policy applies;
		 * an empty queue takes any one message.
		 */
		private DataSize maxQueuedBytes = DataSize.ofMegabytes(1);

		/**
		 * What happens to a message for a session whose queue is full: CLOSE closes the session with 1013 "slow
		 * consumer", DROP_OLDEST drops the oldest queued messages, DROP_NEWEST drops the new message.
		 */
		private OverflowPolicy overflow = OverflowPolicy.CLOSE;

		/**
		 * How long writing one message, a ping or a close frame may take before the session is closed as a slow
		 * consumer.
		 */
		private Duration sendTimeout = Duration.ofSeconds(10);

		public int getMaxQueuedMessages() {
			return this.maxQueuedMessages;
		}

		public void setMaxQueuedMessages(int maxQueuedMessages) {
			this.maxQueuedMessages = maxQueuedMessages;
		}

		public DataSize getMaxQueuedBytes() {
			return this.maxQueuedBytes;
		}

		public void setMaxQueuedBytes(DataSize maxQueuedBytes) {
			this.maxQueuedBytes = maxQueuedBytes;
		}

		public OverflowPolicy getOverflow() {
			return this.overflow;
		}

		public void setOverflow(OverflowPolicy overflow) {
			this.overflow = overflow;
		}

		public Duration getSendTimeout() {
			return this.sendTimeout;
		}

		public void setSendTimeout(Duration sendTimeout) {
			this.sendTimeout = sendTimeout;
		}

	}

	/**
	 * Server-Sent Events: the same groups as the WebSocket endpoint, for clients that read an event stream.
	 */
	public static class Sse {

		/**
		 * Whether to serve every group as a Server-Sent Events stream at the sse path too.
		 */
		private boolean enabled = true;

		/**
		 * Base path of the event streams. A client joins a group with a GET of this path followed by the group name:
		 * with "/sse", "http://host/sse/tasks/42" streams the group "tasks/42". Must differ from notifier.path.
		 */
		private String path = "/sse";

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getPath() {
			return this.path;
		}

		public void setPath(String path) {
			this.path = path;
		}

	}

	/**
	 * Per-group history: what late joiners are replayed and what reconnecting clients resume from.
	 */
	public static class History {

		/**
		 * Group patterns whose groups keep a history of their broadcasts ("*" matches one segment, "**" any number),
		 * such as "tasks/*". Empty: no group keeps history. Every matching group has the same limits and
		 * replay-last.
		 */
		private List<String> groups = new ArrayList<>();

		/**
		 * The most messages kept per group.
		 */
		private int maxMessages = 1000;

		/**
		 * The most payload kept per group.
		 */
		private DataSize maxSize = DataSize.ofMegabytes(1);

		/**
		 * How long a message is kept.
		 */
		private Duration timeToLive = Duration.ofMinutes(5);

		/**
		 * How many of the latest kept messages a session that joins without a position to resume from is sent before
		 * live ones: 0 for none; max-messages or more for all that are kept.
		 */
		private int replayLast;

		public List<String> getGroups() {
			return this.groups;
		}

		public void setGroups(List<String> groups) {
			this.groups = groups;
		}

		public int getMaxMessages() {
			return this.maxMessages;
		}

		public void setMaxMessages(int maxMessages) {
			this.maxMessages = maxMessages;
		}

		public DataSize getMaxSize() {
			return this.maxSize;
		}

		public void setMaxSize(DataSize maxSize) {
			this.maxSize = maxSize;
		}

		public Duration getTimeToLive() {
			return this.timeToLive;
		}

		public void setTimeToLive(Duration timeToLive) {
			this.timeToLive = timeToLive;
		}

		public int getReplayLast() {
			return this.replayLast;
		}

		public void setReplayLast(int replayLast) {
			this.replayLast = replayLast;
		}

	}

	/**
	 * Pings that detect peers which went away without closing.
	 */
	public static class Heartbeat {

		/**
		 * How often every session is pinged; an event stream gets a ": ping" comment. Zero turns heartbeats off:
		 * quiet sessions stay open all the same, since neither Tomcat's nor Jetty's idle timeout ends an open
		 * WebSocket session or event stream, but a proxy's idle timeout may, and a peer that went away without
		 * closing is noticed only when a write to it fails.
		 */
		private Duration interval = Duration.ofSeconds(25);

		/**
		 * How long past one interval a session may stay silent (no pong, no message) before it is closed.
		 */
		private Duration timeout = Duration.ofSeconds(10);

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * The background workers of groups, created by GroupWorkerFactory beans.
	 */
	public static class Workers {

		/**
		 * How long a group may stay empty before its worker is stopped.
		 */
		private Duration idleTimeout = Duration.ofSeconds(1);

		/**
		 * How long a worker may run before it is stopped and its group's sessions are closed with 1001 so that they
		 * reconnect to a fresh worker. A factory may set its own.
		 */
		private Duration maxLifetime = Duration.ofHours(24);

		/**
		 * How long a stopping worker may take to end before it is interrupted and reported.
		 */
		private Duration stopGrace = Duration.ofSeconds(3);

		/**
		 * How many blocking workers may run at once. Starting one more fails and closes its group's sessions with
		 * 1013.
		 */
		private int maxBlocking = 256;

		public Duration getIdleTimeout() {
			return this.idleTimeout;
		}

		public void setIdleTimeout(Duration idleTimeout) {
			this.idleTimeout = idleTimeout;
		}

		public Duration getMaxLifetime() {
			return this.maxLifetime;
		}

		public void setMaxLifetime(Duration maxLifetime) {
			this.maxLifetime = maxLifetime;
		}

		public Duration getStopGrace() {
			return this.stopGrace;
		}

		public void setStopGrace(Duration stopGrace) {
			this.stopGrace = stopGrace;
		}

		public int getMaxBlocking() {
			return this.maxBlocking;
		}

		public void setMaxBlocking(int maxBlocking) {
			this.maxBlocking = maxBlocking;
		}

	}

	/**
	 * The JavaScript client served by the application.
	 */
	public static class Client {

		/**
		 * Whether to serve the browser client at "/notifier.js" (a classic script defining "notifier") and
		 * "/notifier.mjs" (the same as an ES module).
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

}
