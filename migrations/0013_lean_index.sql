-- Lean trace index (issue #14): span content lives only in R2. Per trace, D1 keeps the explorer's row
-- (`traces`, previews clipped) and one `trace_spans` row: its span ids (deduplication), the merge
-- state of its aggregates (beyond what the trace row says), and the R2 segments holding its spans.
-- Span ids are 8-byte blobs back to back. The per-span `spans` table goes.
CREATE TABLE `trace_spans` (
	`project_id` text NOT NULL,
	`trace_id` text NOT NULL,
	`ver` integer NOT NULL,
	`span_ids` blob NOT NULL,
	`state` text,
	`segments` text NOT NULL,
	PRIMARY KEY(`project_id`, `trace_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `payload_objects` (
	`project_id` text NOT NULL,
	`key` text NOT NULL,
	`traces` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `key`)
) WITHOUT ROWID;
--> statement-breakpoint
-- Existing traces keep their rows; their state is NULL, so the first span that reaches one again
-- merges its whole span set from R2 (NDJSON objects of the old format stay readable).
INSERT INTO `trace_spans` (`project_id`, `trace_id`, `ver`, `span_ids`, `state`, `segments`)
SELECT s.`project_id`, s.`trace_id`, 1, unhex(group_concat(s.`span_id`, '')), NULL,
  (SELECT json_group_array(json_array(k.`payload_key`, k.`start`, k.`stop` - k.`start`)) FROM (
    SELECT p.`payload_key`, min(p.`payload_offset`) AS `start`, max(p.`payload_offset` + p.`payload_length`) AS `stop`
    FROM `spans` p WHERE p.`project_id` = s.`project_id` AND p.`trace_id` = s.`trace_id` GROUP BY p.`payload_key`) k)
FROM `spans` s GROUP BY s.`project_id`, s.`trace_id`;
--> statement-breakpoint
INSERT INTO `payload_objects` (`project_id`, `key`, `traces`, `created_at`)
SELECT `project_id`, `payload_key`, count(DISTINCT `trace_id`), min(`created_at`) FROM `spans` GROUP BY `project_id`, `payload_key`;
--> statement-breakpoint
DROP TABLE `spans`;
--> statement-breakpoint
UPDATE `traces` SET
  `input_preview` = CASE WHEN length(`input_preview`) > 200 THEN rtrim(substr(`input_preview`, 1, 199)) || '…' ELSE `input_preview` END,
  `output_preview` = CASE WHEN length(`output_preview`) > 200 THEN rtrim(substr(`output_preview`, 1, 199)) || '…' ELSE `output_preview` END
WHERE length(`input_preview`) > 200 OR length(`output_preview`) > 200;
--> statement-breakpoint
-- Objects no trace points into any more, waiting for retention to delete them from R2: a handful at a time.
CREATE INDEX `payload_objects_free` ON `payload_objects` (`project_id`) WHERE traces <= 0;
--> statement-breakpoint
-- Written, never read: the root span id is in the merge state, and nothing showed the first arrival.
ALTER TABLE `traces` DROP COLUMN `root_span_id`;
--> statement-breakpoint
ALTER TABLE `traces` DROP COLUMN `first_seen_at`;
--> statement-breakpoint
-- Service and prompt version are low-cardinality equality filters: like environment and model, their
-- pages walk traces_project_start in time order (a value with 1 % of the traces costs ~100 rows per
-- matched row; measured by the explorer benchmark). Session and user (one in thousands) keep theirs.
DROP INDEX `traces_service`;
--> statement-breakpoint
DROP INDEX `traces_prompt_version`;
