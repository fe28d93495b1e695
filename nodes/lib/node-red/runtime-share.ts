// What the config nodes of one runtime share, and so the nodes using any of them (they reach it
// through their config node, `UsableConfig.shared`). The config node type makes one per runtime
// (nodes/thingspace-config.ts): per account key, readers, notice routes and send queues span
// config nodes, and a hand-over outlives the config node a full deploy replaces. Nothing of it
// is module-level, so each runtime a test makes starts afresh.
import type { EventEmitter } from 'node:events';
import { AuthRegistry } from '../client/shared-auth';
import type { PersistedState } from '../consumer/types';
import type { RedisPool } from '../coordination/coordinator';
import { Handovers } from './handovers';
import { NoticeRouter } from './notice-router';
import { RefusalFile } from './refusal-file';
import { SendHandovers } from './send-handover';
import { SendQueues } from './send-queues';

/** A consumer state nobody took within this long belongs to a node that was removed, not redeployed. */
const STATE_HANDOVER_MS = 60_000;

export class RuntimeShare {
  /** Config nodes with the same credentials share a token and a session (docs/architecture.md, "Client"). */
  readonly registry = new AuthRegistry();
  /** Refused logins, remembered in the user directory. */
  readonly file: RefusalFile;
  readonly notices = new NoticeRouter();
  readonly queues = new SendQueues();
  readonly sends: SendHandovers;
  /** What a closing sms-queue-in leaves its successor (context-store.ts). */
  readonly states = new Handovers<PersistedState>(STATE_HANDOVER_MS);
  /** Redis connections, made with the first coordinated config node (coordination-config.ts). */
  redis?: RedisPool;
  /** The sms-queue-in node reading each account: two would race for its blocks, and each one's
   *  `next` would acknowledge SMS the other has not handed on (across runtimes: coordination). */
  private readonly readers = new Map<string, string>();

  constructor(
    userDir: string | undefined,
    readonly warn: (text: string) => void,
    events: EventEmitter,
  ) {
    this.file = new RefusalFile(userDir, warn);
    this.sends = new SendHandovers(events);
  }

  /** Claims the account's queue for `nodeId`; returns the id of the node that holds it if taken. */
  claimReader(accountKey: string, nodeId: string): string | undefined {
    const holder = this.readers.get(accountKey);
    if (holder !== undefined && holder !== nodeId) return holder;
    this.readers.set(accountKey, nodeId);
    return undefined;
  }

  releaseReader(accountKey: string, nodeId: string): void {
    if (this.readers.get(accountKey) === nodeId) this.readers.delete(accountKey);
  }
}
