package dev.notifier.sample;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.GroupNotifier;
import dev.notifier.core.NotifierSession;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's pages in a real browser, as a newcomer uses them. Each test saves a screenshot of its page under
 * {@code sample-app/target/screenshots}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "sample.ticker.period=200ms", "sample.tasks.lines=8",
				"sample.tasks.line-interval=150ms" })
@Import(BrowserTests.ProxyDroppingWebSocketUpgrades.class)
class BrowserTests extends BrowserTestSupport {

	@Autowired
	private GroupNotifier notifier;

	@Test
	void twoTabsOnOneTaskShowTheSameLinesInOrderAndBothSeeItFinish() {
		browser.open(url("/tasks.html"));
		browser.screenshot("tasks");
		browser.driver().findElement(By.id("name")).clear();
		browser.driver().findElement(By.id("name")).sendKeys("release 1.0");
		browser.driver().findElement(By.id("start-button")).click();
		await().atMost(PATIENCE).until(() -> browser.driver().getCurrentUrl().matches(".*/tasks/\\d+$"));
		String first = browser.driver().getWindowHandle();
		String taskUrl = browser.driver().getCurrentUrl();
		String second = browser.open(taskUrl);

		for (String tab : List.of(first, second)) {
			browser.switchTo(tab);
			await().atMost(PATIENCE).until(() -> "ended".equals(browser.pageState()));
		}
		browser.switchTo(first);
		List<String> firstLog = browser.logLines();
		browser.screenshot("task-log");
		browser.switchTo(second);
		List<String> secondLog = browser.logLines();

		assertThat(firstLog).hasSize(10).isEqualTo(secondLog);
		assertThat(firstLog.get(0)).isEqualTo("task 'release 1.0' started");
		assertThat(firstLog).last().isEqualTo("task finished");
		assertThat(browser.texts("#state")).singleElement().asString().contains("1000");
		String group = "tasks/" + taskUrl.substring(taskUrl.lastIndexOf('/') + 1);
		await().during(Duration.ofSeconds(2)).atMost(PATIENCE).until(() -> this.notifier.sessionCount(group) == 0);
	}

	@Test
	void aTaskPageThatLosesItsConnectionMidStreamMissesNoLine() {
		browser.open(url("/tasks.html"));
		browser.driver().findElement(By.id("start-button")).click();
		await().atMost(PATIENCE).until(() -> browser.driver().getCurrentUrl().matches(".*/tasks/\\d+$"));
		String taskUrl = browser.driver().getCurrentUrl();
		String group = "tasks/" + taskUrl.substring(taskUrl.lastIndexOf('/') + 1);
		await().atMost(PATIENCE).until(() -> browser.texts("#log > div").size() >= 3);

		// As a restarting server would: the page reconnects after its backoff and asks for what it missed.
		assertThat(this.notifier.close(group, CloseStatus.GOING_AWAY)).isEqualTo(1);

		await().atMost(PATIENCE).until(() -> "ended".equals(browser.pageState()));
		browser.screenshot("task-log-resumed");
		List<String> log = browser.logLines();
		assertThat(log).hasSize(10).doesNotHaveDuplicates();
		assertThat(log.get(0)).isEqualTo("task 'nightly build' started");
		assertThat(log.subList(1, 9)).allSatisfy((line) -> assertThat(line).matches(".* \\(\\d/8\\)"));
		assertThat(log.subList(1, 9)).extracting((line) -> line.replaceAll(".*\\((\\d)/8\\)", "$1"))
			.containsExactly("1", "2", "3", "4", "5", "6", "7", "8");
		assertThat(log).last().isEqualTo("task finished");
		assertThat(browser.script("return window.taskLog.recovered")).isEqualTo(true);
	}

	@Test
	void aTaskPageOnServerSentEventsMissesNoLineAcrossADropAndEndsWithTheTask() throws Exception {
		String id = SampleTasks.start(url(""), "streamed");
		browser.open(url("/tasks/" + id + "?transport=sse"));
		await().atMost(PATIENCE).until(() -> browser.texts("#log > div").size() >= 3);
		assertThat(browser.script("return window.taskLog.transport")).isEqualTo("sse");

		assertThat(this.notifier.close("tasks/" + id, CloseStatus.GOING_AWAY)).isEqualTo(1);

		await().atMost(PATIENCE).until(() -> "ended".equals(browser.pageState()));
		browser.screenshot("task-log-sse");
		List<String> log = browser.logLines();
		assertThat(log).hasSize(10).doesNotHaveDuplicates();
		assertThat(log.get(0)).isEqualTo("task 'streamed' started");
		assertThat(log).last().isEqualTo("task finished");
		assertThat(browser.texts("#state")).singleElement().asString().contains("1000");
		assertThat(browser.script("return window.taskLog.recovered")).isEqualTo(true);
	}

