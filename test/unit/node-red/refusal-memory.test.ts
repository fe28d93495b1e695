// The memory of refused logins: the file in the user directory (no password in it, a corrupt
// or unwritable file said in the log, never a crash) and the memory over it and a shared
// (Redis) record, here an in-memory stand-in for Redis's get/set/delete.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LoginMemory, type RemoteRefusals } from '../../../nodes/lib/node-red/login-memory';
import { REFUSALS_FILE, RefusalFile } from '../../../nodes/lib/node-red/refusal-file';

const SERVER = 'https://thingspace.example';

describe('the memory of refused logins', function () {
  // scrypt takes tens of milliseconds per hash, more on a loaded machine.
  this.timeout(10_000);
  let dir: string;
  let warnings: string[];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-refusals-'));
    warnings = [];
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const memory = (remote?: RemoteRefusals): LoginMemory => new LoginMemory(new RefusalFile(dir, (t) => warnings.push(t)), remote, (t) => warnings.push(t));

  it('keeps a refusal across a restart (a new memory on the same directory), with no password in the file', async () => {
    const first = memory();
    assert.equal(await first.refused(SERVER, 'alice', 'Secret-Pass-1'), undefined);
    const r = await first.recordRefusal(SERVER, 'alice', 'Secret-Pass-1');
    assert.deepEqual([r.user, r.failedLogins], ['alice', 1]);
    const text = fs.readFileSync(path.join(dir, REFUSALS_FILE), 'utf8');
    assert.ok(!text.includes('Secret-Pass-1'), 'no password in the file');
    assert.ok(!text.includes(Buffer.from('Secret-Pass-1').toString('base64')), 'nor its base64');
    assert.equal((fs.statSync(path.join(dir, REFUSALS_FILE)).mode & 0o777).toString(8), '600');

    const restarted = memory();
    const known = await restarted.refused(SERVER, 'alice', 'Secret-Pass-1');
    assert.deepEqual([known?.user, known?.failedLogins, known?.at], ['alice', 1, r.at]);
    assert.equal(await restarted.refused(SERVER, 'bob', 'Secret-Pass-1'), undefined, 'another user');
    assert.equal(await restarted.refused('https://other.example', 'alice', 'Secret-Pass-1'), undefined, 'another server');
    assert.deepEqual(warnings, []);
  });

  it('a changed password is not on record (tried once); its refusal counts on; a success clears the user', async () => {
    const m = memory();
    await m.recordRefusal(SERVER, 'alice', 'old');
    assert.equal(await m.refused(SERVER, 'alice', 'new'), undefined);
    assert.equal((await m.recordRefusal(SERVER, 'alice', 'new')).failedLogins, 2);
    assert.equal((await m.refused(SERVER, 'alice', 'old'))?.failedLogins, 2, 'the first refused password stays refused');
    await m.recordSuccess(SERVER, 'alice');
    assert.equal(await m.refused(SERVER, 'alice', 'old'), undefined);
    assert.equal((await memory().recordRefusal(SERVER, 'alice', 'old')).failedLogins, 1, 'counted from 0 after a success');
  });

  it('a corrupt file is said in the log and replaced; nothing crashes', async () => {
    fs.writeFileSync(path.join(dir, REFUSALS_FILE), '{"users": [1, 2');
    const m = memory();
    assert.equal(await m.refused(SERVER, 'alice', 'x'), undefined);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /is not a valid memory of refused logins .*starting with an empty memory/);
    await m.recordRefusal(SERVER, 'alice', 'x');
    assert.ok(await memory().refused(SERVER, 'alice', 'x'), 'the file was rewritten whole');
  });

  it('an unusable user directory is said once in the log; the refusal is still remembered until Node-RED stops', async () => {
    // A file where the directory should be: unusable even for root (the tests may run as root).
    const notADir = path.join(dir, 'not-a-dir');
    fs.writeFileSync(notADir, '');
    const m = new LoginMemory(new RefusalFile(notADir, (t) => warnings.push(t)), undefined, (t) => warnings.push(t));
    await m.recordRefusal(SERVER, 'alice', 'x');
    await m.recordRefusal(SERVER, 'bob', 'y');
    assert.deepEqual(
      warnings.map((w) => w.split(' (')[0]),
      [`Cannot read ${path.join(notADir, REFUSALS_FILE)}`, `Cannot write ${path.join(notADir, REFUSALS_FILE)}`],
      warnings.join('\n'),
    );
    assert.match(warnings[1], /ENOTDIR.*remembered only until Node-RED stops/);
    assert.ok(await m.refused(SERVER, 'alice', 'x'));
    assert.equal(fs.readFileSync(notADir, 'utf8'), '');
  });

  it('with a shared record: a refusal another replica recorded counts, and a shared store that fails falls back to the file', async () => {
    const shared = new Map<string, string>();
    let down = false;
    const remote: RemoteRefusals = {
      get: async (s, u) => {
        if (down) throw new Error('Redis at 127.0.0.1:6379: connection refused');
        return shared.get(`${s}|${u}`);
      },
      set: async (s, u, t) => void shared.set(`${s}|${u}`, t),
      delete: async (s, u) => void shared.delete(`${s}|${u}`),
    };
    const replicaA = memory(remote);
    await replicaA.recordRefusal(SERVER, 'alice', 'x');
    assert.ok(![...shared.values()].some((t) => t.includes('"x"')), 'no password in the shared record');
    // Replica B: its own (empty) directory, the same shared record.
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-refusals-b-'));
    try {
      const replicaB = new LoginMemory(new RefusalFile(otherDir, (t) => warnings.push(t)), remote, (t) => warnings.push(t));
      assert.equal((await replicaB.refused(SERVER, 'alice', 'x'))?.failedLogins, 1);
      assert.equal((await replicaB.recordRefusal(SERVER, 'alice', 'y')).failedLogins, 2, 'counted on from the shared record');
      down = true;
      assert.equal((await replicaB.refused(SERVER, 'alice', 'y'))?.failedLogins, 2, 'its own file still answers');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /Could not read the refused logins shared through Redis \(Redis at 127\.0\.0\.1:6379: connection refused\)/);
    } finally {
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
