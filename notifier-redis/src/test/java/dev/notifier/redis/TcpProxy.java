package dev.notifier.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of the test Redis server, so that a test can take Redis away from one instance, and give it
 * back, without touching the server that other tests share. {@link #cut()} closes the listening socket and every
 * connection; {@link #resume()} listens again on the same port.
 */
final class TcpProxy implements AutoCloseable {

	private final URI target;

	private final int port;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private volatile ServerSocket server;

	TcpProxy(URI target) throws IOException {
		this.target = target;
		this.server = listen(0);
		this.port = this.server.getLocalPort();
		accept(this.server);
	}

	/** The URL to give an application instead of the server's. */
	String url() {
		return "redis://127.0.0.1:" + this.port;
	}

	/** Redis goes away: no connection, and none accepted. */
	void cut() throws IOException {
		this.server.close();
		for (Socket socket : this.sockets) {
			socket.close();
		}
		this.sockets.clear();
	}

	/** Redis comes back on the same port. */
	void resume() throws IOException {
		this.server = listen(this.port);
		accept(this.server);
	}

	@Override
	public void close() throws IOException {
		cut();
	}

	private static ServerSocket listen(int port) throws IOException {
		ServerSocket server = new ServerSocket();
		server.setReuseAddress(true);
		server.bind(new InetSocketAddress("127.0.0.1", port));
		return server;
	}

	private void accept(ServerSocket server) {
		Thread acceptor = new Thread(() -> {
			while (!server.isClosed()) {
				try {
					Socket client = server.accept();
					Socket upstream = new Socket(this.target.getHost(), this.target.getPort());
					this.sockets.add(client);
					this.sockets.add(upstream);
					pump(client, upstream);
					pump(upstream, client);
				}
				catch (IOException ex) {
					// Closed by cut(), or the server refused: the client sees a closed connection.
				}
			}
		}, "test-proxy-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	private void pump(Socket from, Socket to) {
		Thread pump = new Thread(() -> {
			byte[] buffer = new byte[8192];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) != -1) {
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException ex) {
				// One side closed.
			}
			finally {
				close(from);
				close(to);
			}
		}, "test-proxy-pump");
		pump.setDaemon(true);
		pump.start();
	}

	private static void close(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Already closed.
		}
	}

}
