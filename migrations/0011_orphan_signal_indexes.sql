CREATE INDEX `evaluations_time` ON `evaluations` (`project_id`,`timestamp_ms`);--> statement-breakpoint
CREATE INDEX `feedback_time` ON `feedback` (`project_id`,`timestamp_ms`);