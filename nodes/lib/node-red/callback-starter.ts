// start-callbacks: registers (or confirms) the listeners, then asks ThingSpace to push the queue
// (docs/thingspace-api.md, "startCallbacks").
import type { NodeMessage } from 'node-red';
import { SMS_CALLBACK_SERVICE, SMS_DELIVERY_SERVICE, type CallbackListener } from '../types';
import { ThingSpaceError } from '../client/errors';
import type { UsableConfig } from './config-node';
import { toNodeError } from './report';
import type { StatusLine } from './status';

export class CallbackStarter {
  private readonly inFlight = new Set<AbortController>();
  private closed = false;
  private readonly onRejected = (err: ThingSpaceError): void => this.status.rejected(err);

  constructor(
    private readonly config: UsableConfig,
    /** Already checked (nodes/lib/client/callback-url.ts); undefined: only start callbacks. */
    private readonly callbackUrl: string | undefined,
    private readonly status: StatusLine,
    /** Checked like callbackUrl; undefined: delivery confirmations of sent SMS are not registered. */
    private readonly deliveryUrl?: string,
  ) {
    config.api.on('rejected', this.onRejected);
    if (config.api.credentialsRejected) this.onRejected(config.api.credentialsRejected);
  }

  /** One run for one message: the message goes out with the API's result, or done(err). */
  handle(msg: NodeMessage, send: (m: NodeMessage) => void, done: (err?: Error) => void): void {
    this.run().then(
      (result) => {
        if (this.closed) return done();
        this.status.set(() => ({ fill: 'green', shape: 'dot', text: this.status.t('started', { time: new Date().toLocaleTimeString() }) }));
        msg.payload = result;
        msg.statusCode = 200;
        send(msg);
        done();
      },
      (err: unknown) => {
        if (err instanceof ThingSpaceError && err.kind === 'aborted') return done();
        const r = toNodeError(err, (e) => this.config.api.unexpected(e, 'startCallbacks'));
        if (!this.closed) {
          const kind = err instanceof ThingSpaceError ? err.kind : undefined;
          if (kind === 'credentials_rejected') this.status.rejected(err as ThingSpaceError);
          else if (kind === 'tls') this.status.error('certificateUntrusted');
          else this.status.error('failed', { code: r.code });
        }
        done(r);
      },
    );
  }

  /** Aborts what is in flight; a run that settles later sends nothing. */
  close(): void {
    this.closed = true;
    this.config.api.off('rejected', this.onRejected);
    for (const a of this.inFlight) a.abort();
  }

  /** Registers `url` for `serviceName`, unless ThingSpace already has this URL and user for it. */
  private async ensure(listeners: CallbackListener[], serviceName: string, url: string, signal: AbortSignal): Promise<void> {
    const creds = this.config.callbackCredentials();
    const current = listeners.find((l) => l.serviceName === serviceName);
    if (current && current.url === url && (current.username ?? undefined) === creds?.username) return;
    await this.config.api.registerCallback(url, creds, { signal, serviceName });
  }

  private async run(): Promise<{ success: boolean }> {
    const api = this.config.api;
    const abort = new AbortController();
    this.inFlight.add(abort);
    try {
      if (this.callbackUrl || this.deliveryUrl) {
        this.status.set(() => ({ fill: 'blue', shape: 'dot', text: this.status.t('registering') }));
        const listeners = await api.listCallbacks({ signal: abort.signal });
        if (this.callbackUrl) await this.ensure(listeners, SMS_CALLBACK_SERVICE, this.callbackUrl, abort.signal);
        if (this.deliveryUrl) await this.ensure(listeners, SMS_DELIVERY_SERVICE, this.deliveryUrl, abort.signal);
      }
      this.status.set(() => ({ fill: 'blue', shape: 'dot', text: this.status.t('requesting') }));
      return await api.startCallbacks({ signal: abort.signal });
    } finally {
      this.inFlight.delete(abort);
    }
  }
}
