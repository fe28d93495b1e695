// Injected faults: which rule applies to a request, and the broken answers themselves.
// Replacing faults ('server-error' ... 'wrong-shape') answer before anything is processed,
// so they never acknowledge a block; 'reset-after' is the one that processes first.
import type { Endpoint, FaultKind, FaultRule } from './options';
import { mulberry32 } from './random';
import { json, m2mError, type Reply } from './reply';

interface ActiveRule {
  rule: FaultRule;
  remaining: number; // for count rules; Infinity for probability rules
  skip: number; // matching requests still to let through
}

export class FaultSet {
  private rules: ActiveRule[] = [];
  private random: () => number = Math.random;

  /** Probability rules draw from a PRNG with this seed from now on (unseeded: Math.random). */
  seed(seed: number | undefined): void {
    this.random = seed === undefined ? Math.random : mulberry32(seed);
  }

  add(rule: FaultRule): void {
    const remaining = rule.probability !== undefined ? Infinity : (rule.count ?? 1);
    this.rules.push({ rule: { ...rule }, remaining, skip: rule.skip ?? 0 });
  }

  clear(): void {
    this.rules = [];
  }

  list(): (FaultRule & { remaining?: number })[] {
    return this.rules.map((r) => (Number.isFinite(r.remaining) ? { ...r.rule, remaining: r.remaining } : { ...r.rule }));
  }

  /** The first rule that fires for this endpoint; count rules are used up as they fire. */
  take(endpoint: Exclude<Endpoint, 'any'>): FaultRule | undefined {
    for (let i = 0; i < this.rules.length; i++) {
      const active = this.rules[i];
      const target = active.rule.endpoint ?? 'history';
      if (target !== 'any' && target !== endpoint) continue;
      if (active.skip > 0) {
        active.skip--;
        continue;
      }
      if (active.rule.probability !== undefined) {
        if (this.random() < active.rule.probability) return active.rule;
        continue;
      }
      if (--active.remaining <= 0) this.rules.splice(i, 1);
      return active.rule;
    }
    return undefined;
  }
}

/** Kinds that change state or the connection rather than replace the answer. */
export const NON_REPLY_KINDS: readonly FaultKind[] = ['hang', 'reset', 'reset-after', 'expire-bearer', 'expire-session'];

let oversizeBody: Buffer | undefined;

/** ~10 MB of valid JSON, built once: a client must stop reading at its own limit. */
function oversize(): Buffer {
  if (!oversizeBody) {
    const pad = 'x'.repeat(10 * 1024 * 1024);
    oversizeBody = Buffer.from(`{"hasMoreData":false,"messages":[],"padding":"${pad}"}`);
  }
  return oversizeBody;
}

export function faultReply(rule: FaultRule): Reply {
  switch (rule.kind) {
    case 'server-error': {
      const status = rule.status ?? 503;
      return m2mError('UnifiedWebService.REQUEST_FAILED.ServiceUnavailable', `Simulated server error ${status}`, status);
    }
    case 'rate-limit':
      return {
        ...m2mError('UnifiedWebService.REQUEST_FAILED.TooManyRequests', 'Simulated rate limit', 429),
        headers: { 'Content-Type': 'application/json', 'Retry-After': String(rule.retryAfterSec ?? 1) },
      };
    case 'malformed':
      return { status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"hasMoreData":true,"messages":[{"deviceIds":[{"kind":"md' };
    case 'html':
      return {
        status: 502,
        headers: { 'Content-Type': 'text/html' },
        body: '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>simulated proxy error</p></body></html>',
      };
    case 'empty':
      return { status: 200, headers: { 'Content-Type': 'application/json' }, body: '' };
    case 'oversize':
      return { status: 200, headers: { 'Content-Type': 'application/json' }, body: oversize() };
    case 'wrong-shape':
      return json(200, { result: 'ok', messages: 'none', hasMoreData: 'maybe' });
    default:
      throw new Error(`fault kind ${rule.kind} does not replace the answer`);
  }
}
