// What the node files see of a `thingspace-config` node (nodes/thingspace-config.ts), and
// the check every user node makes of it at deploy.
import type { Node } from 'node-red';
import type { ThingSpaceClient } from '../client/thingspace-client';
import type { Coordinator } from '../coordination/coordinator';
import type { ThingSpaceError } from '../client/errors';
import type { CallbackCredentials } from '../message/callback-body';
import { ReportedError } from './report';
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
  /** The shared client, or undefined when the configuration is unusable (see `configError`).
   *  It emits 'rejected' once ThingSpace rejected the credentials. */
  api?: ThingSpaceClient;
  configError?: ThingSpaceError;
  callbackCredentials(): CallbackCredentials | undefined;
  /** The allow-list of callback sources (undefined in a runtime that predates it: no check). */
  sourceFilter?: SourceFilter;
  /** Set when the config node's coordination is Redis (docs/architecture.md, "Coordination"). */
  coordinator?: Coordinator;
}

export type UsableConfig = ThingSpaceConfigNode & { api: ThingSpaceClient };

/** The config node if a user node can work with it; else a BAD_CONFIG (or the config's own) error. */
export function usableConfig(config: ThingSpaceConfigNode | null | undefined): UsableConfig {
  if (!config) throw new ReportedError('No ThingSpace account (config node) selected', 'BAD_CONFIG');
  if (config.configError) throw config.configError;
  if (!config.api) throw new ReportedError('The ThingSpace account (config node) has no client', 'BAD_CONFIG');
  return config as UsableConfig;
}
