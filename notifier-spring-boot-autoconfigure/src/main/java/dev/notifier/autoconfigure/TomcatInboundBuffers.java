package dev.notifier.autoconfigure;

import jakarta.servlet.ServletContext;
import jakarta.websocket.WebSocketContainer;

import org.springframework.web.context.ServletContextAware;

/**
 * Sets the default inbound buffer sizes of the servlet container's Jakarta WebSocket container, which Tomcat
 * allocates for every session when it opens. Does nothing where the servlet context has no such container.
 */
final class TomcatInboundBuffers implements ServletContextAware {

	/** Where the Jakarta WebSocket specification puts the server container. */
	static final String SERVER_CONTAINER_ATTRIBUTE = "jakarta.websocket.server.ServerContainer";

	private final int size;

	TomcatInboundBuffers(int size) {
		this.size = size;
	}

	@Override
	public void setServletContext(ServletContext servletContext) {
		if (servletContext.getAttribute(SERVER_CONTAINER_ATTRIBUTE) instanceof WebSocketContainer container) {
			container.setDefaultMaxTextMessageBufferSize(this.size);
			container.setDefaultMaxBinaryMessageBufferSize(this.size);
		}
	}

}
