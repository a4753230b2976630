package dev.notifier.benchmarks.load;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import dev.notifier.benchmarks.EpochMicros;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;

/**
 * One subscriber: the last handler of a connection's pipeline, after Netty's WebSocket client codec. It finishes the
 * subscription (for STOMP, CONNECT then SUBSCRIBE), then reads every payload's stamp straight from the frame's bytes,
 * without decoding the text, and records the latency. A subscriber that is not a reader stops reading from the socket
 * once subscribed, so the server's writes to it pile up in its small receive buffer: a slow consumer.
 *
 * <p>All methods run on the connection's event loop, so its fields need no synchronization.
 */
final class SubscriberHandler extends ChannelInboundHandlerAdapter {

	/** How long a close handshake the generator started may take before the connection is simply dropped. */
	private static final long CLOSE_TIMEOUT_SECONDS = 5;

	private static final byte LF = '\n';

	private final Target target;

	private final String group;

	private final boolean reader;

	private final Deliveries deliveries;

	private final Promise<Channel> subscribed;

	private boolean heard;

	private boolean closing;

	private boolean closeFrameSeen;

	SubscriberHandler(Target target, String group, boolean reader, Deliveries deliveries, Promise<Channel> subscribed) {
		this.target = target;
		this.group = group;
		this.reader = reader;
		this.deliveries = deliveries;
		this.subscribed = subscribed;
	}

	/** Starts a close handshake with 1000; the connection closes when the server answers, or after a timeout. */
	static void close(Channel channel) {
		channel.eventLoop().execute(() -> {
			SubscriberHandler handler = channel.pipeline().get(SubscriberHandler.class);
			if (handler == null || !channel.isActive()) {
				channel.close();
				return;
			}
			handler.closing = true;
			// A non-reader would never see the server's answer.
			channel.config().setAutoRead(true);
			channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));
			channel.eventLoop().schedule(() -> channel.close(), CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
		});
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
		if (event == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
			if (this.target.stomp()) {
				send(ctx, "CONNECT\naccept-version:1.2\nhost:" + this.target.subscribeUri(this.group).getHost()
						+ "\nheart-beat:0,0\n\n\0");
			}
			else {
				subscribedNow(ctx);
			}
		}
		else if (event == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
			this.subscribed.tryFailure(new IllegalStateException("WebSocket handshake timed out"));
			ctx.close();
		}
		super.userEventTriggered(ctx, event);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object message) {
		try {
			if (message instanceof TextWebSocketFrame || message instanceof BinaryWebSocketFrame) {
				frame(ctx, ((io.netty.handler.codec.http.websocketx.WebSocketFrame) message).content());
			}
			else if (message instanceof CloseWebSocketFrame close) {
				closeFrame(ctx, close);
			}
		}
		finally {
			ReferenceCountUtil.release(message);
		}
	}

	private void frame(ChannelHandlerContext ctx, ByteBuf content) {
		if (!this.target.stomp()) {
			payload(content, content.readerIndex());
			return;
		}
		byte command = content.getByte(content.readerIndex());
		if (command == 'M') {
			int body = bodyStart(content);
			if (body < 0) {
				this.deliveries.error();
			}
			else {
				payload(content, body);
			}
		}
		else if (command == 'C' && !this.subscribed.isDone()) {
			send(ctx, "SUBSCRIBE\nid:0\ndestination:" + Target.stompDestination(this.group) + "\nack:auto\n\n\0");
			subscribedNow(ctx);
		}
		else if (command == 'E') {
			this.deliveries.error();
			this.subscribed.tryFailure(new IllegalStateException(
					"STOMP ERROR: " + content.toString(StandardCharsets.UTF_8).replace('\0', ' ').trim()));
		}
	}

	private void payload(ByteBuf content, int index) {
		long now = EpochMicros.now();
		if (this.reader && record(content, index, content.writerIndex(), now, this.deliveries) && !this.heard) {
			this.heard = true;
			this.deliveries.subscriberHeard();
		}
	}

	/**
	 * Records the delivery of a payload whose stamp starts at {@code from}: decimal digits up to a space, before
	 * {@code end}; a payload without one counts as an error.
	 * @return whether it had a stamp
	 */
	static boolean record(ByteBuf content, int from, int end, long nowMicros, Deliveries deliveries) {
		long stamp = 0;
		int i = from;
		for (; i < end; i++) {
			byte b = content.getByte(i);
			if (b == ' ') {
				break;
			}
			if (b < '0' || b > '9') {
				deliveries.error();
				return false;
			}
			stamp = stamp * 10 + (b - '0');
		}
		if (i == from || i == end) {
			deliveries.error();
			return false;
		}
		deliveries.delivered(stamp, nowMicros);
		return true;
	}

	/** Where a STOMP frame's body starts: after the blank line that ends the headers. */
	private static int bodyStart(ByteBuf content) {
		int end = content.writerIndex() - 1;
		for (int i = content.readerIndex(); i < end; i++) {
			if (content.getByte(i) == LF && content.getByte(i + 1) == LF) {
				return i + 2;
			}
		}
		return -1;
	}

	private void closeFrame(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
		this.closeFrameSeen = true;
		if (this.closing) {
			ctx.close();
			return;
		}
		this.deliveries.serverClosed();
		ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), "")).addListener(ChannelFutureListener.CLOSE);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		// A connection that never subscribed is counted by whoever waits for the subscription.
		this.subscribed.tryFailure(new IllegalStateException("connection closed before subscribing"));
		if (this.subscribed.isSuccess() && !this.closing && !this.closeFrameSeen) {
			this.deliveries.serverClosed();
		}
		super.channelInactive(ctx);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		this.deliveries.error();
		this.subscribed.tryFailure(cause);
		// Counted as an error, not again as a close by the server.
		this.closing = true;
		ctx.close();
	}

	private void subscribedNow(ChannelHandlerContext ctx) {
		if (!this.reader) {
			ctx.channel().config().setAutoRead(false);
		}
		this.subscribed.trySuccess(ctx.channel());
	}

	private static void send(ChannelHandlerContext ctx, String stompFrame) {
		ctx.writeAndFlush(new TextWebSocketFrame(stompFrame));
	}

}
