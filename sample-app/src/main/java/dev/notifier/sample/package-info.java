/**
 * The notifier sample application: task logs, a ticker, chat rooms and a monitor page, one page per use case.
 */
@NullMarked
package dev.notifier.sample;

import org.jspecify.annotations.NullMarked;
