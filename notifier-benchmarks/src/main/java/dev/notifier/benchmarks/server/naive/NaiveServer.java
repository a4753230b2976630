package dev.notifier.benchmarks.server.naive;

import java.util.Map;

import dev.notifier.benchmarks.server.BenchmarkEndpoints;
import dev.notifier.benchmarks.server.BenchmarkServers;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/**
 * Baseline: what a Spring user writes by hand, a {@link GroupHandler} at {@code /ws/**}. Subscribers connect to
 * {@code /ws/<group>}. The notifier starter is on the classpath (the jar holds all three servers) and switched off.
 */
@SpringBootApplication
@EnableWebSocket
@Import(BenchmarkEndpoints.class)
public class NaiveServer implements WebSocketConfigurer {

	public static void main(String[] args) {
		BenchmarkServers.run(NaiveServer.class, args, Map.of("notifier.enabled", "false"));
	}

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		registry.addHandler(groupHandler(), "/ws/**").setAllowedOriginPatterns("*");
	}

	@Bean
	GroupHandler groupHandler() {
		return new GroupHandler();
	}

}
