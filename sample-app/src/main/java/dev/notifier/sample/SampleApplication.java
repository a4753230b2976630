package dev.notifier.sample;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;

/**
 * The notifier sample: open the printed URL, join a group, and watch what is broadcast to it.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SampleApplication {

	private static final Log logger = LogFactory.getLog(SampleApplication.class);

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

	/** The management server (Actuator, on its own port) starts a second web server: only the main one is the URL. */
	@EventListener
	void printUrl(WebServerInitializedEvent event) {
		if (event.getApplicationContext().getServerNamespace() == null) {
			logger.info("notifier sample is running: open http://localhost:" + event.getWebServer().getPort() + "/");
		}
	}

}
