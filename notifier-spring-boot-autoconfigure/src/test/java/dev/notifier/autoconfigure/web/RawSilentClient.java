package dev.notifier.autoconfigure.web;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A WebSocket client on a plain socket that completes the handshake and then does nothing: it never reads, so the
 * server's writes to it back up once the socket buffers are full (its receive buffer is made small before connecting,
 * which also keeps the TCP window small), and it never answers a ping. It can open an event stream the same way:
 * a {@code GET} whose response it reads up to the end of the head, and no further.
 *
 * <p>A JDK client cannot play this part: it keeps draining its socket into its own buffers even when the application
 * stops requesting messages. After the test has seen what the server does, {@link #readUntilClose()} reads what the
 * server managed to send, to see how it ended.
 */
final class RawSilentClient implements AutoCloseable {

	private static final int RECEIVE_BUFFER = 4096;

	private final String target;

	private final Socket socket;

	private RawSilentClient(String target, Socket socket) {
		this.target = target;
		this.socket = socket;
	}

	/** Connects to this request target and completes the handshake; the client reads nothing after it. */
	static RawSilentClient connect(int port, String rawTarget) {
		String key = RawHttp.newKey();
		return open(port, rawTarget, RawHttp.upgradeRequest(port, rawTarget, key),
				(head) -> head.requireAccepted(key));
	}

	/**
	 * Opens the event stream at this request target and reads the head of its response, which must be a 200; the
	 * client reads nothing after it. The server is asked to close the connection once the response ends, so that
	 * {@link #readToEnd()} ends with it.
	 */
	static RawSilentClient openEventStream(int port, String rawTarget) {
		String request = "GET " + rawTarget + " HTTP/1.1\r\n" + "Host: localhost:" + port + "\r\n"
				+ "Accept: text/event-stream\r\n" + "Connection: close\r\n" + "\r\n";
		return open(port, rawTarget, request.getBytes(StandardCharsets.US_ASCII), (head) -> {
			if (head.status() != 200) {
				throw new AssertionError("event stream refused with " + head.status() + " " + head.headers());
			}
		});
	}

	private static RawSilentClient open(int port, String rawTarget, byte[] request,
			Consumer<RawHttp.Response> acceptance) {
		Socket socket = new Socket();
		try {
			socket.setReceiveBufferSize(RECEIVE_BUFFER);
			socket.connect(new InetSocketAddress("localhost", port), RawHttp.TIMEOUT_MILLIS);
			socket.setSoTimeout(RawHttp.TIMEOUT_MILLIS);
			socket.getOutputStream().write(request);
			socket.getOutputStream().flush();
			acceptance.accept(RawHttp.readHead(socket.getInputStream()));
			return new RawSilentClient(rawTarget, socket);
		}
		catch (IOException ex) {
			closeQuietly(socket);
			throw new UncheckedIOException("could not connect to " + rawTarget, ex);
		}
	}

	/**
	 * Reads every frame the server sends, answering none, until a close frame or the end of the connection.
	 * @return what was read
	 */
	Ending readUntilClose() {
		int pings = 0;
		int dataFrames = 0;
		try {
			DataInputStream in = new DataInputStream(new BufferedInputStream(this.socket.getInputStream(), 65536));
			while (true) {
				int first = in.read();
				if (first < 0) {
					return new Ending(1006, "end of stream without a close frame", pings, dataFrames);
				}
				int opcode = first & 0x0F;
				int second = in.readUnsignedByte();
				long length = second & 0x7F;
				if (length == 126) {
					length = in.readUnsignedShort();
				}
				else if (length == 127) {
					length = in.readLong();
				}
				if ((second & 0x80) != 0) {
					throw new IllegalStateException("the server masked a frame");
				}
				if (opcode == 0x8) {
					byte[] payload = in.readNBytes((int) length);
					int code = (payload.length >= 2) ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
					String reason = (payload.length > 2)
							? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
					return new Ending(code, reason, pings, dataFrames);
				}
				skip(in, length);
				if (opcode == 0x9) {
					pings++;
				}
				else if (opcode != 0xA) {
					dataFrames++;
				}
			}
		}
		catch (EOFException | SocketException ex) {
			return new Ending(1006, "connection lost: " + ex.getMessage(), pings, dataFrames);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("reading from " + this.target + " failed", ex);
		}
	}

	/**
	 * Reads everything the server sends, as it comes (an event stream's body with its chunk sizes), until the
	 * connection ends, closed or reset.
	 * @return what was read
	 */
	String readToEnd() {
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		byte[] buffer = new byte[65536];
		try {
			InputStream in = this.socket.getInputStream();
			int read;
			while ((read = in.read(buffer)) >= 0) {
				received.write(buffer, 0, read);
			}
		}
		catch (SocketException ex) {
			// Reset by the server: the end as well.
		}
		catch (IOException ex) {
			throw new UncheckedIOException("reading from " + this.target + " failed", ex);
		}
		return received.toString(StandardCharsets.UTF_8);
	}

	private static void skip(InputStream in, long length) throws IOException {
		long remaining = length;
		while (remaining > 0) {
			long skipped = in.skip(remaining);
			if (skipped <= 0) {
				if (in.read() < 0) {
					throw new EOFException();
				}
				skipped = 1;
			}
			remaining -= skipped;
		}
	}

	@Override
	public void close() {
		closeQuietly(this.socket);
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// nothing to do
		}
	}

	@Override
	public String toString() {
		return "RawSilentClient[" + this.target + "]";
	}

	/**
	 * How the server ended a raw connection.
	 * @param code the code of the close frame, 1006 if the connection ended without one
	 * @param reason the reason of the close frame
	 * @param pings how many pings arrived before it
	 * @param dataFrames how many text, binary and continuation frames arrived before it
	 */
	record Ending(int code, String reason, int pings, int dataFrames) {
	}

}
