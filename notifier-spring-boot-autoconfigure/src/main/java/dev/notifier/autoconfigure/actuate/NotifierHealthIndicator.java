package dev.notifier.autoconfigure.actuate;

import dev.notifier.core.NotifierEngine;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * UP while the engine accepts connections, with its sessions, groups and workers as details; DOWN once it has shut
 * down.
 */
public class NotifierHealthIndicator extends AbstractHealthIndicator {

	private final NotifierEngine engine;

	public NotifierHealthIndicator(NotifierEngine engine) {
		super("Notifier health check failed");
		this.engine = engine;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		if (this.engine.isRunning()) {
			builder.up();
		}
		else {
			builder.down().withDetail("reason", "the notifier engine is shut down");
		}
		builder.withDetail("sessions", this.engine.sessionCount())
			.withDetail("groups", this.engine.groupCount())
			.withDetail("workers", this.engine.workers().size());
	}

}