	@Test
	void aPageWhoseWebSocketsAreDroppedOnTheWayFallsBackToServerSentEvents() {
		browser.open(url("/ticker.html?name=no-upgrade"));

		await().atMost(PATIENCE).until(() -> quotes() >= 2);
		assertThat(browser.script("return window.ticker.transport")).isEqualTo("sse");
		assertThat(this.notifier.sessions("ticker/no-upgrade")).extracting(NotifierSession::transport)
			.containsExactly("sse");
	}

	@Test
	void chatMessagesReachTheSameRoomOnly() {
		String alice = browser.open(url("/chat.html?room=lobby&name=alice"));
		awaitConnected();
		String bob = browser.open(url("/chat.html?room=lobby&name=bob"));
		awaitConnected();
		String carol = browser.open(url("/chat.html?room=garden&name=carol"));
		awaitConnected();

		browser.switchTo(alice);
		say("hello lobby");
		browser.switchTo(carol);
		say("hello garden");

		browser.switchTo(carol);
		await().atMost(PATIENCE).until(() -> browser.logLines().contains("carol: hello garden"));
		// Sent after carol's message: once the lobby has it, carol's would have arrived too, had it leaked.
		browser.switchTo(alice);
		say("marker");
		for (String tab : List.of(alice, bob)) {
			browser.switchTo(tab);
			await().atMost(PATIENCE).until(() -> browser.logLines().contains("alice: marker"));
			assertThat(browser.logLines()).contains("alice: hello lobby")
				.doesNotContain("carol: hello garden");
		}
		browser.switchTo(bob);
		browser.screenshot("chat");
		browser.switchTo(carol);
		await().atMost(PATIENCE).until(() -> browser.logLines().contains("carol: hello garden"));
		assertThat(browser.logLines()).containsExactly("carol: hello garden");
	}

	@Test
	void clientReconnectsAfterTheServerClosesWith1001AndResumesReceiving() {
		browser.open(url("/ticker.html?name=reconnect"));
		awaitConnected();
		await().atMost(PATIENCE).until(() -> quotes() >= 2);
		browser.recordStates();

		assertThat(this.notifier.close("ticker/reconnect", CloseStatus.GOING_AWAY)).isEqualTo(1);

		await().atMost(PATIENCE)
			.until(() -> String.join(",", browser.recordedStates()).matches(".*reconnecting.*connected.*"));
		int before = quotes();
		await().atMost(PATIENCE).until(() -> quotes() >= before + 2);
		browser.screenshot("ticker");
	}

	@Test
	void closeWith1008EndsTheClientWithoutReconnecting() {
		browser.open(url("/ticker.html?name=policy"));
		awaitConnected();

		assertThat(this.notifier.close("ticker/policy", CloseStatus.POLICY_VIOLATION)).isEqualTo(1);

		await().atMost(PATIENCE).until(() -> "ended".equals(browser.pageState()));
		assertThat(browser.texts("#state")).singleElement().asString().contains("1008").contains("policy violation");
		// The first retry would come after half a second at the earliest.
		await().during(Duration.ofMillis(1200))
			.atMost(PATIENCE)
			.until(() -> "ended".equals(browser.pageState()) && this.notifier.sessionCount("ticker/policy") == 0);
	}

	@Test
	void refusalWith400EndsTheClientWithTheServersReason() {
		browser.open(url("/ticker.html?name=not%20valid"));

		await().atMost(PATIENCE).until(() -> "ended".equals(browser.pageState()));
		assertThat(browser.texts("#state")).singleElement()
			.asString()
			.contains("400")
			.contains("the group name has a character outside [A-Za-z0-9._~-] at position 10");
		browser.screenshot("ticker-invalid");
	}

	@Test
	void reconnectDelaysAreCappedAtFiveSecondsThenJittered() throws IOException {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		browser.open(url("/"));
		// Math.random cycles through 0, 0.5 and almost 1; timers fire at once, so six retries take no time.
		browser.script("""
				const randoms = [0, 0.5, 0.9999];
				let next = 0;
				Math.random = () => randoms[next++ % randoms.length];
				const later = window.setTimeout.bind(window);
				window.setTimeout = (task) => later(task, 0);
				window.delays = [];
				const connection = notifier.connect('ticker/nowhere', {
				  url: 'ws://127.0.0.1:' + arguments[0] + '/ws',
				  onState: (state, detail) => {
				    if (state !== 'reconnecting' || detail.delay === undefined) return;
				    window.delays.push(detail.delay);
				    if (window.delays.length === 6) connection.close();
				  }
				});""", closedPort);

		await().atMost(PATIENCE).until(() -> ((List<?>) browser.script("return window.delays")).size() == 6);
		List<Long> delays = ((List<?>) browser.script("return window.delays")).stream()
			.map((delay) -> ((Number) delay).longValue())
			.toList();
		// Capped: 1000, 2000, 4000, 5000, 5000, 5000; then shortened by 0, 25 and 50 % in turn.
		assertThat(delays).containsExactly(1000L, 1500L, 2000L, 5000L, 3750L, 2500L);
	}

