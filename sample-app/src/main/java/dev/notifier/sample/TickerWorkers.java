package dev.notifier.sample;

import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import dev.notifier.core.GroupWorker;
import dev.notifier.core.GroupWorkerFactory;

import org.springframework.stereotype.Component;

/**
 * ws-notifier's ticker: whoever watches {@code ticker/<name>} gets a made-up quote every period; the worker starts
 * with the first viewer and stops a second after the last one leaves.
 */
@Component
class TickerWorkers implements GroupWorkerFactory {

	private final TickerProperties properties;

	TickerWorkers(TickerProperties properties) {
		this.properties = properties;
	}

	@Override
	public String groupPattern() {
		return "ticker/*";
	}

	@Override
	public GroupWorker create(String group) {
		String name = group.substring("ticker/".length());
		double[] price = { 100 };
		return GroupWorker.periodic(this.properties.period(), (context) -> {
			price[0] = Math.max(1, price[0] + ThreadLocalRandom.current().nextGaussian());
			context.broadcast(new Quote(name, Math.round(price[0] * 100) / 100.0, Instant.now()));
		});
	}

	/** One line of the ticker, sent as JSON. */
	record Quote(String ticker, double price, Instant at) {
	}

}
