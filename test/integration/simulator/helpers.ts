// A bare HTTP client for the simulator tests: node:http with the raw path sent verbatim
// (fetch would normalise `..`), no project client involved.
import http, { type IncomingHttpHeaders } from 'node:http';
import type { ThingSpaceSimulator } from '../../../simulator/server';

export const ACCOUNT = '0000123456-00001';
export const CREDS = { clientId: 'sim-client-id', clientSecret: 'sim-client-secret', username: 'sim-user', password: 'sim-password' };

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(): any;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string;
  agent?: http.Agent;
  timeoutMs?: number;
}

export function request(base: string, method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(opts.body));
    const req = http.request({ host: url.hostname, port: url.port, method, path, headers, agent: opts.agent, timeout: opts.timeoutMs });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function basic(id = CREDS.clientId, secret = CREDS.clientSecret): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

export async function getToken(sim: ThingSpaceSimulator): Promise<RawResponse> {
  return request(sim.url, 'POST', '/api/ts/v1/oauth2/token', {
    headers: { Authorization: basic(), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
}

export async function loginWith(sim: ThingSpaceSimulator, bearer: string, username: string, password: string): Promise<RawResponse> {
  return request(sim.url, 'POST', '/api/m2m/v1/session/login', {
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

/** Token + login; returns the two headers every M2M call needs. */
export async function session(sim: ThingSpaceSimulator): Promise<Record<string, string>> {
  const bearer = (await getToken(sim)).json().access_token as string;
  const login = await loginWith(sim, bearer, CREDS.username, CREDS.password);
  if (login.status !== 200) throw new Error(`login failed: ${login.text}`);
  return { Authorization: `Bearer ${bearer}`, 'VZ-M2M-Token': login.json().sessionToken as string };
}

export function history(sim: ThingSpaceSimulator, auth: Record<string, string>, next?: string, account = ACCOUNT, agent?: http.Agent): Promise<RawResponse> {
  const path = `/api/m2m/v1/sms/${account}/history${next === undefined ? '' : `?next=${next}`}`;
  return request(sim.url, 'GET', path, { headers: { ...auth, Accept: 'application/json' }, agent });
}

/** The `next` token of a Location header, whatever its form, copied verbatim. */
export function nextOf(location: string | undefined): string {
  const m = /[?&]next=([^&]*)/.exec(location ?? '');
  if (!m) throw new Error(`no next in Location ${location}`);
  return m[1];
}

export function sms(text: string, mdn = '15551230001') {
  return { deviceIds: [{ kind: 'mdn', id: mdn }], message: text, timestamp: '2024-05-02T09:15:07-07:00' };
}

export function texts(body: { messages: { message: string }[] }): string[] {
  return body.messages.map((m) => m.message);
}
