package dev.notifier.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The suite's command line.
 * @param quick smaller counts, for a smoke run
 * @param profile whether every server records a Java Flight Recording of its scenario
 * @param scenarios the scenarios to run, in order
 * @param servers the servers to run them on, in order
 * @param output where {@code benchmarks.md} and {@code benchmarks.png} are written
 * @param arguments the arguments as given, quoted in the report
 */
record Options(boolean quick, boolean profile, List<Integer> scenarios, List<ServerKind> servers, Path output,
		List<String> arguments) {

	static final String USAGE = """
			Usage: java -jar notifier-benchmarks.jar [--quick] [--profile] [--scenarios=1,3] [--servers=notifier,notifier-tuned,naive,stomp] \
			[--out=docs]
			  --quick       smaller counts: a smoke run of a few minutes
			  --profile     each server records a JFR file of its scenario, next to its log
			  --scenarios   which of the scenarios 1-8 to run (default: all)
			  --servers     which servers to run them on (default: all four)
			  --out         the directory of benchmarks.md and benchmarks.png (default: docs)""";

	static Options parse(String[] args) {
		boolean quick = false;
		boolean profile = false;
		List<Integer> scenarios = Scenarios.ALL;
		List<ServerKind> servers = List.of(ServerKind.values());
		Path output = Path.of("docs");
		for (String arg : args) {
			if (arg.equals("--quick")) {
				quick = true;
			}
			else if (arg.equals("--profile")) {
				profile = true;
			}
			else if (arg.startsWith("--scenarios=")) {
				scenarios = new ArrayList<>();
				for (String id : values(arg)) {
					scenarios.add(Integer.parseInt(id));
				}
			}
			else if (arg.startsWith("--servers=")) {
				servers = new ArrayList<>();
				for (String id : values(arg)) {
					servers.add(ServerKind.of(id));
				}
			}
			else if (arg.startsWith("--out=")) {
				output = Path.of(arg.substring("--out=".length()));
			}
			else {
				throw new IllegalArgumentException("unknown argument '" + arg + "'\n" + USAGE);
			}
		}
		for (int scenario : scenarios) {
			if (!Scenarios.ALL.contains(scenario)) {
				throw new IllegalArgumentException("no scenario " + scenario + ": 1 to 8\n" + USAGE);
			}
		}
		return new Options(quick, profile, scenarios, servers, output, List.of(args));
	}

	Sizes sizes() {
		return this.quick ? Sizes.quick() : Sizes.full();
	}

	private static List<String> values(String arg) {
		return Arrays.stream(arg.substring(arg.indexOf('=') + 1).split(",")).map(String::trim).toList();
	}

}
