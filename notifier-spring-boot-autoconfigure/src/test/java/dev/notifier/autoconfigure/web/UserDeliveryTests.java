package dev.notifier.autoconfigure.web;

import java.util.Map;

import dev.notifier.core.CloseStatus;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static dev.notifier.autoconfigure.web.SecuredTestApplication.ADMIN;
import static dev.notifier.autoconfigure.web.SecuredTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Per-user delivery with real logins: the user of a session is the one Spring Security signed in at the handshake
 * (form login or HTTP Basic), and sendToUser and closeUser reach that user's sessions in every group.
 */
@SpringBootTest(classes = SecuredTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class UserDeliveryTests extends ContainerTestSupport {

	@Test
	void aMessageToAUserReachesItsSessionsOfEveryLoginInEveryGroupAndNobodyElse() {
		Map<String, String> login = Logins.formLogin(this.port, ALICE);
		TestClient aliceInTasks = join("tasks/1", login);
		TestClient aliceInNews = join("public/news", Logins.basic(ALICE));
		TestClient admin = join("tasks/1", Logins.basic(ADMIN));
		TestClient anonymous = join("public/news");

		assertThat(this.notifier.sendToUser(ALICE, "for alice")).isEqualTo(2);

		assertThat(aliceInTasks.awaitTexts(1)).containsExactly("for alice");
		assertThat(aliceInNews.awaitTexts(1)).containsExactly("for alice");
		this.notifier.broadcast("tasks/1", "to the group");
		this.notifier.broadcast("public/news", "to the group");
		assertThat(admin.awaitTexts(1)).as("only the group's broadcast").containsExactly("to the group");
		assertThat(anonymous.awaitTexts(1)).as("only the group's broadcast").containsExactly("to the group");
	}

	@Test
	void closingAUserClosesItsSessionsWithTheStatusAndKeepsServingTheOthers() {
		TestClient aliceInTasks = join("tasks/1", Logins.basic(ALICE));
		TestClient aliceInNews = join("public/news", Logins.formLogin(this.port, ALICE));
		TestClient admin = join("tasks/1", Logins.basic(ADMIN));

		int closed = this.notifier.closeUser(ALICE, CloseStatus.POLICY_VIOLATION.withReason("account locked"));

		assertThat(closed).isEqualTo(2);
		assertThat(aliceInTasks.awaitClose()).isEqualTo(new TestClient.Closure(1008, "account locked"));
		assertThat(aliceInNews.awaitClose()).isEqualTo(new TestClient.Closure(1008, "account locked"));
		awaitSessions("tasks/1", 1);
		assertThat(this.notifier.sendToUser(ADMIN, "still served")).isEqualTo(1);
		assertThat(admin.awaitTexts(1)).containsExactly("still served");
	}

	@Test
	void aBlankUserIsRefusedWithASentenceAndTheUsersSessionsStayServed() {
		TestClient alice = join("tasks/1", Logins.basic(ALICE));

		assertThatIllegalArgumentException().isThrownBy(() -> this.notifier.sendToUser("  ", "lost"))
			.withMessage("The user must be the non-blank name of a principal, but was '  '");
		assertThatIllegalArgumentException().isThrownBy(() -> this.notifier.closeUser(null, CloseStatus.NORMAL))
			.withMessage("The user must be the non-blank name of a principal, but was null");

		assertThat(this.notifier.sendToUser(ALICE, "still served")).isEqualTo(1);
		assertThat(alice.awaitTexts(1)).containsExactly("still served");
	}

}
