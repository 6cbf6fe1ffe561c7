CREATE TABLE `anomaly_flags` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`pool` text NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`direction` text NOT NULL,
	`score` real NOT NULL,
	`reason` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `anomaly_flags_pool_at_kind` ON `anomaly_flags` (`pool`,`at`,`kind`);--> statement-breakpoint
CREATE INDEX `anomaly_flags_at` ON `anomaly_flags` (`at`);--> statement-breakpoint
CREATE TABLE `forecasts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`pool` text NOT NULL,
	`at` integer NOT NULL,
	`model` text NOT NULL,
	`reason` text NOT NULL,
	`backtest_wape` real,
	`baseline_wape_last` real,
	`baseline_wape_seasonal` real,
	`step_ms` integer NOT NULL,
	`points` text NOT NULL,
	`anomaly` text
);
--> statement-breakpoint
CREATE INDEX `forecasts_pool_at` ON `forecasts` (`pool`,`at`);--> statement-breakpoint
CREATE INDEX `forecasts_at` ON `forecasts` (`at`);