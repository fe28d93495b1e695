// Runs code with exactly the given proxy variables set, the others cleared, then puts the
// process environment back. The client reads the variables when it is constructed.
const VARS = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY'];

export function withProxyEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
  for (const v of VARS) delete process.env[v];
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const v of VARS) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
  }
}
