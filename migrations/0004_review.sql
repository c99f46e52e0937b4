CREATE TABLE `annotation_queues` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`guidelines` text DEFAULT '' NOT NULL,
	`schema_id` text NOT NULL,
	`schema_version` integer NOT NULL,
	`reviewers_per_item` integer DEFAULT 1 NOT NULL,
	`lease_seconds` integer NOT NULL,
	`access_mode` text DEFAULT 'project' NOT NULL,
	`assigned_reviewers` text DEFAULT '[]' NOT NULL,
	`blind` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`archived_at` integer
);
--> statement-breakpoint
CREATE INDEX `annotation_queues_project` ON `annotation_queues` (`project_id`,`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `annotations` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`queue_id` text NOT NULL,
	`trace_id` text NOT NULL,
	`reviewer_id` text NOT NULL,
	`reviewer_name` text DEFAULT '' NOT NULL,
	`schema_id` text NOT NULL,
	`schema_version` integer NOT NULL,
	`values` text NOT NULL,
	`notes` text,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `annotations_review` ON `annotations` (`queue_id`,`trace_id`,`reviewer_id`);--> statement-breakpoint
CREATE INDEX `annotations_export` ON `annotations` (`queue_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `annotations_trace` ON `annotations` (`project_id`,`trace_id`);--> statement-breakpoint
CREATE TABLE `label_schema_versions` (
	`schema_id` text NOT NULL,
	`version` integer NOT NULL,
	`project_id` text NOT NULL,
	`fields` text NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`schema_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `label_schemas` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`version` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `label_schemas_project` ON `label_schemas` (`project_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `queue_items` (
	`queue_id` text NOT NULL,
	`trace_id` text NOT NULL,
	`project_id` text NOT NULL,
	`status` text NOT NULL,
	`reviews_done` integer DEFAULT 0 NOT NULL,
	`rule_id` text,
	`rule_version` integer,
	`added_at` integer NOT NULL,
	`removed_at` integer,
	`rev` integer NOT NULL,
	PRIMARY KEY(`queue_id`, `trace_id`)
);
--> statement-breakpoint
CREATE INDEX `queue_items_trace` ON `queue_items` (`project_id`,`trace_id`);