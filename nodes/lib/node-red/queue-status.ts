// What sms-queue-in's status line says for each state of its queue consumer.
import type { ConsumerState } from '../consumer/types';
import type { StatusLine } from './status';

/** SMS emitted since deploy, from the queue and from callbacks (push mode). */
export type Counts = { received: number; pushed: number };

// Date.toLocaleTimeString builds a formatter per call (about a millisecond in Node-RED): one
// for the "idle since" of every poll.
const clock = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' });

/** Phases without a line of their own (loading, stopping, standby: the coordinated reader's) leave it as it is. */
export function showConsumerState(line: StatusLine, s: ConsumerState, counts: Counts): void {
  switch (s.phase) {
    case 'polling':
      line.set(() => ({ fill: 'blue', shape: 'dot', text: line.t('polling') }), true);
      break;
    case 'delivering':
      counts.received = s.total;
      line.set(() => ({ fill: 'green', shape: 'dot', text: line.t('received', { count: s.total + counts.pushed }) }), true);
      break;
    case 'waiting-ack':
      line.set(() => ({ fill: 'yellow', shape: 'dot', text: line.t('waitingAck', { count: s.pending }) }), true);
      break;
    case 'idle':
      line.set(() => ({ fill: 'green', shape: 'ring', text: line.t('idle', { since: clock.format(s.since), count: counts.received + counts.pushed }) }));
      break;
    case 'listening':
      line.set(() => ({ fill: 'green', shape: 'ring', text: line.t('listening') }));
      break;
    case 'backing-off': {
      const seconds = Math.ceil(s.inMs / 1000);
      const code = s.error.code;
      // An untrusted certificate is not a network fault: the user has a CA or proxy to fix.
      const text = (): string => (s.error.kind === 'tls' ? line.t('certificateUntrusted', { seconds }) : line.t('retrying', { seconds, code }));
      line.set(() => ({ fill: 'yellow', shape: 'ring', text: text() }));
      break;
    }
    case 'halted':
      if (s.error.kind === 'credentials_rejected') line.rejected(s.error);
      else line.error('errorCode', { code: s.error.code });
      break;
  }
}
