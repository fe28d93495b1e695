// The HTTP path alone: token, login, then history blocks followed by `next` until a 200,
// over raw node:http (node:https for an https server) with one keep-alive socket, in the
// bench process (no Node-RED, no axios, none of our client). Each body is JSON.parse'd and
// its messages counted: the least any client must do with a block. Through a proxy it
// tunnels with CONNECT as our client does (https-proxy-agent, the tunnel kept alive), so a
// floor measured through the same proxy pays the same tunnel and TLS handshake.
import http from 'node:http';
import https from 'node:https';
import { ACCOUNT, SIM_CREDENTIALS } from '../test/e2e/harness';

interface Answer {
  status: number;
  location?: string;
  body: string;
}

export interface BareOptions {
  /** The account to drain; default the simulator's first. */
  account?: string;
  /** PEM of the CA to trust for an https server. */
  ca?: string;
  /** A CONNECT proxy (`http://host:port`) for an https server. */
  proxy?: string;
}

/** What we use of the proxy agent's constructor (its own types are ESM-only). */
type ProxyAgentClass = new (proxy: URL, opts: http.AgentOptions) => http.Agent;

function agentFor(secure: boolean, opts: BareOptions): http.Agent {
  const options: http.AgentOptions = { keepAlive: true, maxSockets: 1 };
  if (opts.proxy === undefined) return secure ? new https.Agent({ ...options, ca: opts.ca }) : new http.Agent(options);
  if (!secure) throw new Error('the bare client tunnels to https servers only');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { HttpsProxyAgent } = require('https-proxy-agent') as { HttpsProxyAgent: ProxyAgentClass };
  // As the client's carrier (nodes/lib/client/agent.ts): keep-alive tunnel, noDelay.
  return new HttpsProxyAgent(new URL(opts.proxy), { ...options, noDelay: true });
}

function request(agent: http.Agent, ca: string | undefined, url: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const secure = url.startsWith('https:');
  return new Promise((resolve, reject) => {
    const onAnswer = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
      res.on('close', () => {
        if (!res.complete) reject(new Error(`${method} ${url}: the connection closed mid-answer`));
      });
    };
    // Through a proxy agent the CA travels with the request: the agent hands the request's
    // options to tls.connect once the tunnel is up.
    const req = secure ? https.request(url, { method, agent, headers, ca }, onAnswer) : http.request(url, { method, agent, headers }, onAnswer);
    req.on('error', reject);
    req.end(body);
  });
}

export interface BareDrain {
  messages: number;
  blocks: number;
  /** Token and login round trips, ms. */
  tokenMs: number;
  loginMs: number;
  /** From the token request to the last block parsed, ms. */
  totalMs: number;
  /** Blocks only, ms. */
  historyMs: number;
}

export async function bareDrain(server: string, opts: BareOptions = {}): Promise<BareDrain> {
  const agent = agentFor(server.startsWith('https:'), opts);
  const send = (url: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> =>
    request(agent, opts.ca, url, method, headers, body);
  try {
    const t0 = performance.now();
    const basic = Buffer.from(`${SIM_CREDENTIALS.clientId}:${SIM_CREDENTIALS.clientSecret}`).toString('base64');
    const tok = await send(
      `${server}/api/ts/v1/oauth2/token`,
      'POST',
      { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      'grant_type=client_credentials',
    );
    if (tok.status !== 200) throw new Error(`token: ${tok.status}`);
    const bearer = (JSON.parse(tok.body) as { access_token: string }).access_token;
    const t1 = performance.now();
    const loginBody = JSON.stringify({ username: SIM_CREDENTIALS.username, password: SIM_CREDENTIALS.password });
    const login = await send(
      `${server}/api/m2m/v1/session/login`,
      'POST',
      { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
      loginBody,
    );
    if (login.status !== 200) throw new Error(`login: ${login.status}`);
    const session = (JSON.parse(login.body) as { sessionToken: string }).sessionToken;
    const t2 = performance.now();
    const headers = { Authorization: `Bearer ${bearer}`, 'VZ-M2M-Token': session, Accept: 'application/json' };
    let url = `${server}/api/m2m/v1/sms/${opts.account ?? ACCOUNT}/history`;
    let messages = 0;
    let blocks = 0;
    for (;;) {
      const res = await send(url, 'GET', headers);
      if (res.status !== 200 && res.status !== 202) throw new Error(`history: ${res.status} ${res.body.slice(0, 200)}`);
      messages += (JSON.parse(res.body) as { messages: unknown[] }).messages.length;
      blocks++;
      if (res.status === 200) break;
      url = `${server}/api/m2m/v1${res.location}`;
    }
    const t3 = performance.now();
    return { messages, blocks, tokenMs: t1 - t0, loginMs: t2 - t1, totalMs: t3 - t0, historyMs: t3 - t2 };
  } finally {
    agent.destroy();
  }
}
