package dev.notifier.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * {@code notifier.cluster.mode=redis} without notifier-redis (it is not on this module's test class path) fails
 * startup with a report that says what is missing and how to add it, instead of a stack trace or, worse, instances
 * that silently stand alone.
 */
@ExtendWith(OutputCaptureExtension.class)
class ClusterModeFailureAnalyzerTests {

	@Test
	void startupWithRedisModeWithoutNotifierRedisIsReportedWithTheDependenciesToAdd(CapturedOutput output) {
		SpringApplicationBuilder application = new SpringApplicationBuilder(NotifierOnly.class)
			.web(WebApplicationType.NONE)
			.properties("notifier.cluster.mode=redis", "spring.main.banner-mode=off");

		assertThatException().isThrownBy(application::run);

		// The analyzer is found through META-INF/spring.factories, as in an application: no test wiring here.
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("The notifier's cluster mode is 'redis' (notifier.cluster.mode), but the module that implements "
					+ "it, dev.notifier:notifier-redis, is not on the classpath.")
			.contains("<artifactId>notifier-redis</artifactId>")
			.contains("<artifactId>spring-boot-starter-data-redis</artifactId>")
			.contains("or remove notifier.cluster.mode=redis");
	}

	@Test
	void withNotifierRedisButWithoutLettuceTheReportNamesTheMissingClient() {
		FailureAnalysis analysis = new ClusterModeFailureAnalyzer()
			.analyze(new ClusterModeUnavailableException("redis", true, false));

		assertThat(analysis.getDescription()).contains("notifier-redis is on the classpath")
			.contains("io.lettuce:lettuce-core");
		assertThat(analysis.getAction()).contains("spring-boot-starter-data-redis");
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(NotifierAutoConfiguration.class)
	static class NotifierOnly {

	}

}
