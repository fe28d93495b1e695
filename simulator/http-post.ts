// One JSON POST from the simulator to a listener (pushed SMS, delivery notices), on a shared
// keep-alive agent: the status the listener answered, or 'error' for no answer.
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import https from 'node:https';

const POST_TIMEOUT_MS = 10_000;

export class JsonPoster {
  private readonly controller = new AbortController();
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  constructor() {
    // One listener per post in flight, removed when it ends: notices go out many at a time.
    setMaxListeners(0, this.controller.signal);
  }

  post(url: string, body: unknown): Promise<number | 'error'> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve('error');
        return;
      }
      const secure = target.protocol === 'https:';
      const payload = Buffer.from(JSON.stringify(body));
      const req = (secure ? https : http).request(target, {
        method: 'POST',
        agent: secure ? this.agents.https : this.agents.http,
        headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length },
        timeout: POST_TIMEOUT_MS,
        signal: this.controller.signal,
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 'error'));
        res.on('error', () => resolve('error'));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve('error'));
      req.end(payload);
    });
  }

  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  stop(): void {
    this.controller.abort();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
