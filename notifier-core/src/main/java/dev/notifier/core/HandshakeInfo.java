package dev.notifier.core;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What the engine knows of a WebSocket handshake: enough for a {@link GroupAuthorizer} to decide and for a
 * {@link NotifierSession} to describe where it came from.
 *
 * @param group the group the request asks to join, already validated
 * @param remoteAddress the peer's address, if the container knows it
 * @param principal the authenticated user, if any
 * @param headers the handshake request headers, names in lower case
 * @param queryParameters the query parameters of the request URI, decoded
 */
public record HandshakeInfo(String group, @Nullable InetSocketAddress remoteAddress, @Nullable Principal principal,
		Map<String, List<String>> headers, Map<String, List<String>> queryParameters) {

	public HandshakeInfo {
		headers = Map.copyOf(headers);
		queryParameters = Map.copyOf(queryParameters);
	}

	/** The first value of a header, by case-insensitive name, or {@code null}. */
	public @Nullable String header(String name) {
		return first(this.headers.get(name.toLowerCase(java.util.Locale.ROOT)));
	}

	/** The first value of a query parameter, or {@code null}. */
	public @Nullable String queryParameter(String name) {
		return first(this.queryParameters.get(name));
	}

	private static @Nullable String first(@Nullable List<String> values) {
		return (values == null || values.isEmpty()) ? null : values.get(0);
	}

}
