CREATE TABLE `shards` (
	`binding` text PRIMARY KEY NOT NULL,
	`location` text DEFAULT 'default' NOT NULL,
	`accepting_new` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
ALTER TABLE `projects` ADD `shard` text DEFAULT 'DB' NOT NULL;