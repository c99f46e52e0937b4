CREATE TABLE `adjudications` (
	`queue_id` text NOT NULL,
	`trace_id` text NOT NULL,
	`project_id` text NOT NULL,
	`schema_id` text NOT NULL,
	`schema_version` integer NOT NULL,
	`values` text NOT NULL,
	`notes` text,
	`adjudicated_by` text NOT NULL,
	`adjudicated_by_name` text DEFAULT '' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`queue_id`, `trace_id`)
);
--> statement-breakpoint
CREATE INDEX `adjudications_trace` ON `adjudications` (`project_id`,`trace_id`);--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`queue` text NOT NULL,
	`project_id` text,
	`body` text NOT NULL,
	`attempts` integer NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dead_letters_received` ON `dead_letters` (`received_at`);--> statement-breakpoint
CREATE INDEX `dead_letters_project` ON `dead_letters` (`project_id`,`received_at`);--> statement-breakpoint
CREATE TABLE `ops_counters` (
	`metric` text NOT NULL,
	`project_id` text NOT NULL,
	`bucket` integer NOT NULL,
	`value` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`metric`, `project_id`, `bucket`)
);
--> statement-breakpoint
CREATE INDEX `ops_counters_project` ON `ops_counters` (`project_id`,`bucket`);--> statement-breakpoint
ALTER TABLE `projects` ADD `retention_days` integer;--> statement-breakpoint
ALTER TABLE `projects` ADD `redaction` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `spans` ADD `redactions` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `traces` ADD `redactions` integer DEFAULT 0 NOT NULL;