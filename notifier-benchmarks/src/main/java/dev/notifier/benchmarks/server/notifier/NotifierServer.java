package dev.notifier.benchmarks.server.notifier;

import java.time.Duration;
import java.util.Map;

import dev.notifier.benchmarks.server.BenchmarkEndpoints;
import dev.notifier.benchmarks.server.BenchmarkServers;
import dev.notifier.benchmarks.server.BroadcastTarget;
import dev.notifier.core.GroupWorker;
import dev.notifier.core.GroupWorkerFactory;
import dev.notifier.core.NotifierEngine;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.util.unit.DataSize;

/**
 * The server under test: the notifier starter in a plain Boot application, with every {@code notifier.*} property at
 * its default except the path. Subscribers connect to {@code /ws/<group>}. It runs on Tomcat or, with Jetty on its
 * class path instead (notifier-jetty), on Jetty.
 */
@SpringBootApplication
@Import(BenchmarkEndpoints.class)
public class NotifierServer {

	/** Lowers Tomcat's socket read and write buffers of every connection, for the tuned variant. */
	public static final String SOCKET_BUFFER_SIZE = "benchmark.tomcat.socket-buffer-size";

	public static void main(String[] args) {
		BenchmarkServers.run(NotifierServer.class, args, Map.of("notifier.path", "/ws"));
	}

	@Bean
	BroadcastTarget broadcastTarget(NotifierEngine notifier) {
		return new BroadcastTarget() {

			@Override
			public void broadcast(String group, String payload) {
				notifier.broadcast(group, payload);
			}

			@Override
			public int sessionCount() {
				return notifier.sessionCount();
			}

			@Override
			public int workerCount() {
				return notifier.workers().size();
			}

			@Override
			public long writes() {
				return notifier.statistics().writes();
			}

		};
	}

	/**
	 * What docs/benchmarks.md shows an application that wants small idle connections, for the tuned variant. A class
	 * of its own, so that this application also starts on Jetty, where no Tomcat class exists.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(SOCKET_BUFFER_SIZE)
	static class SmallSocketBuffers {

		@Bean
		WebServerFactoryCustomizer<TomcatServletWebServerFactory> smallSocketBuffers(
				@Value("${" + SOCKET_BUFFER_SIZE + "}") DataSize size) {
			String bytes = Long.toString(size.toBytes());
			return (factory) -> factory.addConnectorCustomizers((connector) -> {
				connector.setProperty("socket.appReadBufSize", bytes);
				connector.setProperty("socket.appWriteBufSize", bytes);
			});
		}

	}

	/**
	 * A worker for every group of the churn scenario ({@code churn/<i>}), which does nothing but exist: the scenario
	 * checks that workers, like sessions, are all gone once the churn is over.
	 */
	@Bean
	GroupWorkerFactory churnWorkers() {
		return new GroupWorkerFactory() {

			@Override
			public String groupPattern() {
				return "churn/*";
			}

			@Override
			public @Nullable GroupWorker create(String group) {
				return GroupWorker.periodic(Duration.ofSeconds(1), (context) -> {
				});
			}

		};
	}

}
