// Strict matching of the raw request target against the documented paths (docs/thingspace-api.md, "Hosts and paths").
// Nothing is normalised or decoded before matching: `..`, `%2F` and doubled slashes must
// never let a request reach another account's queue.
import type { Endpoint } from './options';
import { ACCOUNT_NAME_PATTERN, M2M_ROOT, TOKEN_PATH } from '../nodes/lib/types';

export type RouteName =
  'token' | 'revoke' | 'login' | 'logout' | 'history' | 'startCallbacks' | 'registerCallback' | 'listCallbacks' | 'deleteCallback' | 'sendSms';

export interface ApiRoute {
  kind: 'api';
  name: RouteName;
  /** For fault rules and the per-endpoint request counters. */
  endpoint: Exclude<Endpoint, 'any'>;
  /** The account segment, decoded; `accountValid` says whether it has the documented form. */
  account?: string;
  accountValid?: boolean;
  serviceName?: string;
  query: URLSearchParams;
}

export interface ControlRoute {
  kind: 'control';
  path: string; // after /_sim
  query: URLSearchParams;
}

export interface NoRoute {
  kind: 'none';
}

export type Route = ApiRoute | ControlRoute | NoRoute;

const SEGMENT = '([^/]+)';
const M2M = M2M_ROOT.replace(/\//g, '\\/');

const TABLE: { method: string; pattern: RegExp; name: RouteName; endpoint: ApiRoute['endpoint'] }[] = [
  { method: 'POST', pattern: new RegExp(`^${TOKEN_PATH.replace(/\//g, '\\/')}$`), name: 'token', endpoint: 'token' },
  { method: 'POST', pattern: /^\/api\/ts\/v1\/oauth2\/revoke$/, name: 'revoke', endpoint: 'token' },
  { method: 'POST', pattern: new RegExp(`^${M2M}\\/session\\/login$`), name: 'login', endpoint: 'login' },
  { method: 'POST', pattern: new RegExp(`^${M2M}\\/session\\/logout$`), name: 'logout', endpoint: 'logout' },
  { method: 'GET', pattern: new RegExp(`^${M2M}\\/sms\\/${SEGMENT}\\/history$`), name: 'history', endpoint: 'history' },
  { method: 'PUT', pattern: new RegExp(`^${M2M}\\/sms\\/${SEGMENT}\\/startCallbacks$`), name: 'startCallbacks', endpoint: 'startCallbacks' },
  { method: 'POST', pattern: new RegExp(`^${M2M}\\/callbacks\\/${SEGMENT}$`), name: 'registerCallback', endpoint: 'callbacks' },
  { method: 'GET', pattern: new RegExp(`^${M2M}\\/callbacks\\/${SEGMENT}$`), name: 'listCallbacks', endpoint: 'callbacks' },
  { method: 'DELETE', pattern: new RegExp(`^${M2M}\\/callbacks\\/${SEGMENT}\\/name\\/${SEGMENT}$`), name: 'deleteCallback', endpoint: 'callbacks' },
  { method: 'POST', pattern: new RegExp(`^${M2M}\\/sms$`), name: 'sendSms', endpoint: 'sms' },
];

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function matchRoute(method: string, rawTarget: string): Route {
  // Absolute-form or asterisk targets are not ours to serve.
  if (!rawTarget.startsWith('/')) return { kind: 'none' };
  const q = rawTarget.indexOf('?');
  const path = q === -1 ? rawTarget : rawTarget.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : rawTarget.slice(q + 1));

  if (path === '/_sim' || path.startsWith('/_sim/')) {
    return { kind: 'control', path: path.slice('/_sim'.length) || '/', query };
  }
  for (const row of TABLE) {
    if (row.method !== method) continue;
    const m = row.pattern.exec(path);
    if (!m) continue;
    const route: ApiRoute = { kind: 'api', name: row.name, endpoint: row.endpoint, query };
    if (m[1] !== undefined) {
      const account = decode(m[1]);
      route.account = account ?? m[1];
      route.accountValid = account !== undefined && ACCOUNT_NAME_PATTERN.test(account);
    }
    if (m[2] !== undefined) route.serviceName = decode(m[2]) ?? m[2];
    return route;
  }
  return { kind: 'none' };
}
