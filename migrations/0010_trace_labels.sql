CREATE TABLE `trace_labels` (
	`project_id` text NOT NULL,
	`scope` text NOT NULL,
	`field` text NOT NULL,
	`kind` text NOT NULL,
	`trace_id` text NOT NULL,
	`value` text,
	`source` text,
	`reviewers` integer DEFAULT 0 NOT NULL,
	`answers` integer NOT NULL,
	`newest` text,
	`queue_id` text,
	PRIMARY KEY(`project_id`, `scope`, `field`, `kind`, `trace_id`)
);
--> statement-breakpoint
CREATE INDEX `trace_labels_trace` ON `trace_labels` (`project_id`,`trace_id`);--> statement-breakpoint
CREATE TABLE `trace_labels_state` (
	`project_id` text PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	`building` integer,
	`cursor` text,
	`built_at` integer
);
