package dev.notifier.autoconfigure.actuate;

import dev.notifier.core.NotifierCluster;
import dev.notifier.core.NotifierEngine;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * UP while the engine accepts connections, with its sessions, groups and workers as details; DOWN once it has shut
 * down, or while its cluster cannot reach the other instances ({@link NotifierCluster#unavailable()}, such as a lost
 * Redis connection), with the reason. A clustered engine also shows its instance id.
 */
public class NotifierHealthIndicator extends AbstractHealthIndicator {

	private final NotifierEngine engine;

	public NotifierHealthIndicator(NotifierEngine engine) {
		super("Notifier health check failed");
		this.engine = engine;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		NotifierCluster cluster = this.engine.cluster();
		String clusterProblem = (cluster != null) ? cluster.unavailable() : null;
		if (!this.engine.isRunning()) {
			builder.down().withDetail("reason", "the notifier engine is shut down");
		}
		else if (clusterProblem != null) {
			builder.down().withDetail("reason", clusterProblem);
		}
		else {
			builder.up();
		}
		if (cluster != null && cluster.instanceId() != null) {
			builder.withDetail("instance", cluster.instanceId());
		}
		builder.withDetail("sessions", this.engine.sessionCount())
			.withDetail("groups", this.engine.groupCount())
			.withDetail("workers", this.engine.workers().size());
	}

}
