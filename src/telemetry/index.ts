/** Traffic telemetry: isolate-local aggregation, additive D1 rollups, retention, queries. */
export { Telemetry, type TelemetryDeps, type FlushDb } from "./telemetry";
export { queryMinuteRollups, queryRollupSummary, minuteHorizon, type RollupQuery, type SummaryQuery } from "./queries";
export { poolRequestSeries, type SeriesQuery } from "./series";
export { runRetention, type RetentionOptions, type RetentionResult } from "./retention";
export { recordHealthResults, recordBreakerTransitions } from "./health";
export { telemetrySettings, type TelemetrySettings, type TelemetryVars } from "./settings";
export { BUCKET_UPPER_MS, quantile, percentiles } from "./histogram";
export type { RequestSample, Outcome, FlushResult, MetricsRow, HealthResult, BreakerTransition, TelemetryStats } from "./types";
