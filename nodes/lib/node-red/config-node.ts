// What the node files see of a `thingspace-config` node (nodes/thingspace-config.ts), and
// the check every user node makes of it at deploy, for the account the node uses.
import type { Node } from 'node-red';
import { accountKey } from '../client/account';
import type { ThingSpaceClient as AccountClient } from '../client/thingspace-client';
import type { Coordinator } from '../coordination/coordinator';
import type { ThingSpaceError } from '../client/errors';
import type { CallbackCredentials } from '../message/callback-body';
import type { Activity } from './activity';
import { NodeError } from './report';
import type { RuntimeShare } from './runtime-share';
import type { SourceFilter } from './source-filter';

export interface ThingSpaceCredentials {
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  callbackUsername?: string;
  callbackPassword?: string;
  /** Coordination across runtimes: the Redis password. */
  redisPassword?: string;
  /** Coordination through Redis Sentinel: the sentinels' own password, if they have one. */
  sentinelPassword?: string;
}

export interface ThingSpaceConfigNode extends Node<ThingSpaceCredentials> {
  accountName: string;
  server: string;
  /** The calls of the config node's own account, or undefined when the configuration is
   *  unusable (see `configError`). Emits 'rejected' once ThingSpace rejected the credentials. */
  api?: AccountClient;
  /** The calls of any account of the same user, sharing `api`'s token and session. Throws
   *  BAD_CONFIG for a name that is not an account name. */
  apiFor?(accountName: string): AccountClient;
  configError?: ThingSpaceError;
  callbackCredentials(): CallbackCredentials | undefined;
  /** The allow-list of callback sources (undefined in a runtime that predates it: no check). */
  sourceFilter?: SourceFilter;
  /** Set when the config node's coordination is Redis (docs/architecture.md, "Coordination"). */
  coordinator?: Coordinator;
  shared: RuntimeShare;
  /** The runtime's activity board (nodes/lib/node-red/activity.ts), shared by every config node. */
  activity: Activity;
}

/** A user node's view of its config node: the account it uses and that account's calls. */
export interface UsableConfig {
  /** The node's own `accountName` property, else the config node's. */
  accountName: string;
  server: string;
  /** Server and account (nodes/lib/client/account.ts): what readers, notice routing, send
   *  queues, node state and leases are keyed by, whichever config node names the account. */
  accountKey: string;
  api: AccountClient;
  coordinator?: Coordinator;
  sourceFilter?: SourceFilter;
  activity: Activity;
  callbackCredentials(): CallbackCredentials | undefined;
  /** Readers, notice routes, send queues and hand-overs, per account key across config nodes. */
  shared: RuntimeShare;
}

/** The account a node names itself (its `accountName` property, trimmed); '' when none. */
export function namedAccount(property: unknown): string {
  return typeof property === 'string' ? property.trim() : '';
}

/** The account a node uses: the one it names, or the config node's. */
export function accountOf(config: ThingSpaceConfigNode | null | undefined, property: unknown): string {
  return namedAccount(property) || (config?.accountName ?? '');
}

/** The config node, for the account the node names (empty: the config node's), if a user node
 *  can work with it; else a BAD_CONFIG (or the config's own) error. */
export function usableConfig(config: ThingSpaceConfigNode | null | undefined, named?: unknown): UsableConfig {
  if (!config) throw new NodeError('No ThingSpace account (config node) selected', 'BAD_CONFIG');
  if (config.configError) throw config.configError;
  if (!config.api || !config.apiFor) throw new NodeError('The ThingSpace account (config node) has no client', 'BAD_CONFIG');
  const accountName = accountOf(config, named);
  const api = accountName === config.api.accountName ? config.api : config.apiFor(accountName);
  return {
    accountName,
    server: config.server,
    accountKey: accountKey(config.server, accountName),
    api,
    coordinator: config.coordinator,
    sourceFilter: config.sourceFilter,
    activity: config.activity,
    callbackCredentials: () => config.callbackCredentials(),
    shared: config.shared,
  };
}
