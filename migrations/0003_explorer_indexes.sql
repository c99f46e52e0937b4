DROP INDEX `traces_session`;--> statement-breakpoint
DROP INDEX `traces_user`;--> statement-breakpoint
CREATE INDEX `traces_prompt_version` ON `traces` (`project_id`,`prompt_version`,`start_ms`,`trace_id`);--> statement-breakpoint
CREATE INDEX `traces_feedback` ON `traces` (`project_id`,`start_ms`,`trace_id`) WHERE feedback_count > 0;--> statement-breakpoint
CREATE INDEX `traces_session` ON `traces` (`project_id`,`session_id`,`start_ms`,`trace_id`);--> statement-breakpoint
CREATE INDEX `traces_user` ON `traces` (`project_id`,`user_id`,`start_ms`,`trace_id`);