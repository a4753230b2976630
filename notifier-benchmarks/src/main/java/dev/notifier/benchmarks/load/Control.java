package dev.notifier.benchmarks.load;

import java.io.IOException;
import java.net.ProtocolException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP half of the protocol: triggering a publish and reading a server's figures.
 */
public final class Control {

	private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);

	private static final int EXCERPT_CHARACTERS = 200;

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(10))
		.build();

	private final JsonMapper json = JsonMapper.builder().build();

	/**
	 * Asks the server to broadcast; the answer comes once it has handed over every payload.
	 * @param groups 0 for the single group {@code group}, else the groups {@code group0} to {@code group(groups-1)}
	 * @param rate messages per second, or 0 for as fast as it can
	 */
	public CompletableFuture<HttpResponse<String>> publish(Target target, String group, int groups, int n, int size,
			double rate) {
		String query = "group=" + group + "&n=" + n + "&size=" + size + ((groups > 0) ? "&groups=" + groups : "")
				+ ((rate > 0) ? "&rate=" + rate : "");
		HttpRequest request = HttpRequest.newBuilder(URI.create(target.httpBase() + "/publish?" + query))
			.timeout(REQUEST_TIMEOUT)
			.POST(HttpRequest.BodyPublishers.noBody())
			.build();
		return this.http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * The server's figures, after a full collection when {@code gc} is set.
	 * @throws ProtocolException if the server answers, but not as the protocol says: not 200, not JSON, or no
	 * {@code sessions} count
	 */
	public ServerStats stats(Target target, boolean gc) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(target.httpBase() + "/stats?gc=" + gc))
			.timeout(Duration.ofMinutes(1))
			.build();
		HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new ProtocolException(
					"GET /stats answered " + response.statusCode() + ": " + excerpt(response.body()));
		}
		JsonNode stats;
		try {
			stats = this.json.readTree(response.body());
		}
		catch (JacksonException ex) {
			throw new ProtocolException("GET /stats answered no JSON: " + excerpt(response.body()));
		}
		if (!stats.path("sessions").isNumber()) {
			throw new ProtocolException("GET /stats answered no \"sessions\" count: " + excerpt(response.body()));
		}
		return new ServerStats(stats.path("sessions").asInt(), stats.path("workers").asInt(ServerStats.UNKNOWN),
				stats.path("threads").asInt(ServerStats.UNKNOWN), stats.path("heapUsed").asLong(ServerStats.UNKNOWN),
				stats.path("processCpuNanos").asLong(ServerStats.UNKNOWN),
				stats.path("compileMillis").asLong(ServerStats.UNKNOWN), stats.path("writes").asLong(ServerStats.UNKNOWN),
				stats.path("serverInfo").stringValue(null));
	}

	/** The start of an answer on one line, for an error message: an outside server's error page may be long. */
	private static String excerpt(String body) {
		String line = body.strip().replaceAll("\\s+", " ");
		return (line.length() > EXCERPT_CHARACTERS) ? line.substring(0, EXCERPT_CHARACTERS) + "..." : line;
	}

}
