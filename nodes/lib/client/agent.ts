// Which keep-alive agent carries the requests to the server: Node's own when no proxy
// variable applies, else a proxy agent from TooTallNate/proxy-agents (a CONNECT tunnel for
// https targets, absolute-form requests for http ones). Both pool their sockets, so a drain
// opens one connection (one tunnel) and keeps it; only the agent differs, the request code
// in http.ts is the same either way.
import http from 'node:http';
import https from 'node:https';
import { ThingSpaceError } from './errors';
import { proxyFor } from './proxy';

export interface Carrier {
  agent: http.Agent;
  /** The proxy's origin, credentials left out, or undefined when going direct. */
  proxy: string | undefined;
}

/** What we use of the proxy agents' constructors (their own types are ESM-only). */
type ProxyAgentClass = new (proxy: URL, opts: http.AgentOptions & { headers?: Record<string, string> }) => http.Agent;

function badProxy(message: string): ThingSpaceError {
  return new ThingSpaceError({ kind: 'bad_config', message, operation: 'config' });
}

/** The proxy variable's value as a URL; a bare `host:port` means http://, as curl reads it.
 *  The value is never echoed in an error: it may carry credentials. */
function proxyUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw badProxy('The proxy environment variable (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY) is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badProxy('The proxy environment variable names an unsupported proxy: only http:// and https:// proxies are supported');
  }
  return url;
}

/** The proxy agent class, loaded only when a proxy applies. The packages are ES modules:
 *  require() loads them on Node 20.19+ and 22.12+. */
function proxyAgentClass(secure: boolean): ProxyAgentClass {
  try {
    /* eslint-disable @typescript-eslint/no-require-imports */
    return secure
      ? (require('https-proxy-agent') as { HttpsProxyAgent: ProxyAgentClass }).HttpsProxyAgent
      : (require('http-proxy-agent') as { HttpProxyAgent: ProxyAgentClass }).HttpProxyAgent;
    /* eslint-enable @typescript-eslint/no-require-imports */
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw badProxy(
      code === 'ERR_REQUIRE_ESM'
        ? `Going through a proxy needs Node.js 20.19 or 22.12 or later (this is ${process.version})`
        : `The proxy support could not be loaded (${typeof code === 'string' ? code : 'unknown error'})`,
    );
  }
}

export function carrierFor(server: URL): Carrier {
  const secure = server.protocol === 'https:';
  const options: http.AgentOptions = { keepAlive: true };
  const value = proxyFor(server);
  if (value === undefined) return { agent: secure ? new https.Agent(options) : new http.Agent(options), proxy: undefined };
  const url = proxyUrl(value);
  // The credentials travel as our own Proxy-Authorization header, not inside the URL the
  // agent keeps (and would print with DEBUG=https-proxy-agent).
  const headers: Record<string, string> = {};
  if (url.username !== '' || url.password !== '') {
    const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers['Proxy-Authorization'] = `Basic ${Buffer.from(pair).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  // An https target keeps its tunnel; a plain http one (only a loopback simulator, see
  // config.ts) does not: proxies such as tinyproxy close after each relayed answer without
  // saying so, and the next request would meet a dead socket. noDelay as on Node's own
  // sockets: a request is not held back waiting for the proxy's ACK of the one before.
  const agent = new (proxyAgentClass(secure))(url, { keepAlive: secure, noDelay: true, headers });
  return { agent, proxy: url.origin };
}
