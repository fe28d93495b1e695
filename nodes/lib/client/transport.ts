// What every way of sending a request shares (http.ts picks one).
import type { Operation, RawResponse } from './classify';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestSpec {
  operation: Operation;
  method: Method;
  /** Path below the server root, already built from encoded segments. */
  path: string;
  headers: Record<string, string>;
  data?: string;
  signal?: AbortSignal;
}

export const USER_AGENT = 'node-red-contrib-thingspace-sms';

/** One way of sending; `closing` aborts everything of the transport. */
export interface Sender {
  send(spec: RequestSpec, closing: AbortSignal): Promise<RawResponse>;
  close(): void;
}
