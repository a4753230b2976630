package dev.notifier.sample;

import dev.notifier.autoconfigure.security.SecurityGroupAuthorizer;
import dev.notifier.core.GroupAuthorizer;

import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authorization.AuthorityAuthorizationManager;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.SingleResultAuthorizationManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who sees what. Every page and group is open to everyone, except the admin page and the {@code admin/...} groups,
 * which need a signed-in admin, and the task logs, open only for tasks that exist. Two demo users, kept in memory
 * with their passwords in the clear (never do that outside a demo): {@code admin} (password {@code admin}, roles
 * ADMIN and USER) and {@code user} (password {@code user}, role USER).
 */
@Configuration(proxyBeanMethods = false)
class SampleSecurity {

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
		http.authorizeHttpRequests((requests) -> requests.requestMatchers("/admin.html")
			.hasRole("ADMIN")
			// The WebSocket endpoint is open at the URL level: the GroupAuthorizer below decides per group and
			// refuses with 403, which ends the browser client's retries (a redirect to the login page would not).
			.anyRequest()
			.permitAll())
			.formLogin(Customizer.withDefaults())
			// The demo's own endpoints (broadcast, start a task) and the Actuator's are open to scripts and curl, so
			// they take no CSRF token; the login and logout forms keep theirs.
			.csrf((csrf) -> csrf.ignoringRequestMatchers("/broadcast/**", "/api/**")
				.ignoringRequestMatchers(EndpointRequest.toAnyEndpoint()));
		return http.build();
	}

	@Bean
	UserDetailsService users() {
		return new InMemoryUserDetailsManager(
				User.withUsername("admin").password("{noop}admin").roles("ADMIN", "USER").build(),
				User.withUsername("user").password("{noop}user").roles("USER").build());
	}

	@Bean
	GroupAuthorizer groupAuthorizer(TaskLogs taskLogs) {
		return SecurityGroupAuthorizer.builder()
			.group("admin/**", AuthorityAuthorizationManager.hasRole("ADMIN"))
			.group("tasks/**",
					(authentication, handshake) -> new AuthorizationDecision(taskLogs.servesGroup(handshake.group())))
			.group("**", SingleResultAuthorizationManager.permitAll())
			.build();
	}

}
