// What a request to ThingSpace is made of (http.ts sends it).
import type { Operation } from './classify';

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
