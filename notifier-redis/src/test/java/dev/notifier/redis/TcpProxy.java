package dev.notifier.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of the test Redis server, so that a test can take Redis away from one instance, and give it
 * back, without touching the server that other tests share. {@link #cut()} closes the listening socket and every
 * connection; {@link #resume()} listens again on the same port. {@link #silencePubSub()} and {@link #freeze()} keep
 * the connections open but stop what flows through them, the failures a closed connection does not show: a
 * subscription that no longer delivers, and a server that no longer answers.
 */
final class TcpProxy implements AutoCloseable {

	/** What a client sends to subscribe (Lettuce writes command names in capitals); marks a pub/sub connection. */
	private static final byte[] SUBSCRIBE = "SUBSCRIBE".getBytes(StandardCharsets.US_ASCII);

	private final URI target;

	private final int port;

	private final Set<Link> links = ConcurrentHashMap.newKeySet();

	private volatile ServerSocket server;

	/** Nothing is forwarded in either direction, on any connection. */
	private volatile boolean frozen;

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
		for (Link link : this.links) {
			link.close();
		}
		this.links.clear();
	}

	/** Redis comes back on the same port. */
	void resume() throws IOException {
		this.server = listen(this.port);
		accept(this.server);
	}

	/**
	 * Every connection that has subscribed so far stops receiving, for good, while it stays open and what the client
	 * sends still reaches Redis: its subscriptions fall silent. Connections opened later are not affected.
	 * @return how many connections were silenced
	 */
	int silencePubSub() {
		int silenced = 0;
		for (Link link : this.links) {
			if (link.pubSub) {
				link.silent = true;
				silenced++;
			}
		}
		return silenced;
	}

	/** Redis stops answering: every connection stays open, and nothing goes through in either direction. */
	void freeze() {
		this.frozen = true;
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
					Link link = new Link(client, upstream);
					this.links.add(link);
					pump(link, true);
					pump(link, false);
				}
				catch (IOException ex) {
					// Closed by cut(), or the server refused: the client sees a closed connection.
				}
			}
		}, "test-proxy-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/** Forwards one direction of a link, on a thread of its own, until either side closes. */
	private void pump(Link link, boolean toServer) {
		Socket from = toServer ? link.client : link.upstream;
		Socket to = toServer ? link.upstream : link.client;
		Thread pump = new Thread(() -> {
			byte[] buffer = new byte[8192];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) != -1) {
					if (toServer && !link.pubSub && contains(buffer, read, SUBSCRIBE)) {
						link.pubSub = true;
					}
					if (this.frozen || (!toServer && link.silent)) {
						// Dropped, and the stream is broken from here on: a silenced link stays silent.
						continue;
					}
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException ex) {
				// One side closed.
			}
			finally {
				link.close();
				this.links.remove(link);
			}
		}, "test-proxy-pump");
		pump.setDaemon(true);
		pump.start();
	}

	private static boolean contains(byte[] buffer, int length, byte[] word) {
		outer: for (int i = 0; i <= length - word.length; i++) {
			for (int j = 0; j < word.length; j++) {
				if (buffer[i + j] != word[j]) {
					continue outer;
				}
			}
			return true;
		}
		return false;
	}

	/** One client connection and its connection to the server. */
	private static final class Link {

		private final Socket client;

		private final Socket upstream;

		/** Whether the client has subscribed on it; set by the thread forwarding to the server. */
		private volatile boolean pubSub;

		private volatile boolean silent;

		Link(Socket client, Socket upstream) {
			this.client = client;
			this.upstream = upstream;
		}

		void close() {
			close(this.client);
			close(this.upstream);
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

}
