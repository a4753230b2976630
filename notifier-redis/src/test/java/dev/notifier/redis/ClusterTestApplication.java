package dev.notifier.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import dev.notifier.core.GroupWorker;
import dev.notifier.core.GroupWorkerFactory;
import dev.notifier.core.NotifierCluster;
import dev.notifier.core.NotifierListener;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The application every test instance runs: the notifier with its defaults and a ticker worker for
 * {@code ticker/*} whose every tick says which instance sent it and the how-manieth tick of that worker it is, behind
 * Spring Security with HTTP Basic: a request with a user's credentials ({@link #PASSWORD_PREFIX} and the name, for
 * {@code alice} and {@code bob}) is signed in as that user, one without them stays anonymous and is let through; and
 * a listener recording presence events ({@link PresenceEvents}). No
 * component scan: {@link TestRedis} decides how Redis is configured.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class ClusterTestApplication {

	static final Duration TICK = Duration.ofMillis(50);

	static final String PASSWORD_PREFIX = "secret-";

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
		// The tests call the actuator with plain HTTP requests; they check the notifier, not CSRF protection.
		return http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
			.httpBasic(Customizer.withDefaults())
			.csrf((csrf) -> csrf.disable())
			.build();
	}

	@Bean
	PresenceEvents presenceEvents() {
		return new PresenceEvents();
	}

	@Bean
	UserDetailsService users() {
		return new InMemoryUserDetailsManager(
				User.withUsername("alice").password("{noop}" + PASSWORD_PREFIX + "alice").roles("USER").build(),
				User.withUsername("bob").password("{noop}" + PASSWORD_PREFIX + "bob").roles("USER").build());
	}

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

	/** The presence events this instance's listeners hear, as lines such as {@code "join chat/lobby alice"}. */
	static final class PresenceEvents implements NotifierListener {

		final List<String> events = new CopyOnWriteArrayList<>();

		@Override
		public void onPresenceJoin(String group, String user) {
			this.events.add("join " + group + " " + user);
		}

		@Override
		public void onPresenceLeave(String group, String user) {
			this.events.add("leave " + group + " " + user);
		}

	}

}
