// What the node files see of a `thingspace-config` node (nodes/thingspace-config.ts), and what
// it gives each node using it, for the account that node uses (unusable.ts makes that view).
import type { Node } from 'node-red';
import type { Coordinator } from '../coordination/coordinator';
import type { ThingSpaceError } from '../client/errors';
import type { ThingSpaceClient } from '../client/thingspace-client';
import type { CallbackCredentials } from '../message/callback-body';
import type { Activity } from './activity';
import type { RuntimeShare } from './runtime-share';
import type { SourceFilter } from './source-filter';

/** The config node's credentials (Node-RED's types): the Redis and Sentinel passwords are coordination's. */
export const credentialTypes = {
  clientId: { type: 'text' },
  clientSecret: { type: 'password' },
  username: { type: 'text' },
  password: { type: 'password' },
  callbackUsername: { type: 'text' },
  callbackPassword: { type: 'password' },
  redisPassword: { type: 'password' },
  sentinelPassword: { type: 'password' },
} as const;

export type ThingSpaceCredentials = { [K in keyof typeof credentialTypes]?: string };

interface ConfigShares {
  server: string;
  /** Set when the config node's coordination is Redis (docs/architecture.md, "Coordination"). */
  coordinator?: Coordinator;
  /** The allow-list of callback sources (undefined in a runtime that predates it: no check). */
  sourceFilter?: SourceFilter;
  activity: Activity;
  callbackCredentials(): CallbackCredentials | undefined;
  shared: RuntimeShare;
}

export interface ThingSpaceConfigNode extends Node<ThingSpaceCredentials>, ConfigShares {
  accountName: string;
  /** The user's client, for any of its accounts (one token and session); undefined when the
   *  configuration is unusable (see `configError`). */
  client?: ThingSpaceClient;
  configError?: ThingSpaceError;
}

/** A user node's view of its config node: the account it uses and that account's calls. */
export interface UsableConfig extends ConfigShares {
  /** The node's own `accountName` property, else the config node's. */
  accountName: string;
  /** Server and account (nodes/lib/client/account.ts): what readers, notice routing, send
   *  queues, node state and leases are keyed by, whichever config node names the account. */
  accountKey: string;
  /** Emits 'rejected' once ThingSpace rejected the credentials. */
  api: ThingSpaceClient;
}
