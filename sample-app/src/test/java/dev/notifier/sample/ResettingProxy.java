package dev.notifier.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on the loopback address in front of the sample's server, which can reset every connection through it
 * at once: what a crashed instance or a load balancer dropping its connections does to a stream, with no close event
 * and not even the end of the chunked response, which the server itself never does.
 *
 * <p>Threads: one accepts, two per connection copy bytes, one each way; {@link #resetConnections()} may be called
 * from any thread.
 */
final class ResettingProxy implements AutoCloseable {

	private final int targetPort;

	private final ServerSocket server;

	private final Set<Link> links = ConcurrentHashMap.newKeySet();

	ResettingProxy(int targetPort) throws IOException {
		this.targetPort = targetPort;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "test-proxy-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/** The port to reach the server through, on {@code 127.0.0.1}. */
	int port() {
		return this.server.getLocalPort();
	}

	/**
	 * Resets every connection open through the proxy, on both sides: the client reads a reset, the server a
	 * connection that is gone. Connections opened later go through as before.
	 * @return how many connections were reset
	 */
	int resetConnections() {
		int reset = 0;
		for (Link link : this.links) {
			if (this.links.remove(link)) {
				reset(link.client());
				reset(link.upstream());
				reset++;
			}
		}
		return reset;
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		resetConnections();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				Socket upstream = new Socket(InetAddress.getLoopbackAddress(), this.targetPort);
				Link link = new Link(client, upstream);
				this.links.add(link);
				copy(link, client, upstream);
				copy(link, upstream, client);
			}
			catch (IOException ex) {
				// Closed by close(), or the server refused: the client sees a closed connection.
			}
		}
	}

	/** Copies one direction of a connection, on a thread of its own, until either side ends. */
	private void copy(Link link, Socket from, Socket to) {
		Thread copier = new Thread(() -> {
			byte[] buffer = new byte[8192];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) != -1) {
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException ex) {
				// Reset, or the other side ended.
			}
			finally {
				this.links.remove(link);
			}
		}, "test-proxy-copy");
		copier.setDaemon(true);
		copier.start();
	}

	/** Closes the socket with a reset (RST) rather than an orderly end (FIN). */
	private static void reset(Socket socket) {
		try {
			socket.setSoLinger(true, 0);
			socket.close();
		}
		catch (IOException ex) {
			// Closed already.
		}
	}

	/** A client's connection and the proxy's connection to the server for it. */
	private record Link(Socket client, Socket upstream) {

	}

}
