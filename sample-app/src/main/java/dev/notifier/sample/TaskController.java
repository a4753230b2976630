package dev.notifier.sample;

import java.util.Map;

import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * Starts fake tasks and serves the page that watches one: {@code /tasks/<id>}.
 */
@Controller
class TaskController {

	private final TaskService tasks;

	TaskController(TaskService tasks) {
		this.tasks = tasks;
	}

	@PostMapping("/api/tasks")
	@ResponseBody
	ResponseEntity<Map<String, String>> start(@RequestParam(defaultValue = "build") String name) {
		Task task = this.tasks.start(name.isBlank() ? "build" : name.strip());
		return ResponseEntity.status(201).body(Map.of("id", task.id(), "page", "/tasks/" + task.id()));
	}

	@GetMapping("/tasks/{id}")
	String page(@PathVariable String id) {
		return "forward:/task.html";
	}

}
