// unexpected(): the one way an unknown failure becomes a ThingSpaceError.
import assert from 'node:assert/strict';
import { ThingSpaceError, causeStack, unexpected } from '../../../nodes/lib/client/errors';

describe('client/errors: unexpected failures', () => {
  it('makes an unknown error internal (code ERROR), naming the failure, the original kept as cause', () => {
    const bug = new TypeError('x is undefined');
    const err = unexpected(bug, 'deliver', 'Unexpected failure while handing on a block');
    assert.equal(err.kind, 'internal');
    assert.equal(err.code, 'ERROR');
    assert.equal(err.operation, 'deliver');
    assert.equal(err.message, 'Unexpected failure while handing on a block: x is undefined');
    assert.equal(err.cause, bug);
    assert.equal(causeStack(err), bug.stack);
    assert.deepEqual(Object.keys(err.toJSON()).includes('cause'), false);
  });

  it('passes a ThingSpaceError through unchanged', () => {
    const known = new ThingSpaceError({ kind: 'server', message: 'HTTP 503', operation: 'history' });
    assert.equal(unexpected(known, 'history'), known);
    assert.equal(causeStack(known), undefined);
  });

  it('takes a thrown string as its text', () => {
    const err = unexpected('nope', 'consumer');
    assert.equal(err.message, 'Unexpected error: nope');
    assert.equal(err.cause, 'nope');
    assert.equal(causeStack(err), undefined);
  });

  it('never keeps an error that holds a request (an axios error carries its headers) as cause', () => {
    const axiosLike = Object.assign(new Error('socket hang up'), {
      isAxiosError: true,
      config: { headers: { Authorization: 'Bearer live-token', 'VZ-M2M-Token': 'live-session' } },
      request: {},
    });
    const err = unexpected(axiosLike, 'history');
    assert.equal(err.message, 'Unexpected error: socket hang up');
    assert.equal(err.cause, undefined);
    assert.ok(!JSON.stringify(err).includes('live-token'));
  });
});
