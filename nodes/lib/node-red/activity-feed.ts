// What the editor's "ThingSpace SMS" sidebar tab (nodes/thingspace-config.html) reads: each
// account's activity in this runtime, on an admin route for the first load and over RED.comms
// while it changes, at most once a second.
import type { NodeAPI } from 'node-red';
import type { ActivityBoard, AccountActivity } from './activity';

export const ACTIVITY_TOPIC = 'thingspace-sms/activity';
export const ACTIVITY_ROUTE = '/thingspace-sms/activity';
const PUBLISH_EVERY_MS = 1000;

/** `at`: the runtime's clock, so the editor shows "5 s ago" right whatever the browser's clock says. */
export interface ActivitySnapshot {
  at: number;
  accounts: AccountActivity[];
}

/**
 * Registers the admin route and returns `attach`, which each config node calls while it exists:
 * the board is watched only while one does, so a runtime (or a test) that loads the nodes again
 * leaves no listener behind.
 */
export function activityFeed(RED: NodeAPI, board: ActivityBoard): () => () => void {
  const snapshot = (): ActivitySnapshot => ({ at: Date.now(), accounts: board.list() });
  RED.httpAdmin.get(ACTIVITY_ROUTE, RED.auth.needsPermission('thingspace-sms.read'), (_req, res) => {
    res.json(snapshot());
  });

  let users = 0;
  let unsubscribe: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let last = 0;
  const publish = (): void => {
    timer = undefined;
    last = Date.now();
    // Retained: an editor that connects later gets the last state with its subscription.
    RED.comms.publish(ACTIVITY_TOPIC, snapshot(), true);
  };
  const changed = (): void => {
    timer ??= setTimeout(publish, Math.max(0, last + PUBLISH_EVERY_MS - Date.now()));
  };

  return () => {
    if (users++ === 0) unsubscribe = board.onChange(changed);
    changed();
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      if (--users > 0) return;
      unsubscribe?.();
      clearTimeout(timer);
      publish();
    };
  };
}
