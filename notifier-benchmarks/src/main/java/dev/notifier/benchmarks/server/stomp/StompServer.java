package dev.notifier.benchmarks.server.stomp;

import java.util.Map;

import dev.notifier.benchmarks.server.BenchmarkEndpoints;
import dev.notifier.benchmarks.server.BenchmarkServers;
import dev.notifier.benchmarks.server.BroadcastTarget;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.messaging.simp.SimpMessageSendingOperations;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;

/**
 * Baseline: what a Spring user picks instead, STOMP over WebSocket with Spring's simple broker, all defaults.
 * Subscribers connect to {@code /stomp} and SUBSCRIBE to {@code /topic/<group>}.
 */
@SpringBootApplication
@EnableWebSocketMessageBroker
@Import(BenchmarkEndpoints.class)
public class StompServer implements WebSocketMessageBrokerConfigurer {

	public static void main(String[] args) {
		BenchmarkServers.run(StompServer.class, args, Map.of("notifier.enabled", "false"));
	}

	@Override
	public void registerStompEndpoints(StompEndpointRegistry registry) {
		registry.addEndpoint("/stomp").setAllowedOriginPatterns("*");
	}

	@Override
	public void configureMessageBroker(MessageBrokerRegistry registry) {
		registry.enableSimpleBroker("/topic");
	}

	@Bean
	BroadcastTarget broadcastTarget(SimpMessageSendingOperations messaging,
			@Qualifier("subProtocolWebSocketHandler") WebSocketHandler handler) {
		SubProtocolWebSocketHandler stomp = (SubProtocolWebSocketHandler) WebSocketHandlerDecorator.unwrap(handler);
		return new BroadcastTarget() {

			@Override
			public void broadcast(String group, String payload) {
				messaging.convertAndSend("/topic/" + group, payload);
			}

			@Override
			public int sessionCount() {
				return stomp.getStats().getWebSocketSessions();
			}

		};
	}

}
