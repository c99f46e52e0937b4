CREATE TABLE `dataset_exports` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`dataset_id` text NOT NULL,
	`version` integer NOT NULL,
	`format` text NOT NULL,
	`status` text NOT NULL,
	`r2_key` text NOT NULL,
	`upload_id` text,
	`parts` text DEFAULT '[]' NOT NULL,
	`after_seq` integer DEFAULT 0 NOT NULL,
	`skip_bytes` integer DEFAULT 0 NOT NULL,
	`total_records` integer NOT NULL,
	`records_written` integer DEFAULT 0 NOT NULL,
	`bytes_written` integer DEFAULT 0 NOT NULL,
	`peak_chunk_bytes` integer DEFAULT 0 NOT NULL,
	`error` text,
	`lease_until` integer DEFAULT 0 NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`completed_at` integer
);
--> statement-breakpoint
CREATE INDEX `dataset_exports_dataset` ON `dataset_exports` (`dataset_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `dataset_records` (
	`seq` integer PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`dataset_id` text NOT NULL,
	`record_id` text NOT NULL,
	`added_version` integer NOT NULL,
	`removed_version` integer,
	`input` text NOT NULL,
	`output` text,
	`expected_output` text,
	`metadata` text DEFAULT '{}' NOT NULL,
	`source_kind` text NOT NULL,
	`source_trace_id` text,
	`source_span_id` text,
	`source_queue_id` text,
	`source_annotation_id` text,
	`source_rule_id` text,
	`source_rule_version` integer,
	`added_by` text,
	`created_at` integer NOT NULL,
	`size_bytes` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dataset_records_scan` ON `dataset_records` (`project_id`,`dataset_id`,`seq`,`added_version`,`removed_version`,`size_bytes`);--> statement-breakpoint
CREATE INDEX `dataset_records_added` ON `dataset_records` (`dataset_id`,`added_version`);--> statement-breakpoint
CREATE INDEX `dataset_records_removed` ON `dataset_records` (`dataset_id`,`removed_version`) WHERE removed_version IS NOT NULL;--> statement-breakpoint
CREATE INDEX `dataset_records_record` ON `dataset_records` (`dataset_id`,`record_id`);--> statement-breakpoint
CREATE INDEX `dataset_records_trace` ON `dataset_records` (`dataset_id`,`source_trace_id`) WHERE source_trace_id IS NOT NULL;--> statement-breakpoint
CREATE TABLE `dataset_tags` (
	`dataset_id` text NOT NULL,
	`tag` text NOT NULL,
	`project_id` text NOT NULL,
	`version` integer NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`dataset_id`, `tag`)
);
--> statement-breakpoint
CREATE TABLE `dataset_versions` (
	`dataset_id` text NOT NULL,
	`version` integer NOT NULL,
	`project_id` text NOT NULL,
	`added` integer NOT NULL,
	`removed` integer NOT NULL,
	`edited` integer NOT NULL,
	`record_count` integer NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`dataset_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `datasets` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`record_schema` text,
	`version` integer DEFAULT 0 NOT NULL,
	`record_count` integer DEFAULT 0 NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `datasets_project_name` ON `datasets` (`project_id`,`name`);--> statement-breakpoint
CREATE INDEX `datasets_project` ON `datasets` (`project_id`,`updated_at`);