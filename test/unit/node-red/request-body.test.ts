import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { readRequestBody } from '../../../nodes/lib/node-red/request-body';

function request(body: string, headers: Record<string, string>, extra: Record<string, unknown> = {}): IncomingMessage {
  return Object.assign(Readable.from([Buffer.from(body)]), { headers, ...extra }) as unknown as IncomingMessage;
}

describe('the body of a callback to the own listener (request-body)', () => {
  it('parses JSON and form bodies, and keeps anything else (or JSON that does not parse) as text', async () => {
    assert.deepEqual(await readRequestBody(request('{"a":1}', { 'content-type': 'application/json; charset=utf-8' })), { ok: true, body: { a: 1 } });
    assert.deepEqual(await readRequestBody(request('a=1&b=x', { 'content-type': 'application/x-www-form-urlencoded' })), {
      ok: true,
      body: { a: '1', b: 'x' },
    });
    assert.deepEqual(await readRequestBody(request('{"a":', { 'content-type': 'application/json' })), { ok: true, body: '{"a":' });
    assert.deepEqual(await readRequestBody(request('hello', {})), { ok: true, body: 'hello' });
  });

  it('takes a body a middleware parsed already as it is', async () => {
    assert.deepEqual(await readRequestBody(request('ignored', {}, { _body: true, body: { parsed: true } }) as never), { ok: true, body: { parsed: true } });
  });

  it('refuses a body over 1 MiB with 413, by its declared length or as it arrives', async () => {
    const declared = await readRequestBody(request('x', { 'content-length': String(2 * 1024 * 1024) }));
    assert.equal(declared.ok ? 0 : declared.status, 413);
    const streamed = await readRequestBody(request('x'.repeat(1024 * 1024 + 1), {}));
    assert.equal(streamed.ok ? 0 : streamed.status, 413);
  });
});
