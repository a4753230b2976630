package dev.notifier.autoconfigure.web;

import dev.notifier.autoconfigure.security.SecurityGroupAuthorizer;
import dev.notifier.core.GroupAuthorizer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.authorization.AuthenticatedAuthorizationManager;
import org.springframework.security.authorization.AuthorityAuthorizationManager;
import org.springframework.security.authorization.SingleResultAuthorizationManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The notifier behind Spring Security, with Spring Boot's auto-configuration of both: form login (which keeps the
 * login in the HTTP session) and HTTP Basic, two users, {@code public/**} open to everyone and every other group for
 * signed-in users, and the groups decided by a {@link SecurityGroupAuthorizer}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class SecuredTestApplication {

	static final String ALICE = "alice";

	static final String ADMIN = "admin";

	/** Every user's password is this followed by the user's name. */
	static final String PASSWORD_PREFIX = "secret-";

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
		http.authorizeHttpRequests((requests) -> requests.requestMatchers("/ws/public/**")
			.permitAll()
			.anyRequest()
			.authenticated())
			.formLogin(Customizer.withDefaults())
			.httpBasic(Customizer.withDefaults())
			// The tests log in and out with plain HTTP requests; they check the notifier, not CSRF protection.
			.csrf((csrf) -> csrf.disable());
		return http.build();
	}

	@Bean
	UserDetailsService users() {
		return new InMemoryUserDetailsManager(
				User.withUsername(ALICE).password("{noop}" + PASSWORD_PREFIX + ALICE).roles("USER").build(),
				User.withUsername(ADMIN).password("{noop}" + PASSWORD_PREFIX + ADMIN).roles("USER", "ADMIN").build());
	}

	@Bean
	GroupAuthorizer groupAuthorizer() {
		return SecurityGroupAuthorizer.builder()
			.group("admin/**", AuthorityAuthorizationManager.hasRole("ADMIN"))
			.group("tasks/*", AuthenticatedAuthorizationManager.authenticated())
			.group("public/**", SingleResultAuthorizationManager.permitAll())
			.build();
	}

}
