package dev.notifier.autoconfigure.web;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * WebSocket handshakes written by hand on a plain socket, for request targets an HTTP client would normalise
 * ({@code /ws/a/../b}, {@code /ws/./a}, {@code /ws/a//b}) and for clients that must misbehave at the socket level.
 */
final class RawHttp {

	static final int TIMEOUT_MILLIS = (int) TestClient.TIMEOUT.toMillis();

	private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

	private static final SecureRandom random = new SecureRandom();

	private RawHttp() {
	}

	/**
	 * Sends a WebSocket upgrade request for this exact request target and reads the whole response: the head, and
	 * the body of a refusal.
	 */
	static Response handshake(int port, String rawTarget) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("localhost", port), TIMEOUT_MILLIS);
			socket.setSoTimeout(TIMEOUT_MILLIS);
			String key = newKey();
			OutputStream out = socket.getOutputStream();
			out.write(upgradeRequest(port, rawTarget, key));
			out.flush();
			InputStream in = socket.getInputStream();
			Response head = readHead(in);
			if (head.status() == 101) {
				head.requireAccepted(key);
				return head;
			}
			return head.withBody(readBody(in, head));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("handshake for " + rawTarget + " failed", ex);
		}
	}

	/** Sends this exact request and reads the whole response, for requests that are not a valid upgrade. */
	static Response request(int port, String rawRequest) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("localhost", port), TIMEOUT_MILLIS);
			socket.setSoTimeout(TIMEOUT_MILLIS);
			OutputStream out = socket.getOutputStream();
			out.write(rawRequest.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			Response head = readHead(in);
			return head.withBody(readBody(in, head));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("request " + rawRequest.lines().findFirst().orElse("") + " failed", ex);
		}
	}

	/**
	 * Sends a keep-alive {@code GET} of this target, reads its response, then leaves the connection idle: whether the
	 * server closed it within {@link #TIMEOUT_MILLIS}.
	 */
	static boolean closesIdleKeepAlive(int port, String rawTarget) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("localhost", port), TIMEOUT_MILLIS);
			socket.setSoTimeout(TIMEOUT_MILLIS);
			OutputStream out = socket.getOutputStream();
			out.write(("GET " + rawTarget + " HTTP/1.1\r\nHost: localhost:" + port + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			readBody(in, readHead(in));
			try {
				return in.read() < 0;
			}
			catch (SocketTimeoutException ex) {
				return false;
			}
			catch (IOException ex) {
				// A reset is a close too.
				return true;
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("GET " + rawTarget + " failed", ex);
		}
	}

	static String newKey() {
		byte[] nonce = new byte[16];
		random.nextBytes(nonce);
		return Base64.getEncoder().encodeToString(nonce);
	}

	static byte[] upgradeRequest(int port, String rawTarget, String key) {
		String request = "GET " + rawTarget + " HTTP/1.1\r\n" + "Host: localhost:" + port + "\r\n"
				+ "Upgrade: websocket\r\n" + "Connection: Upgrade\r\n" + "Sec-WebSocket-Key: " + key + "\r\n"
				+ "Sec-WebSocket-Version: 13\r\n" + "\r\n";
		return request.getBytes(StandardCharsets.US_ASCII);
	}

	/** Reads a response head byte by byte, so that nothing after it (frames) is consumed. */
	static Response readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		while (matched < 4) {
			int b = in.read();
			if (b < 0) {
				throw new EOFException("connection closed in the response head: "
						+ head.toString(StandardCharsets.ISO_8859_1));
			}
			head.write(b);
			matched = (b == ((matched % 2 == 0) ? '\r' : '\n')) ? matched + 1 : ((b == '\r') ? 1 : 0);
		}
		String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
		String[] statusLine = lines[0].split(" ", 3);
		Map<String, String> headers = new LinkedHashMap<>();
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			if (colon > 0) {
				headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
						lines[i].substring(colon + 1).trim(), (a, b) -> a + ", " + b);
			}
		}
		return new Response(Integer.parseInt(statusLine[1]), headers, "");
	}

	private static String readBody(InputStream in, Response head) throws IOException {
		String length = head.headers().get("content-length");
		if (length != null) {
			return new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
		}
		if ("chunked".equalsIgnoreCase(head.headers().get("transfer-encoding"))) {
			ByteArrayOutputStream body = new ByteArrayOutputStream();
			int size;
			while ((size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16)) > 0) {
				body.write(in.readNBytes(size));
				readLine(in);
			}
			return body.toString(StandardCharsets.UTF_8);
		}
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		try {
			in.transferTo(body);
		}
		catch (SocketTimeoutException ex) {
			// no length and the connection stays open: take what came
		}
		return body.toString(StandardCharsets.UTF_8);
	}

	private static String readLine(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		int b;
		while ((b = in.read()) >= 0 && b != '\n') {
			if (b != '\r') {
				line.append((char) b);
			}
		}
		return line.toString();
	}

	/**
	 * An HTTP response to an upgrade request.
	 * @param status the status code
	 * @param headers the headers, names in lower case
	 * @param body the body, empty for a 101
	 */
	record Response(int status, Map<String, String> headers, String body) {

		Response withBody(String body) {
			return new Response(this.status, this.headers, body);
		}

		/** Checks that this is the server's acceptance of the handshake made with this key. */
		void requireAccepted(String key) {
			if (this.status != 101) {
				throw new AssertionError("handshake refused with " + this.status + " " + this.headers);
			}
			try {
				byte[] digest = MessageDigest.getInstance("SHA-1")
					.digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
				String expected = Base64.getEncoder().encodeToString(digest);
				if (!expected.equals(this.headers.get("sec-websocket-accept"))) {
					throw new AssertionError("wrong Sec-WebSocket-Accept in " + this.headers);
				}
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
