// The config node's allow-list of callback sources, applied to messages from http in: a push or
// a delivery notice from an address that is not ThingSpace's is answered 403 and counted, and
// its body is never read (docs/thingspace-api.md, "Callback listeners"). Messages that did not
// come from http in (no msg.req) were made inside the runtime and are not checked.
import type { Node, NodeMessage } from 'node-red';
import { AddressList, THINGSPACE_CALLBACK_SOURCES, clientAddress, parseAddressList } from '../message/source-allow-list';
import { answerHttp } from './http-reply';

export interface SourceFilterProps {
  restrictSources?: boolean | string;
  allowedSources?: string;
  trustedProxies?: string;
}

/** A refusal is logged once a minute at most, with the count: a scan must not flood the log. */
const WARN_EVERY_MS = 60_000;

export class SourceFilter {
  /** Callbacks refused since deploy, for this account. */
  refused = 0;
  private warnedAt = -Infinity;

  constructor(
    /** Undefined: no restriction. */
    readonly allowed: AddressList | undefined,
    readonly proxies: AddressList,
  ) {}

  /** Refuses `msg` if it came through http in from a source not allowed: answered 403,
   *  counted, logged on `node` (at most once a minute). True when refused. */
  refuse(node: Pick<Node, 'warn'>, msg: NodeMessage): boolean {
    if (!this.allowed || msg.req === undefined) return false;
    const req = msg.req as {
      socket?: { remoteAddress?: string };
      connection?: { remoteAddress?: string };
      headers?: Record<string, string | string[] | undefined>;
    };
    const peer = req.socket?.remoteAddress ?? req.connection?.remoteAddress;
    const address = clientAddress(peer, req.headers?.['x-forwarded-for'], this.proxies);
    if (this.allowed.has(address)) return false;
    answerHttp(msg, 403);
    this.refused++;
    const now = Date.now();
    if (now - this.warnedAt >= WARN_EVERY_MS) {
      this.warnedAt = now;
      node.warn(`Refused a callback from ${address ?? 'an unknown address'}: not an allowed ThingSpace source (${this.refused} refused since deploy)`);
    }
    return true;
  }
}

/** The filter the config node's properties describe, or why they are unusable. An allow-list
 *  switched on but left empty means ThingSpace's published addresses. */
export function makeSourceFilter(props: SourceFilterProps): SourceFilter | { reason: string } {
  const on = props.restrictSources === true || props.restrictSources === 'true';
  const proxies = parseAddressList(props.trustedProxies ?? '');
  if (!(proxies instanceof AddressList)) return { reason: `Trusted proxies: ${proxies.reason}` };
  if (!on) return new SourceFilter(undefined, proxies);
  const text = (props.allowedSources ?? '').trim() || THINGSPACE_CALLBACK_SOURCES.join(',');
  const allowed = parseAddressList(text);
  if (!(allowed instanceof AddressList)) return { reason: `Allowed callback sources: ${allowed.reason}` };
  return new SourceFilter(allowed, proxies);
}
