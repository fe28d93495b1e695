// Every history request, with who sent it (the session, as a number: never the token) and
// when it began and ended, so a test can see which reader asked what and when, e.g. that a
// runtime paused past its lease sent no `next` afterwards. The most recent 20,000 are kept.
import type { ServerResponse } from 'node:http';

export interface HistoryRecord {
  account: string;
  /** 1 for the first session token seen, 2 for the next, ...; 0 without one. */
  session: number;
  /** The request carried a `next`. */
  next: boolean;
  /** ms since the epoch. */
  start: number;
  /** Undefined while in flight. */
  end?: number;
  /** The HTTP status answered (undefined while in flight, or when the socket was cut). */
  status?: number;
  /** How many SMS the answer carried (a history answer's body; undefined for a fault). */
  messages?: number;
}

const KEEP = 20_000;

export class HistoryLog {
  private readonly records: HistoryRecord[] = [];
  private readonly sessions = new Map<string, number>();

  record(account: string, sessionHeader: string | string[] | undefined, next: boolean, res: ServerResponse): HistoryRecord {
    const token = Array.isArray(sessionHeader) ? sessionHeader[0] : sessionHeader;
    let session = 0;
    if (token) {
      session = this.sessions.get(token) ?? this.sessions.size + 1;
      this.sessions.set(token, session);
    }
    const rec: HistoryRecord = { account, session, next, start: Date.now() };
    this.records.push(rec);
    if (this.records.length > KEEP) this.records.splice(0, this.records.length - KEEP);
    res.once('close', () => {
      rec.end = Date.now();
      if (res.headersSent) rec.status = res.statusCode;
    });
    return rec;
  }

  list(account?: string): HistoryRecord[] {
    return this.records.filter((r) => account === undefined || r.account === account);
  }
}
