/**
 * The notifier's Actuator endpoint, health indicator and Micrometer meters, each with its own auto-configuration.
 */
@NullMarked
package dev.notifier.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
