// A keep-alive agent, Node's own or a proxy's, so that a drain keeps one connection (one tunnel).
import http from 'node:http';
import https from 'node:https';
import { badConfig } from './errors';

function env(name: string): string {
  return process.env[name.toLowerCase()] ?? process.env[name.toUpperCase()] ?? '';
}

/** Proxy variables read as axios would (it runs with `proxy: false` over our agents): upper-case
 *  HTTP_PROXY included, which curl ignores; NO_PROXY with '*', suffixes and ports. */
export function proxyFor(target: URL): string | undefined {
  const scheme = target.protocol.replace(/:$/, '');
  const proxy = env(`${scheme}_proxy`) || env('all_proxy');
  if (proxy === '') return undefined;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port === '' ? (target.protocol === 'https:' ? 443 : 80) : Number(target.port);
  for (const raw of env('no_proxy').split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return undefined;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry);
    let name = (m?.[1] ?? entry).replace(/^\[|\]$/g, '');
    const entryPort = m?.[2] === undefined ? undefined : Number(m[2]);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (name.startsWith('*')) name = name.slice(1);
    if (host === name || (name.startsWith('.') ? host.endsWith(name) : host.endsWith(`.${name}`))) return undefined;
  }
  return proxy;
}

/** Their own types are ESM-only. */
type ProxyAgentClass = new (proxy: URL, opts: http.AgentOptions & { headers?: Record<string, string> }) => http.Agent;

/** A bare `host:port` means http://, as curl reads it. Never echoed: it may hold credentials. */
function proxyUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw badConfig('The proxy environment variable (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY) is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badConfig('The proxy environment variable names an unsupported proxy: only http:// and https:// proxies are supported');
  }
  return url;
}

/** Loaded only when a proxy applies: ES modules, which require() loads on Node 20.19+ and 22.12+. */
function proxyAgentClass(secure: boolean): ProxyAgentClass {
  try {
    /* eslint-disable @typescript-eslint/no-require-imports */
    return secure
      ? (require('https-proxy-agent') as { HttpsProxyAgent: ProxyAgentClass }).HttpsProxyAgent
      : (require('http-proxy-agent') as { HttpProxyAgent: ProxyAgentClass }).HttpProxyAgent;
    /* eslint-enable @typescript-eslint/no-require-imports */
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw badConfig(
      code === 'ERR_REQUIRE_ESM'
        ? `Going through a proxy needs Node.js 20.19 or 22.12 or later (this is ${process.version})`
        : `The proxy support could not be loaded (${typeof code === 'string' ? code : 'unknown error'})`,
    );
  }
}

/** `proxy`: without credentials; undefined when going direct. */
export function carrierFor(server: URL): { agent: http.Agent; proxy: string | undefined } {
  const secure = server.protocol === 'https:';
  const options: http.AgentOptions = { keepAlive: true };
  const value = proxyFor(server);
  if (value === undefined) return { agent: secure ? new https.Agent(options) : new http.Agent(options), proxy: undefined };
  const url = proxyUrl(value);
  // Credentials go in our own header: the agent would print its URL with DEBUG=https-proxy-agent.
  const headers: Record<string, string> = {};
  if (url.username !== '' || url.password !== '') {
    const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers['Proxy-Authorization'] = `Basic ${Buffer.from(pair).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  // No keep-alive for plain http: tinyproxy and others close after each answer unannounced. noDelay: no wait for an ACK.
  const agent = new (proxyAgentClass(secure))(url, { keepAlive: secure, noDelay: true, headers });
  return { agent, proxy: url.origin };
}
