// The package's Prometheus metrics (docs/operations.md), on prom-client's default registry so
// that an exporter serving that registry shows them too. Made once per process: a redeploy, a
// second runtime in the process or a second copy of this module finds them registered already.
import type * as Prom from 'prom-client';

const P = 'thingspace_sms_';
const BASE = ['account', 'runtime'] as const;

/** One account's metrics in one runtime, labels bound. */
export interface AccountMetrics {
  received(source: 'poll' | 'push', n: number): void;
  duplicates(n: number): void;
  acknowledged(n: number): void;
  /** `more` undefined: the request failed. */
  history(seconds: number, more: boolean | undefined): void;
  error(code: string): void;
  leaseHeld(held: boolean): void;
  failover(): void;
  sent(outcome: string): void;
  delivery(status: string): void;
  sends(queued: number, pending: number): void;
}

export interface Metrics {
  readonly registry: Prom.Registry;
  account(account: string, runtime: string): AccountMetrics;
}

export function loadMetrics(): Metrics {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only with metrics on
  const prom = require('prom-client') as typeof Prom;
  const registry = prom.register;
  const existing = <T>(name: string): T | undefined => registry.getSingleMetric(P + name) as T | undefined;
  const counter = (name: string, help: string, extra: string[] = []): Prom.Counter =>
    existing<Prom.Counter>(name) ?? new prom.Counter({ name: P + name, help, labelNames: [...BASE, ...extra] });
  const gauge = (name: string, help: string): Prom.Gauge => existing<Prom.Gauge>(name) ?? new prom.Gauge({ name: P + name, help, labelNames: [...BASE] });

  const received = counter('received_total', 'SMS received, by source (poll, push)', ['source']);
  const duplicates = counter('duplicates_suppressed_total', 'SMS suppressed as already delivered');
  const acknowledged = counter('acknowledged_total', 'SMS whose block was acknowledged to ThingSpace');
  const requests = counter('history_requests_total', 'History requests, by outcome (ok, error)', ['outcome']);
  const duration =
    existing<Prom.Histogram>('history_request_duration_seconds') ??
    new prom.Histogram({ name: `${P}history_request_duration_seconds`, help: 'History request duration', labelNames: [...BASE, 'outcome'] });
  const errors = counter('errors_total', 'Errors, by code', ['code']);
  const more = gauge('more_data_waiting', '1 when the last history answer said more SMS are waiting');
  const lastSuccess = gauge('last_success_timestamp_seconds', 'Time of the last successful exchange with ThingSpace');
  const lease = gauge('lease_held', '1 while this runtime holds the account lease (coordination)');
  const failovers = counter('lease_failovers_total', 'Times the account lease passed from one runtime to another');
  const sent = counter('sent_total', 'SMS sends, by outcome (accepted, or the failure code)', ['outcome']);
  const outcomes = counter('delivery_outcomes_total', 'Delivery outcomes, by status', ['status']);
  const depth = gauge('send_queue_depth', 'Sends waiting in the account send queue');
  const pending = gauge('outcomes_pending', 'Accepted sends waiting for their delivery outcome');

  return {
    registry,
    account(account, runtime) {
      const l = { account, runtime };
      const bySource = { poll: received.labels({ ...l, source: 'poll' }), push: received.labels({ ...l, source: 'push' }) };
      const ok = { count: requests.labels({ ...l, outcome: 'ok' }), time: duration.labels({ ...l, outcome: 'ok' }) };
      const failed = { count: requests.labels({ ...l, outcome: 'error' }), time: duration.labels({ ...l, outcome: 'error' }) };
      const success = (): void => lastSuccess.set(l, Date.now() / 1000);
      return {
        received: (source, n) => bySource[source].inc(n),
        duplicates: (n) => duplicates.inc(l, n),
        acknowledged: (n) => acknowledged.inc(l, n),
        history(seconds, hasMore) {
          const o = hasMore === undefined ? failed : ok;
          o.count.inc();
          o.time.observe(seconds);
          if (hasMore === undefined) return;
          more.set(l, hasMore ? 1 : 0);
          success();
        },
        error: (code) => errors.inc({ ...l, code }),
        leaseHeld: (held) => lease.set(l, held ? 1 : 0),
        failover: () => failovers.inc(l),
        sent(outcome) {
          sent.inc({ ...l, outcome });
          if (outcome === 'accepted') success();
        },
        delivery: (status) => outcomes.inc({ ...l, status }),
        sends(queued, waiting) {
          depth.set(l, queued);
          pending.set(l, waiting);
        },
      };
    },
  };
}
