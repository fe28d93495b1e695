// The classification table itself, for statuses and bodies the simulator does not produce.
import assert from 'node:assert/strict';
import { errorFromResponse, errorFromTransport, parseRetryAfter, type Operation } from '../../../nodes/lib/client/classify';

function kindOf(operation: Operation, status: number, body: unknown = '', headers: Record<string, string> = {}): string {
  return errorFromResponse(operation, { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) }).kind;
}

const SESSION = { errorCode: 'UnifiedWebService.REQUEST_FAILED.SessionToken.Expired', errorMessage: 'The Session has expired.' };

describe('classifying ThingSpace answers', () => {
  it('takes any .SessionToken. code for an expired session, whatever the status (docs/thingspace-api.md, "Open questions" 7)', () => {
    for (const status of [400, 403, 500]) assert.equal(kindOf('history', status, SESSION), 'session_expired', String(status));
    assert.equal(kindOf('startCallbacks', 400, { errorCode: 'UnifiedWebService.INPUT_INVALID.SessionToken.Invalid' }), 'session_expired');
  });

  it('takes a 401 or gateway fault 900901/900902 for a refused bearer, on M2M calls and on login', () => {
    assert.equal(kindOf('history', 401), 'bearer_expired');
    assert.equal(kindOf('history', 400, { fault: { code: 900902, message: 'Missing Credentials' } }), 'bearer_expired');
    assert.equal(kindOf('login', 401, { fault: { code: '900901', message: 'Invalid Credentials' } }), 'bearer_expired');
  });

  it('takes a 400 or 401 from the token endpoint for rejected app credentials, keeping the OAuth error', () => {
    const err = errorFromResponse('token', { status: 401, headers: {}, body: JSON.stringify({ error: 'invalid_client' }) });
    assert.equal(err.kind, 'credentials_rejected');
    assert.equal(err.errorCode, 'invalid_client');
    assert.equal(kindOf('token', 400, { error: 'invalid_request' }), 'credentials_rejected');
    assert.equal(kindOf('token', 403), 'bad_response');
  });

  it('takes a 4xx login answer for rejected credentials, but not a 404, 408, 429 or wrong path', () => {
    assert.equal(kindOf('login', 400, { errorCode: 'UnifiedWebService.INPUT_INVALID.Password.Invalid' }), 'credentials_rejected');
    assert.equal(kindOf('login', 403), 'credentials_rejected');
    assert.equal(kindOf('login', 404), 'bad_response');
    assert.equal(kindOf('login', 400, { fault: { code: 900906, message: 'No matching resource' } }), 'bad_response');
    assert.equal(kindOf('login', 408), 'timeout');
    assert.equal(kindOf('login', 429), 'rate_limited');
    assert.equal(kindOf('login', 503), 'server');
  });

  it('takes other M2M 4xx answers for api errors and 3xx or odd 2xx for bad responses', () => {
    assert.equal(kindOf('history', 400, { errorCode: 'UnifiedWebService.REQUEST_FAILED.AccountNotFound' }), 'api');
    assert.equal(kindOf('history', 404, '<html></html>'), 'api');
    assert.equal(kindOf('history', 302), 'bad_response');
  });

  it('writes our own message with the API code, and keeps the API message apart', () => {
    const err = errorFromResponse('login', {
      status: 400,
      headers: {},
      body: JSON.stringify({ errorCode: 'UnifiedWebService.INPUT_INVALID.Password.Invalid', errorMessage: 'nope' }),
    });
    assert.equal(err.message, 'ThingSpace rejected the session login (UnifiedWebService.INPUT_INVALID.Password.Invalid)');
    assert.equal(err.errorMessage, 'nope');
    assert.equal(err.status, 400);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('120'), 120_000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  it('keeps only the code of a transport error, nothing of the request it carries', () => {
    const transportError = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
      config: { headers: { Authorization: 'Basic c2VjcmV0' }, data: '{"password":"hunter2"}' },
    });
    const err = errorFromTransport('history', transportError, undefined, 1000);
    assert.equal(err.kind, 'network');
    assert.ok(!JSON.stringify(err).includes('c2VjcmV0') && !JSON.stringify(err).includes('hunter2'));
    assert.equal(errorFromTransport('history', new Error('x'), 'timeout', 1000).kind, 'timeout');
    assert.equal(errorFromTransport('history', new Error('x'), 'caller', 1000).kind, 'aborted');
  });

  it("classifies a certificate the client cannot trust as 'tls', other TLS failures as 'network'", () => {
    for (const code of [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'CERT_HAS_EXPIRED',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    ]) {
      const err = errorFromTransport('login', Object.assign(new Error(`certificate problem for https://u:pw@host`), { code }), undefined, 1000);
      assert.equal(err.kind, 'tls', code);
      assert.equal(err.code, 'TLS_CERTIFICATE');
      assert.ok(err.message.includes(`(${code})`) && !err.message.includes('pw@'), err.message);
    }
    for (const code of ['ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO', 'ECONNRESET']) {
      assert.equal(errorFromTransport('login', Object.assign(new Error('x'), { code }), undefined, 1000).kind, 'network', code);
    }
  });
});
