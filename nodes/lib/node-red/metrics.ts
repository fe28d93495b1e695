// The package's Prometheus metrics (docs/operations.md), on prom-client's default registry so
// that an exporter serving that registry shows them too. Made once per process: a redeploy, a
// second runtime in the process or a second copy of this module finds them registered already.
import type * as Prom from 'prom-client';

const P = 'thingspace_sms_';

/** Every metric is labelled by `account` and `runtime`, then by the extra labels named here. */
export type Metrics = ReturnType<typeof loadMetrics>;
type Config = { name: string; help: string; labelNames: string[] };

export function loadMetrics() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only with metrics on
  const prom = require('prom-client') as typeof Prom;
  const registry = prom.register;
  const made = <T>(Type: new (c: Config) => T, name: string, help: string, ...extra: string[]): T =>
    (registry.getSingleMetric(P + name) as T | undefined) ?? new Type({ name: P + name, help, labelNames: ['account', 'runtime', ...extra] });
  const { Counter, Gauge, Histogram } = prom;
  return {
    registry,
    received: made(Counter, 'received_total', 'SMS received, by source (poll, push)', 'source'),
    duplicates: made(Counter, 'duplicates_suppressed_total', 'SMS suppressed as already delivered'),
    acknowledged: made(Counter, 'acknowledged_total', 'SMS whose block was acknowledged to ThingSpace'),
    requests: made(Counter, 'history_requests_total', 'History requests, by outcome (ok, error)', 'outcome'),
    duration: made(Histogram, 'history_request_duration_seconds', 'History request duration', 'outcome'),
    errors: made(Counter, 'errors_total', 'Errors, by code', 'code'),
    more: made(Gauge, 'more_data_waiting', '1 when the last history answer said more SMS are waiting'),
    lastSuccess: made(Gauge, 'last_success_timestamp_seconds', 'Time of the last successful exchange with ThingSpace'),
    lease: made(Gauge, 'lease_held', '1 while this runtime holds the account lease (coordination)'),
    failovers: made(Counter, 'lease_failovers_total', 'Times the account lease passed from one runtime to another'),
    sent: made(Counter, 'sent_total', 'SMS sends, by outcome (accepted, or the failure code)', 'outcome'),
    outcomes: made(Counter, 'delivery_outcomes_total', 'Delivery outcomes, by status', 'status'),
    depth: made(Gauge, 'send_queue_depth', 'Sends waiting in the account send queue'),
    pending: made(Gauge, 'outcomes_pending', 'Accepted sends waiting for their delivery outcome'),
  };
}
