package dev.notifier.sample;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Tells the monitor page where the Actuator endpoint is: on the management port, which differs from the page's.
 */
@RestController
class MonitorController {

	private final Environment environment;

	MonitorController(Environment environment) {
		this.environment = environment;
	}

	@GetMapping("/api/monitor")
	Map<String, String> monitor(HttpServletRequest request) {
		String port = this.environment.getProperty("local.management.port",
				this.environment.getProperty("local.server.port", "8080"));
		return Map.of("endpoint", request.getScheme() + "://" + request.getServerName() + ":" + port
				+ "/actuator/notifier");
	}

}
