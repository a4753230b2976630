package dev.notifier.autoconfigure;

import dev.notifier.core.MessageEncoder;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Encodes objects with the application's Jackson {@link JsonMapper}, so broadcasts follow the same JSON conventions
 * as the application's HTTP responses.
 */
final class JsonMessageEncoder implements MessageEncoder {

	private final JsonMapper jsonMapper;

	JsonMessageEncoder(JsonMapper jsonMapper) {
		this.jsonMapper = jsonMapper;
	}

	@Override
	public String encode(Object payload) {
		try {
			return this.jsonMapper.writeValueAsString(payload);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("could not encode a " + payload.getClass().getName() + " to JSON: "
					+ ex.getOriginalMessage(), ex);
		}
	}

}
