// Glue shared by the three node files: how a failure reaches the status and Catch nodes.
import type { NodeMessage } from 'node-red';
import { unexpected as internal, type ThingSpaceError } from '../client/errors';

/** What a node hands to `node.error(err, msg)`: Node-RED copies an own `code` into `msg.error.code` for Catch
 *  nodes and uses `toString()` for `msg.error.message`, so both are own and plain here. */
export class NodeError extends Error {
  readonly code: string;

  constructor(message: string, code: string) {
    super(message);
    this.name = 'NodeError';
    this.code = code;
    // Its own stack says nothing; an unexpected failure's goes to the debug log, masked (ThingSpaceClient.unexpected).
    this.stack = undefined;
  }

  override toString(): string {
    return this.message;
  }
}

/** A BAD_CONFIG error, for a property a node cannot work with. */
export function configError(message: string): NodeError {
  return new NodeError(message, 'BAD_CONFIG');
}

/** `unexpected`: the client's (ThingSpaceClient.unexpected), which masks secrets and logs the stack; else errors.ts's. */
export function toNodeError(err: unknown, unexpected: (err: unknown) => ThingSpaceError = (e) => internal(e, 'node')): NodeError {
  if (err instanceof NodeError) return err;
  const e = unexpected(err);
  const api = e.errorMessage && !e.message.includes(e.errorMessage) ? `: ${e.errorMessage}` : '';
  return new NodeError(`${e.message}${api}`, e.code);
}

/** A message for Catch nodes when the failure belongs to no input message (a poll). */
export function errorMessage(accountName: string, operation: string): NodeMessage {
  return { payload: undefined, thingspace: { accountName, operation } };
}

/** Status texts are short: the first 60 characters of a reason. */
export function shortText(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
