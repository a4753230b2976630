package dev.notifier.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.notifier.core.GroupWorker;
import dev.notifier.core.GroupWorkerFactory;
import dev.notifier.core.NotifierCluster;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The application every test instance runs: the notifier with its defaults and a ticker worker for
 * {@code ticker/*} whose every tick says which instance sent it and the how-manieth tick of that worker it is. No
 * component scan: {@link TestRedis} decides how Redis is configured.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class ClusterTestApplication {

	static final Duration TICK = Duration.ofMillis(50);

	@Bean
	GroupWorkerFactory tickers(ObjectProvider<NotifierCluster> cluster) {
		return new GroupWorkerFactory() {

			@Override
			public String groupPattern() {
				return "ticker/*";
			}

			@Override
			public GroupWorker create(String group) {
				String instance = cluster.getObject().instanceId();
				AtomicLong ticks = new AtomicLong();
				return GroupWorker.periodic(TICK,
						(context) -> context.broadcast(instance + " " + ticks.incrementAndGet()));
			}

		};
	}

}
