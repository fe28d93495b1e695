// Does a proxy variable apply to the server? Read the way axios reads them: `<scheme>_proxy`
// in either case, the lower-case one first (upper-case HTTP_PROXY included, which curl
// ignores), then ALL_PROXY, and NO_PROXY ('*', host names, `.suffix` or `suffix` matching
// subdomains, optional `:port`).

function env(name: string): string {
  return process.env[name.toLowerCase()] ?? process.env[name.toUpperCase()] ?? '';
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

/** The proxy URL the environment asks for when talking to `target`, or undefined. */
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
