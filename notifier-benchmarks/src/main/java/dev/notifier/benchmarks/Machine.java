package dev.notifier.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the report says about the machine, read from Linux's {@code /proc} and {@code /etc/os-release}.
 */
final class Machine {

	private Machine() {
	}

	static String cpuModel() throws IOException {
		return field(Path.of("/proc/cpuinfo"), "model name", ":");
	}

	static String memory() throws IOException {
		String total = field(Path.of("/proc/meminfo"), "MemTotal", ":");
		long kilobytes = Long.parseLong(total.replaceAll("[^0-9]", ""));
		return String.format(Locale.ROOT, "%.1f GiB", kilobytes / (1024.0 * 1024));
	}

	static String os() throws IOException {
		String name = field(Path.of("/etc/os-release"), "PRETTY_NAME", "=").replace("\"", "");
		return name + ", Linux " + System.getProperty("os.version");
	}

	private static String field(Path file, String key, String separator) throws IOException {
		if (!Files.exists(file)) {
			return "unknown";
		}
		for (String line : Files.readAllLines(file)) {
			if (line.startsWith(key)) {
				return line.substring(line.indexOf(separator) + 1).trim();
			}
		}
		return "unknown";
	}

}
