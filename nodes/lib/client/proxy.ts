// Proxy variables read as axios would (it runs with `proxy: false` over our agents): upper-case
// HTTP_PROXY included, which curl ignores; NO_PROXY with '*', suffixes and ports.

function env(name: string): string {
  return process.env[name.toLowerCase()] ?? process.env[name.toUpperCase()] ?? '';
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

export function proxyFor(target: URL): string | undefined {
  const scheme = target.protocol.replace(/:$/, '');
  const proxy = env(`${scheme}_proxy`) || env('all_proxy');
  if (proxy === '') return undefined;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port === '' ? defaultPort(target.protocol) : Number(target.port);
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
