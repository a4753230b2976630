package dev.notifier.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import dev.notifier.benchmarks.server.naive.NaiveServer;
import dev.notifier.benchmarks.server.notifier.NotifierServer;
import dev.notifier.benchmarks.server.stomp.StompServer;

/**
 * The servers of the suite's own, each a Spring Boot main in this module.
 */
enum ServerKind implements Server {

	NOTIFIER("notifier", NotifierServer.class, Container.TOMCAT, "/ws", false, Scenarios.ALL, List.of(), List.of()),

	/**
	 * The notifier server with Tomcat's remaining per-connection buffers lowered to 2 KB, as docs/benchmarks.md shows
	 * an application how to: measured in the idle scenario only.
	 */
	NOTIFIER_TUNED("notifier-tuned", NotifierServer.class, Container.TOMCAT, "/ws", false, List.of(Scenarios.IDLE),
			List.of("-Dorg.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE=2048"),
			List.of("--" + NotifierServer.SOCKET_BUFFER_SIZE + "=2KB")),

	/** The notifier server on Jetty instead of Tomcat (the starter's {@code JettyTransport}): the fan-out scenarios. */
	NOTIFIER_JETTY("notifier-jetty", NotifierServer.class, Container.JETTY, "/ws", false, Scenarios.FAN_OUT,
			List.of(), List.of()),

	/**
	 * The notifier server on the Parallel collector instead of the suite's G1, in the cost-growth scenario only: what
	 * of the growth is the collector's. Each write stores new objects into a session's long-lived ones (the
	 * container's and the JDK's socket state); G1 marks a card for each such store and its refinement threads scan
	 * them, where the Parallel collector only marks the card, so 10,000 sessions cost G1 more than 100 do for the same
	 * deliveries.
	 */
	NOTIFIER_PARALLEL_GC("notifier-parallel-gc", NotifierServer.class, Container.TOMCAT, "/ws", false, List.of(7),
			List.of("-XX:-UseG1GC", "-XX:+UseParallelGC"), List.of()),

	NAIVE("naive", NaiveServer.class, Container.TOMCAT, "/ws", false, Scenarios.ANY_SERVER, List.of(), List.of()),

	STOMP("stomp", StompServer.class, Container.TOMCAT, "/stomp", true, Scenarios.ANY_SERVER, List.of(), List.of());

	private final String id;

	final Class<?> mainClass;

	final Container container;

	private final String webSocketPath;

	private final boolean stomp;

	private final List<Integer> scenarios;

	/** JVM flags of this server beyond the suite's own. */
	final List<String> jvmFlags;

	/** Arguments of this server beyond its port. */
	final List<String> arguments;

	ServerKind(String id, Class<?> mainClass, Container container, String webSocketPath, boolean stomp,
			List<Integer> scenarios, List<String> jvmFlags, List<String> arguments) {
		this.id = id;
		this.mainClass = mainClass;
		this.container = container;
		this.webSocketPath = webSocketPath;
		this.stomp = stomp;
		this.scenarios = scenarios;
		this.jvmFlags = jvmFlags;
		this.arguments = arguments;
	}

	@Override
	public String id() {
		return this.id;
	}

	@Override
	public String webSocketPath() {
		return this.webSocketPath;
	}

	@Override
	public boolean stomp() {
		return this.stomp;
	}

	@Override
	public boolean runs(int scenario) {
		return this.scenarios.contains(scenario);
	}

	@Override
	public String description() {
		return "the " + this.id + " server";
	}

	static ServerKind of(String id) {
		for (ServerKind kind : values()) {
			if (kind.id.equals(id)) {
				return kind;
			}
		}
		throw new IllegalArgumentException("unknown server '" + id + "': "
				+ Arrays.stream(values()).map(ServerKind::id).collect(Collectors.joining(", "))
				+ "; an outside server is added with " + ExternalServer.OPTION + "NAME=COMMAND");
	}

}
