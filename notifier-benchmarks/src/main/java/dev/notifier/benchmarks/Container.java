package dev.notifier.benchmarks;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The servlet container a built-in server runs on. This module's jar holds both Tomcat and Jetty, and every server's
 * JVM gets the suite's class path without the other container's jars: with both on one class path Spring Boot starts
 * Jetty, and Spring's {@code DefaultHandshakeHandler} picks Jetty's upgrade strategy whenever Jetty's WebSocket server
 * is present, whichever container runs.
 */
enum Container {

	TOMCAT("tomcat-embed-core-", "tomcat-embed-websocket-", "spring-boot-tomcat-"),

	/** Jetty 12, with the Jakarta WebSocket API jars its starter brings (Tomcat's own jar holds that API). */
	JETTY("jetty-", "spring-boot-jetty-", "jakarta.websocket-");

	/** How the file names of this container's jars begin. */
	private final List<String> jarPrefixes;

	Container(String... jarPrefixes) {
		this.jarPrefixes = List.of(jarPrefixes);
	}

	/** The entries of a class path that a server on this container gets: all but the other containers' jars. */
	List<Path> classPath(List<Path> entries) {
		return entries.stream()
			.filter((entry) -> Arrays.stream(values()).noneMatch((other) -> other != this && other.owns(entry)))
			.toList();
	}

	private boolean owns(Path entry) {
		String name = entry.getFileName().toString();
		return this.jarPrefixes.stream().anyMatch(name::startsWith);
	}

}
