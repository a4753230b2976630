package dev.notifier.benchmarks.server;

import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.SpringApplication;

/**
 * Starts a benchmark server with the settings all three share, so that they differ only in how they broadcast.
 */
public final class BenchmarkServers {

	/**
	 * Tomcat's defaults cap connections at 8,192 and the accept queue at 100; the 10,000-connection scenarios need
	 * more of both, for every server alike.
	 */
	private static final Map<String, Object> SHARED = Map.of(
			"server.tomcat.max-connections", "20000",
			"server.tomcat.accept-count", "1000",
			"spring.main.banner-mode", "off",
			"logging.level.root", "WARN");

	private BenchmarkServers() {
	}

	/** Runs {@code application} with the shared settings plus its own; {@code --server.port} comes in the args. */
	public static void run(Class<?> application, String[] args, Map<String, Object> ownSettings) {
		SpringApplication app = new SpringApplication(application);
		Map<String, Object> settings = new HashMap<>(SHARED);
		settings.putAll(ownSettings);
		app.setDefaultProperties(settings);
		app.run(args);
	}

}
