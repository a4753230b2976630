package dev.notifier.redis.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the cluster's table in {@code docs/properties.md} in step with the metadata generated from
 * {@link NotifierRedisProperties}: every property documented, none invented, every default as the code has it.
 */
class RedisPropertiesDocumentationTests {

	private static final Path PROPERTIES_PAGE = Path.of("..", "docs", "properties.md");

	private static final String SECTION = "## Cluster mode on Redis";

	private static final Pattern ROW = Pattern.compile("^\\|\\s*`(notifier\\.cluster\\.[a-z0-9.-]+)`\\s*\\|\\s*([^|]*?)\\s*\\|",
			Pattern.MULTILINE);

	@Test
	void theClusterSectionListsEveryPropertyOfNotifierRedisWithItsDefault() throws IOException {
		assertThat(documentedDefaults()).isEqualTo(generatedDefaults());
	}

	private Map<String, String> documentedDefaults() throws IOException {
		String page = Files.readString(PROPERTIES_PAGE);
		int start = page.indexOf(SECTION);
		assertThat(start).as("the section %s", SECTION).isNotNegative();
		int end = page.indexOf("\n## ", start + SECTION.length());
		Map<String, String> defaults = new TreeMap<>();
		Matcher row = ROW.matcher(page.substring(start, (end < 0) ? page.length() : end));
		while (row.find()) {
			defaults.put(row.group(1), row.group(2).replace("`", ""));
		}
		return defaults;
	}

	private Map<String, String> generatedDefaults() throws IOException {
		Map<String, String> defaults = new TreeMap<>();
		try (InputStream metadata = NotifierRedisProperties.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(metadata).as("generated configuration metadata").isNotNull();
			for (JsonNode property : JsonMapper.builder().build().readTree(metadata).get("properties")) {
				JsonNode defaultValue = property.get("defaultValue");
				defaults.put(property.get("name").asString(),
						(defaultValue != null) ? defaultValue.asString() : "(none)");
			}
		}
		return defaults;
	}

}
