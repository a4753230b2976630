package dev.notifier.benchmarks;

import java.util.List;

import dev.notifier.benchmarks.server.naive.NaiveServer;
import dev.notifier.benchmarks.server.notifier.NotifierServer;
import dev.notifier.benchmarks.server.stomp.StompServer;

/**
 * The servers the suite starts, each a Spring Boot main in this module.
 */
enum ServerKind {

	NOTIFIER("notifier", NotifierServer.class, "/ws", false, List.of(), List.of()),

	/**
	 * The notifier server with Tomcat's remaining per-connection buffers lowered to 2 KB, as docs/benchmarks.md shows
	 * an application how to: measured in the idle scenario only.
	 */
	NOTIFIER_TUNED("notifier-tuned", NotifierServer.class, "/ws", false,
			List.of("-Dorg.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE=2048"),
			List.of("--" + NotifierServer.SOCKET_BUFFER_SIZE + "=2KB")),

	NAIVE("naive", NaiveServer.class, "/ws", false, List.of(), List.of()),

	STOMP("stomp", StompServer.class, "/stomp", true, List.of(), List.of());

	final String id;

	final Class<?> mainClass;

	final String webSocketPath;

	final boolean stomp;

	/** JVM flags of this server beyond the suite's own. */
	final List<String> jvmFlags;

	/** Arguments of this server beyond its port. */
	final List<String> arguments;

	ServerKind(String id, Class<?> mainClass, String webSocketPath, boolean stomp, List<String> jvmFlags,
			List<String> arguments) {
		this.id = id;
		this.mainClass = mainClass;
		this.webSocketPath = webSocketPath;
		this.stomp = stomp;
		this.jvmFlags = jvmFlags;
		this.arguments = arguments;
	}

	static ServerKind of(String id) {
		for (ServerKind kind : values()) {
			if (kind.id.equals(id)) {
				return kind;
			}
		}
		throw new IllegalArgumentException("unknown server '" + id + "': notifier, notifier-tuned, naive or stomp");
	}

}
