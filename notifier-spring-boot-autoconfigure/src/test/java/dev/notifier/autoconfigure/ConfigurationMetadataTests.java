package dev.notifier.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * What an IDE offers from the generated configuration metadata, which merges
 * {@code additional-spring-configuration-metadata.json}: the values of {@code notifier.cluster.mode} are exactly
 * those startup accepts, and the health indicator's switch is there with its default.
 */
class ConfigurationMetadataTests {

	@Test
	void theHintsOfTheClusterModeAreTheModesStartupAccepts() throws IOException {
		List<String> hinted = new ArrayList<>();
		for (JsonNode hint : metadata().get("hints")) {
			if (hint.get("name").asString().equals(ClusterMode.PROPERTY)) {
				hint.get("values").forEach((value) -> hinted.add(value.get("value").asString()));
			}
		}

		assertThat(hinted).containsExactly("none", "redis");
		hinted.forEach((mode) -> assertThatNoException().as(mode)
			.isThrownBy(() -> ClusterMode.check(environmentWithMode(mode), new StubCluster())));
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> ClusterMode.check(environmentWithMode("kafka"), new StubCluster()));
	}

	@Test
	void theHealthIndicatorsSwitchIsDescribedWithItsDefault() throws IOException {
		JsonNode toggle = property("management.health.notifier.enabled");

		assertThat(toggle.get("type").asString()).isEqualTo("java.lang.Boolean");
		assertThat(toggle.get("defaultValue").asBoolean()).isTrue();
		assertThat(toggle.get("description").asString()).isNotBlank();
	}

	@Test
	void theClusterModeIsDescribedWithItsDefault() throws IOException {
		JsonNode mode = property(ClusterMode.PROPERTY);

		assertThat(mode.get("defaultValue").asString()).isEqualTo("none");
		assertThat(mode.get("description").asString()).contains("notifier-redis");
	}

	private static JsonNode property(String name) throws IOException {
		for (JsonNode property : metadata().get("properties")) {
			if (property.get("name").asString().equals(name)) {
				return property;
			}
		}
		throw new AssertionError("no property " + name + " in the generated metadata");
	}

	private static JsonNode metadata() throws IOException {
		try (InputStream metadata = ConfigurationMetadataTests.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(metadata).as("generated configuration metadata").isNotNull();
			return JsonMapper.builder().build().readTree(metadata);
		}
	}

	private static MockEnvironment environmentWithMode(String mode) {
		return new MockEnvironment().withProperty(ClusterMode.PROPERTY, mode);
	}

}
