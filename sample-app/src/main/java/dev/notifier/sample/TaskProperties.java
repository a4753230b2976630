package dev.notifier.sample;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The sample's fake tasks.
 *
 * @param lines how many progress lines a task writes between "started" and "finished"
 * @param lineInterval the time between two log lines
 * @param retained how many tasks are kept, finished ones included, when the sample runs alone; the oldest are
 * forgotten first. Clustered, each task log is kept in Redis for an hour
 */
@ConfigurationProperties("sample.tasks")
public record TaskProperties(@DefaultValue("20") int lines, @DefaultValue("500ms") Duration lineInterval,
		@DefaultValue("100") int retained) {
}
