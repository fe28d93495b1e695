// The `_msgid`s sms-queue-in gives the messages of a block (nodes/lib/node-red/message-ids.ts).
import assert from 'node:assert/strict';
import { MessageIds } from '../../../nodes/lib/node-red/message-ids';

describe('message ids for a block', () => {
  it('are 16 lower-case hex characters, as Node-RED makes them', () => {
    const ids = new MessageIds();
    ids.reserve(100);
    for (let i = 0; i < 250; i++) assert.match(ids.id(), /^[0-9a-f]{16}$/);
  });

  it('never repeat: 200,000 ids over blocks of 100, with and without a reservation', () => {
    const ids = new MessageIds();
    const seen = new Set<string>();
    for (let block = 0; block < 2000; block++) {
      if (block % 3 !== 0) ids.reserve(100);
      for (let i = 0; i < 100; i++) seen.add(ids.id());
    }
    assert.equal(seen.size, 200_000);
  });

  it('a reservation keeps what is left when it suffices, and makes fresh ones when not', () => {
    const ids = new MessageIds();
    ids.reserve(3);
    const first = ids.id();
    ids.reserve(2); // two are left: nothing new is made
    const second = ids.id();
    ids.reserve(5); // one is left: a fresh batch
    const third = ids.id();
    assert.equal(new Set([first, second, third]).size, 3);
  });
});
