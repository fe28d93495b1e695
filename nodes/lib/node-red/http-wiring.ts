// Who answers an `http in` request that reaches sms-queue-in, read from the flow's wiring, so each callback is
// answered exactly once; the rule is docs/push-mode.md's ("beside" = reachable without passing through the node).
import type { NodeMessage } from 'node-red';

/** `all`: the node answers every request; `unsent`: only those it does not emit; `none`: none. */
export type AnswerMode = 'all' | 'unsent' | 'none';

/** A node of the flow configuration, as RED.nodes.eachNode gives it. */
export interface FlowNodeConfig {
  id: string;
  type: string;
  d?: boolean;
  wires?: string[][];
  /** link out: the link in nodes it sends to. */
  links?: string[];
  url?: string;
  method?: string;
  /** sms-queue-in's own path; a node's name. */
  listen?: string;
  name?: string;
}

/** express's key of a route: method and path, as http in registers it. */
function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.startsWith('/') ? path : `/${path}`}`;
}

/** For each http in route that feeds node `selfId`, who answers its requests. A route fed by
 *  several http in nodes wired differently is left out (the node then answers what it does not emit). */
export function answerModes(nodes: Iterable<FlowNodeConfig>, selfId: string): Map<string, AnswerMode> {
  const byId = new Map<string, FlowNodeConfig>();
  for (const n of nodes) if (!n.d) byId.set(n.id, n);
  const next = (n: FlowNodeConfig | undefined): string[] => (n ? [...(n.wires ?? []).flat(), ...(n.type === 'link out' ? (n.links ?? []) : [])] : []);
  /** What `from` reaches (not itself), never going through `stop`; a Set's iteration takes in what is added meanwhile. */
  const reach = (from: FlowNodeConfig, stop?: string): Set<string> => {
    const seen = new Set(next(from));
    for (const id of seen) if (id !== stop) for (const to of next(byId.get(id))) seen.add(to);
    return seen;
  };
  const answers = (ids: Set<string>): boolean => [...ids].some((id) => byId.get(id)?.type === 'http response');

  const self = byId.get(selfId);
  const modes = new Map<string, AnswerMode>();
  if (!self) return modes;
  const downstream = answers(reach(self));
  const clash = new Set<string>();
  for (const n of byId.values()) {
    if (n.type !== 'http in' || typeof n.url !== 'string' || typeof n.method !== 'string') continue;
    const reached = reach(n, selfId);
    if (!reached.has(selfId)) continue;
    const mode: AnswerMode = answers(reached) ? 'none' : downstream ? 'unsent' : 'all';
    const key = routeKey(n.method, n.url);
    if (modes.has(key) && modes.get(key) !== mode) clash.add(key);
    modes.set(key, mode);
  }
  for (const key of clash) modes.delete(key);
  return modes;
}

/** Who answers `msg`'s request: from the route its http in came through (express sets req.route), else `unsent`
 *  (the node answers what it does not emit; answerHttp skips an answered one). */
export function answerModeFor(modes: ReadonlyMap<string, AnswerMode>, msg: NodeMessage): AnswerMode {
  const req = msg.req as { method?: unknown; route?: { path?: unknown } } | undefined;
  if (typeof req?.method !== 'string' || typeof req.route?.path !== 'string') return 'unsent';
  return modes.get(routeKey(req.method, req.route.path)) ?? 'unsent';
}
