// start-callbacks: registers (or confirms) the listeners, then asks ThingSpace to push the queue
// (docs/thingspace-api.md, "startCallbacks").
import { setMaxListeners } from 'node:events';
import type { NodeMessage } from 'node-red';
import { SMS_CALLBACK_SERVICE, SMS_DELIVERY_SERVICE, type CallbackListener } from '../types';
import { ThingSpaceError } from '../client/errors';
import type { UsableConfig } from './config-node';
import { toNodeError } from './report';
import type { StatusLine } from './status';

export class CallbackStarter {
  /** Aborted at close: a run that settles later sends nothing. */
  private readonly closed = new AbortController();
  private readonly onRejected = (err: ThingSpaceError): void => this.status.rejected(err);

  constructor(
    private readonly config: UsableConfig,
    /** Already checked (nodes/lib/client/callback-url.ts); undefined: only start callbacks. */
    private readonly callbackUrl: string | undefined,
    private readonly status: StatusLine,
    /** Checked like callbackUrl; undefined: delivery confirmations of sent SMS are not registered. */
    private readonly deliveryUrl?: string,
  ) {
    setMaxListeners(0, this.closed.signal);
    config.api.on('rejected', this.onRejected);
    if (config.api.credentialsRejected) this.onRejected(config.api.credentialsRejected);
  }

  /** One run for one message: the message goes out with the API's result, or done(err). */
  handle(msg: NodeMessage, send: (m: NodeMessage) => void, done: (err?: Error) => void): void {
    this.run().then(
      (result) => {
        if (this.closed.signal.aborted) return done();
        this.status.set(() => ({ fill: 'green', shape: 'dot', text: this.status.t('started', { time: new Date().toLocaleTimeString() }) }));
        msg.payload = result;
        msg.statusCode = 200;
        send(msg);
        done();
      },
      (err: unknown) => {
        if (err instanceof ThingSpaceError && err.kind === 'aborted') return done();
        const r = toNodeError(err, (e) => this.config.api.unexpected(e, 'startCallbacks'));
        // After a close the status line is closed too: nothing is shown.
        const kind = err instanceof ThingSpaceError ? err.kind : undefined;
        if (kind === 'credentials_rejected') this.status.rejected(err as ThingSpaceError);
        else if (kind === 'tls') this.status.error('certificateUntrusted');
        else this.status.error('failed', { code: r.code });
        done(r);
      },
    );
  }

  close(): void {
    this.config.api.off('rejected', this.onRejected);
    this.closed.abort();
  }

  /** Registers `url` for `serviceName`, unless ThingSpace already has this URL and user for it. */
  private async ensure(listeners: CallbackListener[], serviceName: string, url: string): Promise<void> {
    const creds = this.config.callbackCredentials();
    const current = listeners.find((l) => l.serviceName === serviceName);
    if (current && current.url === url && (current.username ?? undefined) === creds?.username) return;
    await this.config.api.registerCallback(url, creds, { signal: this.closed.signal, serviceName });
  }

  private async run(): Promise<{ success: boolean }> {
    const api = this.config.api;
    const signal = this.closed.signal;
    if (this.callbackUrl || this.deliveryUrl) {
      this.status.set(() => ({ fill: 'blue', shape: 'dot', text: this.status.t('registering') }));
      const listeners = await api.listCallbacks({ signal });
      if (this.callbackUrl) await this.ensure(listeners, SMS_CALLBACK_SERVICE, this.callbackUrl);
      if (this.deliveryUrl) await this.ensure(listeners, SMS_DELIVERY_SERVICE, this.deliveryUrl);
    }
    this.status.set(() => ({ fill: 'blue', shape: 'dot', text: this.status.t('requesting') }));
    return api.startCallbacks({ signal });
  }
}
