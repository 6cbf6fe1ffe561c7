CREATE TABLE `origin_health` (
	`origin` text PRIMARY KEY NOT NULL,
	`pool` text NOT NULL,
	`healthy` integer NOT NULL,
	`up_streak` integer NOT NULL,
	`down_streak` integer NOT NULL,
	`since` integer NOT NULL,
	`checked_at` integer NOT NULL,
	`last_error` text
);
