package dev.notifier.benchmarks.server;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.concurrent.locks.LockSupport;

import dev.notifier.benchmarks.EpochMicros;
import jakarta.servlet.ServletContext;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The HTTP side of the benchmark protocol, the same for every server (see docs/benchmarks.md):
 * {@code POST /publish} broadcasts stamped payloads through the server's {@link BroadcastTarget}, and
 * {@code GET /stats} reports what the suite needs to compute CPU and memory costs.
 */
@RestController
public class BenchmarkEndpoints {

	private static final Pattern REQUEST_POOL = Pattern.compile("http-nio-.*-exec-\\d+");

	private final BroadcastTarget target;

	private final String serverInfo;

	public BenchmarkEndpoints(BroadcastTarget target, ServletContext servletContext) {
		this.target = target;
		this.serverInfo = servletContext.getServerInfo();
	}

	/**
	 * Broadcasts {@code n} payloads of {@code size} bytes to {@code group}, or, with {@code groups=k}, each of them to
	 * every group {@code group0} to {@code group(k-1)}. Without {@code rate} it sends as fast as the target takes them
	 * and each payload is stamped when it is handed over. With {@code rate} (messages per second) message {@code i} is
	 * due at {@code start + i / rate} and stamped with that due time, not with the time it actually left: a server
	 * whose broadcast blocks then shows its delay as latency instead of hiding it (coordinated omission).
	 * Answers once the last payload has been handed over.
	 */
	@PostMapping("/publish")
	public Map<String, Object> publish(@RequestParam String group, @RequestParam(defaultValue = "0") int groups,
			@RequestParam int n, @RequestParam(defaultValue = "100") int size,
			@RequestParam(defaultValue = "0") double rate) {
		String[] names = groupNames(group, groups);
		long intervalNanos = (rate > 0) ? (long) (1_000_000_000L / rate) : 0;
		long startNanos = System.nanoTime();
		long startMicros = EpochMicros.now();
		for (int i = 0; i < n; i++) {
			long dueMicros = 0;
			if (intervalNanos > 0) {
				long dueNanos = startNanos + i * intervalNanos;
				LockSupport.parkNanos(dueNanos - System.nanoTime());
				dueMicros = startMicros + (i * intervalNanos) / 1_000;
			}
			for (String name : names) {
				long stamp = (intervalNanos > 0) ? dueMicros : EpochMicros.now();
				this.target.broadcast(name, stampedPayload(stamp, size));
			}
		}
		return Map.of("messages", (long) n * names.length, "millis", (System.nanoTime() - startNanos) / 1_000_000);
	}

	/**
	 * The process's figures, by default after a full collection so that heap used is what is live. CPU time is read
	 * after that collection, so a round that reads it before and after does not pay for its own first collection.
	 * {@code serverInfo} names the servlet container, such as "Apache Tomcat/11.0.27" or "jetty/12.1.14".
	 */
	@GetMapping("/stats")
	public Map<String, Object> stats(@RequestParam(defaultValue = "true") boolean gc) {
		if (gc) {
			System.gc();
		}
		com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory
			.getOperatingSystemMXBean();
		return Map.of("sessions", this.target.sessionCount(), "workers", this.target.workerCount(), "threads",
				threadsOutsideTheRequestPool(), "heapUsed",
				ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), "processCpuNanos",
				os.getProcessCpuTime(), "compileMillis", compileMillis(), "writes", this.target.writes(), "pid",
				ProcessHandle.current().pid(), "serverInfo", this.serverInfo);
	}

	/** The time the JIT compilers have spent so far, -1 if the JVM does not tell. */
	private static long compileMillis() {
		CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
		return (compiler != null && compiler.isCompilationTimeMonitoringSupported())
				? compiler.getTotalCompilationTime() : -1;
	}

	/**
	 * Live threads but Tomcat's request pool ({@code http-nio-<port>-exec-<n>}), which grows under load and ends
	 * its idle threads after a minute on its own, whatever the server does.
	 */
	private static long threadsOutsideTheRequestPool() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> !REQUEST_POOL.matcher(thread.getName()).matches())
			.count();
	}

	private static String[] groupNames(String group, int groups) {
		if (groups <= 0) {
			return new String[] { group };
		}
		String[] names = new String[groups];
		for (int i = 0; i < groups; i++) {
			names[i] = group + i;
		}
		return names;
	}

	/** The payload of the protocol: the stamp in epoch microseconds, a space, then padding up to {@code size}. */
	static String stampedPayload(long stampMicros, int size) {
		String head = stampMicros + " ";
		return (size > head.length()) ? head + "x".repeat(size - head.length()) : head;
	}

}
