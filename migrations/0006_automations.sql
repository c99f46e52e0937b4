CREATE TABLE `automation_backfills` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`from_ms` integer NOT NULL,
	`to_ms` integer NOT NULL,
	`status` text NOT NULL,
	`cursor` text,
	`scanned` integer DEFAULT 0 NOT NULL,
	`matched` integer DEFAULT 0 NOT NULL,
	`routed` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_by` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `automation_backfills_rule` ON `automation_backfills` (`rule_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `automation_matches` (
	`rule_id` text NOT NULL,
	`trace_id` text NOT NULL,
	`project_id` text NOT NULL,
	`rule_version` integer NOT NULL,
	`outcome` text NOT NULL,
	`stratum` integer,
	`via` text NOT NULL,
	`decided_at` integer NOT NULL,
	PRIMARY KEY(`rule_id`, `trace_id`)
);
--> statement-breakpoint
CREATE INDEX `automation_matches_trace` ON `automation_matches` (`project_id`,`trace_id`);--> statement-breakpoint
CREATE INDEX `automation_matches_rule_time` ON `automation_matches` (`rule_id`,`decided_at`);--> statement-breakpoint
CREATE TABLE `automation_rule_versions` (
	`rule_id` text NOT NULL,
	`version` integer NOT NULL,
	`name` text NOT NULL,
	`definition` text NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`rule_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `automation_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`enabled` integer NOT NULL,
	`version` integer NOT NULL,
	`definition` text NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`deleted_at` integer,
	`last_routed_trace_id` text,
	`last_routed_at` integer
);
--> statement-breakpoint
CREATE INDEX `automation_rules_project` ON `automation_rules` (`project_id`,`enabled`);--> statement-breakpoint
CREATE TABLE `automation_stats` (
	`rule_id` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`checked` integer DEFAULT 0 NOT NULL,
	`matched` integer DEFAULT 0 NOT NULL,
	`sampled` integer DEFAULT 0 NOT NULL,
	`routed` integer DEFAULT 0 NOT NULL,
	`over_quota` integer DEFAULT 0 NOT NULL,
	`errors` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`rule_id`, `bucket_start`)
);
