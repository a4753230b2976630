/**
 * The bridge from Spring Security's {@code AuthorizationManager} to the notifier's {@code GroupAuthorizer}; needs
 * Spring Security on the class path.
 */
@NullMarked
package dev.notifier.autoconfigure.security;

import org.jspecify.annotations.NullMarked;
