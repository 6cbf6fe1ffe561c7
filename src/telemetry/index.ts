/** Traffic telemetry: isolate-local aggregation, additive D1 rollups, retention, queries. */
export { Telemetry, type TelemetryDeps, type FlushDb } from "./telemetry.js";
export { queryMinuteRollups, queryRollupSummary, minuteHorizon, rollupBounds, type RollupQuery, type SummaryQuery } from "./queries.js";
export { poolRequestSeries, requestSeriesByPool, type SeriesQuery, type Series } from "./series.js";
export { runRetention, type RetentionOptions, type RetentionResult } from "./retention.js";
export { recordHealthResults, recordBreakerTransitions } from "./health.js";
export { telemetrySettings, type TelemetrySettings, type TelemetryVars } from "./settings.js";
export { BUCKET_UPPER_MS, quantile, percentiles } from "./histogram.js";
export type { RequestSample, Outcome, FlushResult, MetricsRow, HealthResult, BreakerTransition, TelemetryStats } from "./types.js";
export { parseMetricsQuery, MAX_METRICS_SPAN_MS, type MetricsQueryResult } from "./metrics-query.js";
export { queryRollupTotals } from "./queries.js";
export { queryGeoTotals, type GeoTotal } from "./geo-totals.js";
