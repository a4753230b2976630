package dev.notifier.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link ClusterModeUnavailableException}: which module or client is missing for
 * {@code notifier.cluster.mode=redis}, and the two ways out (add it, or stand alone).
 */
class ClusterModeFailureAnalyzer extends AbstractFailureAnalyzer<ClusterModeUnavailableException> {

	private static final String DEPENDENCIES = """
			<dependency>
			  <groupId>dev.notifier</groupId>
			  <artifactId>notifier-redis</artifactId>
			</dependency>
			<dependency>
			  <groupId>org.springframework.boot</groupId>
			  <artifactId>spring-boot-starter-data-redis</artifactId>
			</dependency>""";

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ClusterModeUnavailableException cause) {
		String description;
		if (!cause.isRedisModulePresent()) {
			description = "The notifier's cluster mode is 'redis' (notifier.cluster.mode), but the module that "
					+ "implements it, dev.notifier:notifier-redis, is not on the classpath. Without it every instance "
					+ "would stand alone: broadcasts would reach only the sessions of the instance they were made on.";
		}
		else if (!cause.isLettucePresent()) {
			description = "The notifier's cluster mode is 'redis' (notifier.cluster.mode) and notifier-redis is on the "
					+ "classpath, but the Lettuce Redis client it runs on (io.lettuce:lettuce-core, brought by "
					+ "spring-boot-starter-data-redis) is not.";
		}
		else {
			description = "The notifier's cluster mode is 'redis' (notifier.cluster.mode), but no NotifierCluster bean "
					+ "was created: notifier-redis's auto-configuration did not run (is it excluded?).";
		}
		String action = "Add notifier-redis and Spring Boot's Redis starter to the application:\n\n" + DEPENDENCIES
				+ "\n\nor remove notifier.cluster.mode=redis (or set it to 'none') to run each instance on its own.";
		return new FailureAnalysis(description, action, cause);
	}

}
