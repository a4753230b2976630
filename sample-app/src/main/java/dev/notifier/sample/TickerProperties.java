package dev.notifier.sample;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The sample's ticker.
 *
 * @param period how often the worker of a {@code ticker/<name>} group broadcasts a quote
 */
@ConfigurationProperties("sample.ticker")
public record TickerProperties(@DefaultValue("2s") Duration period) {
}
