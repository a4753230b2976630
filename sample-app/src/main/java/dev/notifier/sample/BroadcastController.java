package dev.notifier.sample;

import java.util.Map;

import dev.notifier.core.GroupNotifier;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Broadcasts what is posted to {@code /broadcast/<group>} to every viewer of that group.
 */
@RestController
class BroadcastController {

	private final GroupNotifier notifier;

	BroadcastController(GroupNotifier notifier) {
		this.notifier = notifier;
	}

	@ExceptionHandler(IllegalArgumentException.class)
	ResponseEntity<Map<String, Object>> invalidGroup(IllegalArgumentException ex) {
		return ResponseEntity.badRequest().body(Map.of("error", ex.getMessage()));
	}

	@PostMapping("/broadcast/{*group}")
	Map<String, Object> broadcast(@PathVariable String group, @RequestBody String message) {
		String name = group.substring(1);
		int sessions = this.notifier.broadcast(name, message);
		return Map.of("group", name, "sessions", sessions);
	}

}
