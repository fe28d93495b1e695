// The `_msgid`s sms-queue-in gives the messages it emits (nodes/lib/node-red/message-ids.ts).
import assert from 'node:assert/strict';
import { MessageIds } from '../../../nodes/lib/node-red/message-ids';

describe('message ids of sms-queue-in', () => {
  it('are 16 lower-case hex characters, as Node-RED makes them', () => {
    const ids = new MessageIds();
    for (let i = 0; i < 1000; i++) assert.match(ids.id(), /^[0-9a-f]{16}$/);
  });

  it('never repeat within a node, also past the 65,536 ids one draw of randomness serves', () => {
    const ids = new MessageIds();
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++) seen.add(ids.id());
    assert.equal(seen.size, 200_000);
    const prefixes = new Set([...seen].map((id) => id.slice(0, 12)));
    assert.equal(prefixes.size, 4, 'a fresh draw every 65,536 ids');
  });

  it('differ between nodes: each draws its own randomness', () => {
    const a = new MessageIds();
    const b = new MessageIds();
    assert.notEqual(a.id().slice(0, 12), b.id().slice(0, 12));
  });
});
