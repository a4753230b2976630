package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Rules by group pattern: the first matching rule decides, a group no rule matches is refused. */
class GroupAuthorizerTest {

	private static HandshakeInfo handshake(String group) {
		return new HandshakeInfo(group, null, null, Map.of(), Map.of());
	}

	@Test
	void theFirstRuleWhosePatternMatchesDecides() {
		GroupAuthorizer authorizer = GroupAuthorizer.byGroupPattern()
			.group("tasks/secret", (handshake) -> false)
			.group("tasks/**", GroupAuthorizer.ALLOW_ALL)
			.build();

		assertThat(authorizer.authorize(handshake("tasks/secret"))).isFalse();
		assertThat(authorizer.authorize(handshake("tasks/1"))).isTrue();
		assertThat(authorizer.authorize(handshake("tasks"))).as("** matches no segment too").isTrue();
	}

	@Test
	void aGroupThatNoRuleMatchesIsRefused() {
		GroupAuthorizer authorizer = GroupAuthorizer.byGroupPattern().group("chat/*", GroupAuthorizer.ALLOW_ALL).build();

		assertThat(authorizer.authorize(handshake("chat/a/b"))).isFalse();
		assertThat(GroupAuthorizer.byGroupPattern().build().authorize(handshake("chat/a"))).isFalse();
	}

	@Test
	void anInvalidPatternIsRefusedWhenTheRuleIsAdded() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> GroupAuthorizer.byGroupPattern().group("chat/a*", GroupAuthorizer.ALLOW_ALL))
			.withMessageContaining("invalid group pattern 'chat/a*'");
	}

}
