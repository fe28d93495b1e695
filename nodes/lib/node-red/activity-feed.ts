// What the editor's "ThingSpace SMS" sidebar tab (nodes/thingspace-config.html) reads: each
// account's activity in this runtime, on an admin route for the first load and over RED.comms
// while it changes, at most once a second.
import type { NodeAPI } from 'node-red';
import type { Activity, AccountActivity } from './activity';

export const ACTIVITY_TOPIC = 'thingspace-sms/activity';
const PUBLISH_EVERY_MS = 1000;

/** `at`: the runtime's clock, so the editor says "5 s ago" right whatever the browser's clock says. */
export interface ActivitySnapshot {
  at: number;
  accounts: AccountActivity[];
}

export function activityFeed(RED: NodeAPI, board: Activity): void {
  const snapshot = (): ActivitySnapshot => ({ at: Date.now(), accounts: board.list() });
  RED.httpAdmin.get('/thingspace-sms/activity', RED.auth.needsPermission('thingspace-sms.read'), (_req, res) => {
    res.json(snapshot());
  });
  let timer: NodeJS.Timeout | undefined;
  let last = 0;
  board.onChange = () => {
    timer ??= setTimeout(
      () => {
        timer = undefined;
        last = Date.now();
        // Retained: an editor that connects later gets the last state with its subscription.
        RED.comms.publish(ACTIVITY_TOPIC, snapshot(), true);
      },
      Math.max(0, last + PUBLISH_EVERY_MS - Date.now()),
    );
  };
}
