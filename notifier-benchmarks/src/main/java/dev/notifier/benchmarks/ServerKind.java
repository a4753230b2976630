package dev.notifier.benchmarks;

import dev.notifier.benchmarks.server.naive.NaiveServer;
import dev.notifier.benchmarks.server.notifier.NotifierServer;
import dev.notifier.benchmarks.server.stomp.StompServer;

/**
 * The servers the suite starts, each a Spring Boot main in this module.
 */
enum ServerKind {

	NOTIFIER("notifier", NotifierServer.class, "/ws", false),

	NAIVE("naive", NaiveServer.class, "/ws", false),

	STOMP("stomp", StompServer.class, "/stomp", true);

	final String id;

	final Class<?> mainClass;

	final String webSocketPath;

	final boolean stomp;

	ServerKind(String id, Class<?> mainClass, String webSocketPath, boolean stomp) {
		this.id = id;
		this.mainClass = mainClass;
		this.webSocketPath = webSocketPath;
		this.stomp = stomp;
	}

	static ServerKind of(String id) {
		for (ServerKind kind : values()) {
			if (kind.id.equals(id)) {
				return kind;
			}
		}
		throw new IllegalArgumentException("unknown server '" + id + "': notifier, naive or stomp");
	}

}
