package dev.notifier.benchmarks.load;

import java.net.URI;

import dev.notifier.benchmarks.EpochMicros;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;

/**
 * One subscriber that reads a Server-Sent Events stream: the last handler after Netty's HTTP client codec. It sends
 * the GET, counts itself subscribed once the response's headers arrive (the server sends them with the stream's first
 * event), then reads the stamp at the start of every {@code data: } line straight from the bytes and records the
 * latency, as {@link SubscriberHandler} does for a WebSocket frame.
 *
 * <p>All methods run on the connection's event loop, so its fields need no synchronization.
 */
final class EventStreamSubscriberHandler extends ChannelInboundHandlerAdapter {

	private static final byte LF = '\n';

	private static final String DATA = "data: ";

	private final URI uri;

	private final Deliveries deliveries;

	private final Promise<Channel> subscribed;

	/** The part of the stream after the last complete line. */
	private final ByteBuf partial = Unpooled.buffer(256);

	private boolean heard;

	EventStreamSubscriberHandler(URI uri, Deliveries deliveries, Promise<Channel> subscribed) {
		this.uri = uri;
		this.deliveries = deliveries;
		this.subscribed = subscribed;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) throws Exception {
		DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
				this.uri.getRawPath());
		request.headers()
			.set(HttpHeaderNames.HOST, this.uri.getHost() + ":" + this.uri.getPort())
			.set(HttpHeaderNames.ACCEPT, "text/event-stream");
		ctx.writeAndFlush(request);
		super.channelActive(ctx);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object message) {
		try {
			if (message instanceof HttpResponse response) {
				if (response.status().code() != 200) {
					this.subscribed.tryFailure(new IllegalStateException("GET " + this.uri + " answered "
							+ response.status()));
					ctx.close();
					return;
				}
				this.subscribed.trySuccess(ctx.channel());
			}
			if (message instanceof HttpContent content) {
				lines(content.content());
				if (message instanceof LastHttpContent && this.subscribed.isSuccess()) {
					this.deliveries.serverClosed();
				}
			}
		}
		finally {
			ReferenceCountUtil.release(message);
		}
	}

	/** Takes the complete lines of what arrived, keeping the rest for the next chunk. */
	private void lines(ByteBuf chunk) {
		this.partial.writeBytes(chunk);
		int start = this.partial.readerIndex();
		int end = this.partial.writerIndex();
		for (int i = start; i < end; i++) {
			if (this.partial.getByte(i) == LF) {
				line(start, i);
				start = i + 1;
			}
		}
		this.partial.readerIndex(start);
		this.partial.discardReadBytes();
	}

	/**
	 * A {@code data: } line of a message carries its stamp first; other lines (the event's fields, the status
	 * event's JSON, comments) carry none.
	 */
	private void line(int start, int end) {
		int data = start + DATA.length();
		if (end <= data || this.partial.getByte(start) != 'd' || !isDigit(this.partial.getByte(data))) {
			return;
		}
		if (SubscriberHandler.record(this.partial, data, end, EpochMicros.now(), this.deliveries) && !this.heard) {
			this.heard = true;
			this.deliveries.subscriberHeard();
		}
	}

	private static boolean isDigit(byte b) {
		return b >= '0' && b <= '9';
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		this.subscribed.tryFailure(new IllegalStateException("connection closed before subscribing"));
		this.partial.release();
		super.channelInactive(ctx);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		this.deliveries.error();
		this.subscribed.tryFailure(cause);
		ctx.close();
	}

}
