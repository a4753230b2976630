package dev.notifier.autoconfigure;

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

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps {@code docs/properties.md}'s first table in step with the metadata generated from {@link NotifierProperties}
 * and the additional metadata: every
 * property documented, none invented, every default as the code has it, and the startup failure it shows is the real one.
 */
class PropertiesDocumentationTests {

	private static final Path PROPERTIES_PAGE = Path.of("..", "docs", "properties.md");

	private static final Pattern ROW = Pattern.compile(
			"^\\|\\s*`((?:management\\.(?:endpoint|health)\\.)?notifier\\.[a-z0-9.-]+)`\\s*\\|\\s*([^|]*?)\\s*\\|",
			Pattern.MULTILINE);

	/** The cluster's properties below it are notifier-redis's, checked by that module's test. */
	private static final String CLUSTER_SECTION = "## Cluster mode on Redis";

	@Test
	void propertiesPageShouldListEveryPropertyWithItsDefault() throws IOException {
		assertThat(documentedDefaults()).isEqualTo(generatedDefaults());
	}

	@Test
	void propertiesPageShouldShowTheRealReasonForABadPath() throws IOException {
		String page = Files.readString(PROPERTIES_PAGE);
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(NotifierAutoConfiguration.class))
			.withPropertyValues("notifier.path=ws")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, (ex) -> assertThat(page)
					.contains("Invalid value 'ws' for configuration property 'notifier.path'")
					.contains("Validation failed for the following reason:\n\n" + ex.getReason() + "\n")));
	}

	private Map<String, String> documentedDefaults() throws IOException {
		Map<String, String> defaults = new TreeMap<>();
		String page = Files.readString(PROPERTIES_PAGE);
		Matcher row = ROW.matcher(page.substring(0, page.indexOf(CLUSTER_SECTION)));
		while (row.find()) {
			defaults.put(row.group(1), row.group(2).replace("`", ""));
		}
		return defaults;
	}

	private Map<String, String> generatedDefaults() throws IOException {
		Map<String, String> defaults = new TreeMap<>();
		try (InputStream metadata = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
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