	@Test
	void monitorPageShowsAJoinedGroupAndItsWorker() {
		browser.open(url("/ticker.html?name=watched"));
		awaitConnected();
		browser.open(url("/monitor.html"));

		await().atMost(PATIENCE)
			.until(() -> !browser.driver().findElements(By.cssSelector("tr[data-group='ticker/watched']")).isEmpty());
		List<String> cells = browser.texts("tr[data-group='ticker/watched'] td");
		assertThat(cells.get(0)).isEqualTo("ticker/watched");
		assertThat(cells.get(1)).isEqualTo("1");
		assertThat(cells.get(2)).isEqualTo("running");
		assertThat(browser.texts("#workers td")).contains("ticker/watched");
		browser.screenshot("monitor");
	}

	@Test
	void aRefusedHandshakeEndsTheConnectionWithTheServersReason() {
		browser.open(url("/tasks/999999"));

		await().atMost(PATIENCE).until(() -> "ended".equals(browser.pageState()));
		assertThat(browser.texts("#state")).singleElement()
			.asString()
			.contains("403")
			.contains("not allowed to join the group tasks/999999");
		browser.screenshot("task-unknown");
	}

	@Test
	void theClientWorksAsAnEsModuleAndParsesJson() {
		browser.open(url("/"));
		browser.script("window.received = [];"
				+ "import('/notifier.mjs').then(({ connect }) => connect('demo/module', {"
				+ "  onMessage: (message) => window.received.push(message) }));");
		await().atMost(PATIENCE).until(() -> this.notifier.sessionCount("demo/module") == 1);

		this.notifier.broadcast("demo/module", Map.of("hello", "module"));

		await().atMost(PATIENCE)
			.until(() -> "module".equals(browser.script("return window.received.length && window.received[0].hello")));
	}

	@Test
	void anAdminSignsInSeesWhoJoinsAndTheLogoutEndsTheAdminPage() {
		String admin = browser.open(url("/admin.html"));
		await().atMost(PATIENCE).until(() -> browser.driver().getCurrentUrl().endsWith("/login"));
		browser.driver().findElement(By.id("username")).sendKeys("admin");
		browser.driver().findElement(By.id("password")).sendKeys("admin");
		browser.driver().findElement(By.cssSelector("button[type='submit']")).click();
		await().atMost(PATIENCE).until(() -> browser.driver().getCurrentUrl().contains("/admin.html"));
		awaitConnected();
		browser.open(url("/ticker.html?name=audited"));
		awaitConnected();

		browser.switchTo(admin);
		await().atMost(PATIENCE)
			.until(() -> browser.logLines().contains("admin joined ticker/audited"));
		browser.screenshot("admin");
		browser.open(url("/logout"));
		browser.driver().findElement(By.cssSelector("button[type='submit']")).click();

		browser.switchTo(admin);
		await().atMost(PATIENCE).until(() -> "ended".equals(browser.pageState()));
		assertThat(browser.texts("#state")).singleElement().asString().contains("1008");
		browser.driver().manage().deleteAllCookies();
	}

	@Test
	void theAdminGroupEndsAnAnonymousPageWith403() {
		browser.open(url("/"));
		browser.script("notifier.connect('admin/audit', { onState: (state, detail) => {"
				+ "  if (state === 'ended') window.ended = detail.status + ' ' + detail.reason; } });");

		await().atMost(PATIENCE).until(() -> browser.script("return window.ended") != null);
		assertThat(browser.script("return window.ended")).isEqualTo("403 not allowed to join the group admin/audit");
	}

	@Test
	void indexPageLinksEveryUseCase() {
		browser.open(url("/"));
		assertThat(browser.texts(".card h3")).containsExactly("Task logs", "Ticker", "Chat", "Monitor", "Admin");
		browser.screenshot("index");
	}

	private void say(String text) {
		browser.driver().findElement(By.id("text")).sendKeys(text);
		browser.driver().findElement(By.cssSelector("#say button")).click();
	}

	private int quotes() {
		return browser.texts("#log > div").size();
	}

	private void awaitConnected() {
		await().atMost(PATIENCE).until(() -> "connected".equals(browser.pageState()));
	}

	private String url(String path) {
		return "http://localhost:" + this.port + path;
	}

	/**
	 * What a proxy that does not pass WebSockets does, for one group: the upgrade fails, while plain requests, the
	 * client's probe and event streams among them, get through.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class ProxyDroppingWebSocketUpgrades {

		@Bean
		FilterRegistrationBean<Filter> dropWebSocketUpgrades() {
			FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
				if ("websocket".equalsIgnoreCase(((HttpServletRequest) request).getHeader("Upgrade"))) {
					((HttpServletResponse) response).sendError(502, "this proxy drops WebSocket upgrades");
					return;
				}
				chain.doFilter(request, response);
			});
			registration.addUrlPatterns("/ws/ticker/no-upgrade");
			return registration;
		}

	}

}
