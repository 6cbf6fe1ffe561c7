CREATE TABLE `scaling_calls` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`pool` text NOT NULL,
	`seq` integer NOT NULL,
	`provider` text NOT NULL,
	`action` text NOT NULL,
	`at` integer NOT NULL,
	`status` integer,
	`outcome` text NOT NULL,
	`error_code` text,
	`attempt` integer NOT NULL,
	`latency_ms` real NOT NULL,
	`message` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `scaling_calls_run_pool_seq` ON `scaling_calls` (`run_id`,`pool`,`seq`);--> statement-breakpoint
CREATE INDEX `scaling_calls_pool_at` ON `scaling_calls` (`pool`,`at`);--> statement-breakpoint
CREATE INDEX `scaling_calls_at` ON `scaling_calls` (`at`);--> statement-breakpoint
CREATE TABLE `scaling_decisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`pool` text NOT NULL,
	`at` integer NOT NULL,
	`provider` text NOT NULL,
	`mode` text NOT NULL,
	`inputs_from` integer,
	`inputs_to` integer,
	`forecast_at` integer,
	`forecast_model` text,
	`forecast_peak_rps` real,
	`current` integer,
	`recommendation` integer,
	`desired` integer,
	`reason` text NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`applied` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `scaling_decisions_run_pool` ON `scaling_decisions` (`run_id`,`pool`);--> statement-breakpoint
CREATE INDEX `scaling_decisions_pool_at` ON `scaling_decisions` (`pool`,`at`);--> statement-breakpoint
CREATE INDEX `scaling_decisions_at` ON `scaling_decisions` (`at`);--> statement-breakpoint
CREATE TABLE `scaling_runs` (
	`run_id` text PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`trigger` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `scaling_runs_started_at` ON `scaling_runs` (`started_at`);