import type { Operation } from './classify';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestSpec {
  operation: Operation;
  method: Method;
  /** Below the server root, from encoded segments. */
  path: string;
  headers: Record<string, string>;
  data?: string;
  signal?: AbortSignal;
}

export const USER_AGENT = 'node-red-contrib-thingspace-sms';
