package dev.notifier.autoconfigure;

import dev.notifier.core.NotifierEngine;

/**
 * Customizes the {@link NotifierEngine.Builder} of the auto-configured engine, after the properties, the encoder, the
 * {@code NotifierListener} and {@code GroupWorkerFactory} beans and the cluster have been applied, and before the
 * engine is built. Every bean of this type is applied, in {@link org.springframework.core.Ordered order}.
 *
 * <p>This is how an application extends the engine instead of replacing it: {@link NotifierEngine.Builder#delivery}
 * wraps the delivery of every broadcast (each customizer's decorator wraps the earlier ones), and
 * {@link NotifierEngine.Builder#listeners} adds listeners to the beans'. Calling {@code workers(..)} replaces the
 * worker factory beans and their settings; {@code encoder(..)} and {@code cluster(..)} replace the beans'.
 *
 * <p>Called once, on the thread that creates the engine bean, while the application context refreshes.
 */
@FunctionalInterface
public interface NotifierEngineBuilderCustomizer {

	/**
	 * Customizes the builder.
	 * @param builder the builder of the engine about to be built
	 */
	void customize(NotifierEngine.Builder builder);

}
