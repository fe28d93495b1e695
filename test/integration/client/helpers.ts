// Shared by the client tests: a client pointed at a simulator, a failure catcher, a drain loop.
import assert from 'node:assert/strict';
import type { ThingSpaceSimulator } from '../../../simulator/server';
import { ThingSpaceClient, type ThingSpaceClientOptions } from '../../../nodes/lib/client/thingspace-client';
import { ThingSpaceError } from '../../../nodes/lib/client/errors';
import type { ThingSpaceApi } from '../../../nodes/lib/client/api';
import { halts } from '../../../nodes/lib/retry/retry-policy';
import type { SmsMessage } from '../../../nodes/lib/types';

export const ACCOUNT = '0000123456-00001';

export function clientFor(sim: ThingSpaceSimulator, overrides: Partial<ThingSpaceClientOptions> = {}): ThingSpaceClient {
  return new ThingSpaceClient({
    server: sim.url,
    accountName: ACCOUNT,
    clientId: 'sim-client-id',
    clientSecret: 'sim-client-secret',
    username: 'sim-user',
    password: 'sim-password',
    ...overrides,
  });
}

export async function failure(p: Promise<unknown>): Promise<ThingSpaceError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ThingSpaceError, `a ThingSpaceError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

export interface DrainResult {
  messages: SmsMessage[];
  blocks: number;
  /** Retryable errors met and retried, by kind. */
  errors: Record<string, number>;
}

/** Reads blocks until a 200. Passing `next` acknowledges the previous block; after a
 *  retryable error the same call (same `next`) is made again, as the consumer does. */
export async function drain(client: ThingSpaceApi, opts: { retry?: boolean; maxErrors?: number } = {}): Promise<DrainResult> {
  const result: DrainResult = { messages: [], blocks: 0, errors: {} };
  let next: string | undefined;
  let errorCount = 0;
  for (;;) {
    try {
      const block = await client.history(next);
      result.messages.push(...block.messages);
      result.blocks++;
      if (block.status === 200) return result;
      next = block.next;
    } catch (err) {
      if (!opts.retry || !(err instanceof ThingSpaceError) || halts(err)) throw err;
      result.errors[err.kind] = (result.errors[err.kind] ?? 0) + 1;
      if (++errorCount > (opts.maxErrors ?? 1000)) throw err;
    }
  }
}

export function smsKey(sms: SmsMessage): string {
  return JSON.stringify([sms.deviceIds, sms.message, sms.timestamp]);
}

export function tally(messages: SmsMessage[], expected: number): { unique: number; duplicates: number; lost: number } {
  const unique = new Set(messages.map(smsKey)).size;
  return { unique, duplicates: messages.length - unique, lost: expected - unique };
}
