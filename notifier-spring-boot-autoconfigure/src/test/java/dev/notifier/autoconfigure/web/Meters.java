package dev.notifier.autoconfigure.web;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Reads the notifier's counters from the application's real {@link MeterRegistry}, as a monitoring system would.
 */
final class Meters {

	private Meters() {
	}

	/** The count of the counter with this name, which has no tags. */
	static double counter(MeterRegistry registry, String name) {
		return registry.get(name).functionCounter().count();
	}

	/** The count of the counter with this name and one tag. */
	static double counter(MeterRegistry registry, String name, String tag, String value) {
		return registry.get(name).tag(tag, value).functionCounter().count();
	}

}
