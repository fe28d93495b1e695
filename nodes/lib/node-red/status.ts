// A node's status line: throttled, since a drain changes state twice per block and the editor's status is for people.
import type { Node, NodeStatus } from 'node-red';
import type { ThingSpaceError } from '../client/errors';

type Translate = (key: string, vars?: Record<string, string | number>) => string;

/** A drain of thousands of blocks updates the editor at most this often. */
const STATUS_EVERY_MS = 250;

export class StatusLine {
  private readonly fixed = new Map<string, string>();
  private lastAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private pending: (() => NodeStatus) | undefined;
  private closed = false;

  /** `translate` gets the key under the node's `status.` catalog section, e.g. `sms-queue-in.status.`. Each text is
   *  followed by the `labels` not empty (the account a node names itself, the runtime that reads). */
  constructor(
    private readonly node: Pick<Node, 'status'>,
    private readonly translate: Translate,
    private readonly prefix: string,
    private readonly labels: Array<() => string> = [],
  ) {}

  /** The catalog text of `key`; an i18next lookup costs more than a block's bookkeeping. */
  t(key: string, vars?: Record<string, string | number>): string {
    if (vars) return this.translate(this.prefix + key, vars);
    let text = this.fixed.get(key);
    if (text === undefined) this.fixed.set(key, (text = this.translate(this.prefix + key)));
    return text;
  }

  /** Shows a status now, or (throttled) at most every STATUS_EVERY_MS, the latest winning. */
  set(make: () => NodeStatus, throttle = false): void {
    if (this.closed) return;
    const now = Date.now();
    if (throttle && now - this.lastAt < STATUS_EVERY_MS) {
      this.pending = make;
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        if (this.pending) this.set(this.pending);
      }, STATUS_EVERY_MS);
      return;
    }
    this.pending = undefined;
    this.lastAt = now;
    const shown = make();
    const suffix = this.labels
      .map((l) => l())
      .filter((l) => l !== '')
      .join(' · ');
    this.node.status(suffix && shown.text ? { ...shown, text: `${String(shown.text)} · ${suffix}` } : shown);
  }

  error(key: string, vars?: Record<string, string | number>): void {
    this.set(() => ({ fill: 'red', shape: 'ring', text: this.t(key, vars) }));
  }

  /** Rejected credentials: a refused login names the user and the failed logins recorded. */
  rejected(err: ThingSpaceError | undefined): void {
    if (err?.login) this.error('loginRefused', { user: err.login.user, count: err.login.failedLogins });
    else this.error('credentialsRejected');
  }

  /** Stops the throttle and clears the status: the node is closing. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.node.status({});
  }
}
