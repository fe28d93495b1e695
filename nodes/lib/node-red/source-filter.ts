// The config node's allow-list of callback sources (docs/thingspace-api.md, "Callback listeners"): a refused
// source is answered 403 before its body is read. Messages without msg.req were made inside the runtime.
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

type CallbackRequest = { socket?: { remoteAddress?: string }; headers?: Record<string, string | string[] | undefined> };

export class SourceFilter {
  /** Callbacks refused since deploy, for this account. */
  refused = 0;
  private warnedAt = -Infinity;

  constructor(
    /** Undefined: no restriction. */
    private readonly allowed: AddressList | undefined,
    private readonly proxies: AddressList,
  ) {}

  /** True when `msg` came through http in from a source not allowed: answered 403, counted and logged. */
  refuse(node: Pick<Node, 'warn'>, msg: NodeMessage): boolean {
    const req = msg.req as CallbackRequest | undefined;
    if (!this.allowed || req === undefined) return false;
    const address = clientAddress(req.socket?.remoteAddress, req.headers?.['x-forwarded-for'], this.proxies);
    if (this.allowed.has(address)) return false;
    answerHttp(msg, 403);
    this.refused++;
    if (Date.now() - this.warnedAt >= WARN_EVERY_MS) {
      this.warnedAt = Date.now();
      node.warn(`Refused a callback from ${address ?? 'an unknown address'}: not an allowed ThingSpace source (${this.refused} refused since deploy)`);
    }
    return true;
  }
}

/** The filter of the config node's properties; an allow-list switched on but empty means ThingSpace's addresses. */
export function makeSourceFilter(props: SourceFilterProps): SourceFilter | { reason: string } {
  const proxies = parseAddressList(props.trustedProxies ?? '');
  if (!(proxies instanceof AddressList)) return { reason: `Trusted proxies: ${proxies.reason}` };
  if (props.restrictSources !== true && props.restrictSources !== 'true') return new SourceFilter(undefined, proxies);
  const text = (props.allowedSources ?? '').trim() || THINGSPACE_CALLBACK_SOURCES.join(',');
  const allowed = parseAddressList(text);
  if (!(allowed instanceof AddressList)) return { reason: `Allowed callback sources: ${allowed.reason}` };
  return new SourceFilter(allowed, proxies);
}
