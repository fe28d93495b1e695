// Glue shared by the three node files: how a failure reaches the status and Catch nodes.
import type { NodeMessage } from 'node-red';
import { ThingSpaceError } from '../client/errors';

/**
 * What a node hands to `node.error(err, msg)`. Node-RED copies an own `code` property of the
 * logged error into `msg.error.code` for Catch nodes (Flow.handleError), and uses
 * `toString()` for `msg.error.message`, so both are own and plain here.
 */
export class NodeError extends Error {
  readonly code: string;

  constructor(message: string, code: string) {
    super(message);
    this.name = 'NodeError';
    this.code = code;
    // No stack: Catch nodes and logs get the message and the code, nothing else to leak.
    this.stack = undefined;
  }

  override toString(): string {
    return this.message;
  }
}

export function toNodeError(err: unknown): NodeError {
  if (err instanceof NodeError) return err;
  if (err instanceof ThingSpaceError) {
    const api = err.errorMessage && !err.message.includes(err.errorMessage) ? `: ${err.errorMessage}` : '';
    return new NodeError(`${err.message}${api}`, err.code);
  }
  // Anything else is a bug of ours; its message is ours too (never an HTTP stack error: the
  // client builds ThingSpaceErrors from scratch).
  const text = err instanceof Error ? err.message : String(err);
  return new NodeError(text, 'ERROR');
}

/** A message for Catch nodes when the failure belongs to no input message (a poll). */
export function errorMessage(accountName: string, operation: string): NodeMessage {
  return { payload: undefined, thingspace: { accountName, operation } };
}

/** Status texts are short: the first 60 characters of a reason. */
export function shortText(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
