package dev.notifier.autoconfigure.actuate;

import dev.notifier.core.NotifierCluster;
import dev.notifier.core.NotifierEngine;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * UP while the engine accepts connections, with its sessions, groups and workers as details; DOWN once it has shut
 * down; {@link #DEGRADED} while it runs but its cluster cannot reach the other instances
 * ({@link NotifierCluster#unavailable()}, such as a lost Redis connection or a pub/sub subscription that stopped
 * delivering), with the reason. A clustered engine also shows its instance id.
 *
 * <p>Why not DOWN during a Redis outage: the instance still serves its own sessions, and Redis is shared, so every
 * instance would turn DOWN at once and a load balancer or Kubernetes would take all of them out of service, turning a
 * loss of cross-instance delivery into a loss of all delivery. DEGRADED is answered with HTTP 200 (Spring Boot maps
 * only DOWN and OUT_OF_SERVICE to 503), and Spring Boot's default status order does not know it, so it does not change
 * the aggregate status of {@code /actuator/health} or of a group such as readiness; an application that wants to see
 * it there adds it to {@code management.endpoint.health.status.order}.
 */
public class NotifierHealthIndicator extends AbstractHealthIndicator {

	/** Local delivery works, delivery across the instances does not. */
	public static final Status DEGRADED = new Status("DEGRADED",
			"Local delivery works; the other instances cannot be reached");

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
			builder.status(DEGRADED).withDetail("reason", clusterProblem);
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
