CREATE TABLE `evaluations` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`trace_id` text NOT NULL,
	`span_id` text DEFAULT '' NOT NULL,
	`name` text NOT NULL,
	`evaluator_version` text DEFAULT '' NOT NULL,
	`evaluator_kind` text NOT NULL,
	`score` real,
	`label` text,
	`explanation` text,
	`source` text NOT NULL,
	`client_id` text,
	`timestamp_ms` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `evaluations_natural` ON `evaluations` (`project_id`,`trace_id`,`span_id`,`name`,`evaluator_version`);--> statement-breakpoint
CREATE UNIQUE INDEX `evaluations_client` ON `evaluations` (`project_id`,`client_id`) WHERE client_id IS NOT NULL;--> statement-breakpoint
CREATE TABLE `feedback` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`trace_id` text NOT NULL,
	`kind` text NOT NULL,
	`thumbs` text,
	`rating` real,
	`scale` real,
	`normalized` real NOT NULL,
	`comment` text,
	`sentiment` text,
	`end_user_id` text,
	`client_id` text,
	`timestamp_ms` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `feedback_trace` ON `feedback` (`project_id`,`trace_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `feedback_client` ON `feedback` (`project_id`,`client_id`) WHERE client_id IS NOT NULL;--> statement-breakpoint
CREATE TABLE `trace_evals` (
	`project_id` text NOT NULL,
	`trace_id` text NOT NULL,
	`name` text NOT NULL,
	`score` real,
	`label` text,
	`start_ms` integer,
	PRIMARY KEY(`project_id`, `trace_id`, `name`)
);
--> statement-breakpoint
CREATE INDEX `trace_evals_time` ON `trace_evals` (`project_id`,`name`,`start_ms`,`trace_id`);--> statement-breakpoint
CREATE INDEX `trace_evals_score` ON `trace_evals` (`project_id`,`name`,`score`,`trace_id`);--> statement-breakpoint
ALTER TABLE `traces` ADD `thumbs_up` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `traces` ADD `thumbs_down` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `traces` ADD `positive_feedback` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `traces` ADD `neutral_feedback` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `traces` ADD `negative_feedback` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `traces` ADD `min_rating` real;--> statement-breakpoint
ALTER TABLE `traces` ADD `max_rating` real;--> statement-breakpoint
ALTER TABLE `traces` ADD `feedback_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `traces` ADD `eval_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `traces_duration` ON `traces` (`project_id`,`duration_ms`,`trace_id`);--> statement-breakpoint
CREATE INDEX `traces_tokens` ON `traces` (`project_id`,`total_tokens`,`trace_id`);--> statement-breakpoint
CREATE INDEX `traces_cost` ON `traces` (`project_id`,`cost_usd`,`trace_id`) WHERE cost_usd IS NOT NULL;--> statement-breakpoint
CREATE INDEX `traces_model` ON `traces` (`project_id`,`model`,`start_ms`,`trace_id`);--> statement-breakpoint
CREATE INDEX `traces_service` ON `traces` (`project_id`,`service`,`start_ms`,`trace_id`);--> statement-breakpoint
CREATE INDEX `traces_session` ON `traces` (`project_id`,`session_id`,`start_ms`);--> statement-breakpoint
CREATE INDEX `traces_user` ON `traces` (`project_id`,`user_id`,`start_ms`);--> statement-breakpoint
CREATE INDEX `traces_errors` ON `traces` (`project_id`,`start_ms`,`trace_id`) WHERE error_count > 0;--> statement-breakpoint
CREATE INDEX `traces_retries` ON `traces` (`project_id`,`start_ms`,`trace_id`) WHERE retry_count > 0;--> statement-breakpoint
CREATE INDEX `traces_thumbs_down` ON `traces` (`project_id`,`start_ms`,`trace_id`) WHERE thumbs_down > 0;--> statement-breakpoint
CREATE INDEX `traces_negative` ON `traces` (`project_id`,`start_ms`,`trace_id`) WHERE negative_feedback > 0;