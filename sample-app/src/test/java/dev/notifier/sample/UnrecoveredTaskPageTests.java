package dev.notifier.sample;

import java.util.List;
import java.util.stream.IntStream;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.GroupNotifier;
import dev.notifier.core.NotifierEngine;
import dev.notifier.core.NotifierStatistics;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A task page that reconnects after more lines were written than its group keeps: the resume cannot recover them, the
 * client says so, and the page starts its log over from what the server still has. The group keeps three lines only,
 * and a line comes every 80 ms, so that the half second at least that the client waits before reconnecting loses
 * some for sure. A replay is of the latest line only: the history would have to move three lines past it before it
 * is written for the session to be closed as overrun (a 1013 and one more reconnect, which a loaded machine could
 * otherwise cause on any join).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "sample.tasks.lines=60", "sample.tasks.line-interval=80ms",
				"notifier.history.max-messages=3", "notifier.history.replay-last=1" })
class UnrecoveredTaskPageTests extends BrowserTestSupport {

	@Autowired
	private NotifierEngine engine;

	@Autowired
	private GroupNotifier notifier;

	@Test
	void aTaskPageWhoseMissedLinesAreGoneStartsItsLogOverFromWhatTheServerReplays() throws Exception {
		String id = SampleTasks.start("http://localhost:" + this.port, "forgetful");
		NotifierStatistics statistics = this.engine.statistics();
		long resumesFailed = statistics.resumesFailed();
		browser.open("http://localhost:" + this.port + "/tasks/" + id);
		await().atMost(PATIENCE)
			.until(() -> browser.logLines().size() >= 3 && "connected".equals(browser.pageState()));
		browser.recordStates();
		// The lines the page takes off its log each time it starts over.
		browser.script("window.removed = []; new MutationObserver((changes) => changes.forEach((change) => {"
				+ "  if (change.removedNodes.length > 0) {"
				+ "    window.removed.push([...change.removedNodes].map((line) => line.lastElementChild.textContent));"
				+ "  }})).observe(document.getElementById('log'), { childList: true });");

		assertThat(this.notifier.close("tasks/" + id, CloseStatus.GOING_AWAY)).isEqualTo(1);

		await().atMost(PATIENCE).until(() -> "ended".equals(browser.pageState()));
		browser.screenshot("task-log-not-recovered");
		assertThat(browser.recordedStates()).containsSubsequence("reconnecting", "connected", "ended");
		assertThat(browser.script("return window.taskLog.recovered")).isEqualTo(false);
		assertThat(statistics.resumesFailed()).isGreaterThan(resumesFailed);
		@SuppressWarnings("unchecked")
		List<List<String>> removed = (List<List<String>>) browser.script("return window.removed");
		// The log the page had when the connection was closed, which the first start over took off. The page may have
		// joined early enough to have the task's first line, which is not a step.
		List<Integer> before = steps(removed.get(0).stream().filter((line) -> !line.endsWith("' started")).toList());
		List<String> log = browser.logLines();
		assertThat(log).last().isEqualTo("task finished");
		List<Integer> after = steps(log.subList(0, log.size() - 1));
		int lastBefore = before.get(before.size() - 1);
		assertThat(before).as("the log before the reconnect").isEqualTo(run(before.get(0), lastBefore));
		assertThat(after).as("the log after it: what the group kept, then the lines that came later")
			.isEqualTo(run(after.get(0), 60));
		assertThat(after.get(0)).as("lines were lost in between").isGreaterThan(lastBefore + 1);
	}

	/** The step numbers of the task's lines, "compiling sources (12/60)" being step 12. */
	private static List<Integer> steps(List<String> lines) {
		assertThat(lines).allSatisfy((line) -> assertThat(line).matches(".* \\(\\d+/60\\)"));
		return lines.stream().map((line) -> Integer.valueOf(line.replaceAll(".*\\((\\d+)/60\\)", "$1"))).toList();
	}

	private static List<Integer> run(int first, int last) {
		return IntStream.rangeClosed(first, last).boxed().toList();
	}

}
