CREATE TABLE `breaker_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`origin` text NOT NULL,
	`pool` text DEFAULT '' NOT NULL,
	`at` integer NOT NULL,
	`from_state` text NOT NULL,
	`to_state` text NOT NULL,
	`reason` text NOT NULL,
	`generation` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `breaker_events_origin_at` ON `breaker_events` (`origin`,`at`);--> statement-breakpoint
CREATE INDEX `breaker_events_at` ON `breaker_events` (`at`);--> statement-breakpoint
CREATE TABLE `config_versions` (
	`version` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`config` text NOT NULL,
	`created_at` integer NOT NULL,
	`note` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE `health_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`origin` text NOT NULL,
	`pool` text NOT NULL,
	`at` integer NOT NULL,
	`healthy` integer NOT NULL,
	`status` integer,
	`latency_ms` real,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `health_events_origin_at` ON `health_events` (`origin`,`at`);