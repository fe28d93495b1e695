// `bench-gen`: the runtime alone. A tiny node, installed into the bench user dir, that sends
// ready-made messages of the same shape as sms-queue-in's (payload, topic, deviceIds, device,
// timestamp, thingspace) in blocks, one block per turn of the event loop, as sms-queue-in
// does once per HTTP answer, each message sent on its own (no clone). It parses nothing,
// dedupes nothing, asks no server: what it costs is what the runtime and the downstream
// node cost.
import fs from 'node:fs';
import path from 'node:path';

const JS = `module.exports = function (RED) {
  function BenchGen(def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const count = Number(def.count) || 0;
    const block = Number(def.block) || 100;
    let stopped = false;
    node.on('input', function (_msg, _send, done) {
      let sent = 0;
      let blockNo = 0;
      const next = () => {
        if (stopped || sent >= count) return;
        const n = Math.min(block, count - sent);
        const msgs = new Array(n);
        const id = 'gen-' + (++blockNo);
        for (let i = 0; i < n; i++) {
          const k = sent + i;
          const mdn = '1555123' + String(k % 1000).padStart(4, '0');
          msgs[i] = {
            payload: 'T=21.4C BAT=88 seq=' + (k % 1000) + ' n=' + k,
            topic: 'thingspace/0000123456-00001/sms/' + mdn,
            deviceIds: [{ kind: 'mdn', id: mdn }, { kind: 'imei', id: '356938035' + String(k % 1000000).padStart(6, '0') }],
            device: { mdn: mdn, imei: '356938035' + String(k % 1000000).padStart(6, '0') },
            timestamp: '2024-05-02T16:15:07.000Z',
            thingspace: { accountName: '0000123456-00001', source: 'queue', block: id, index: i, key: '0123456789abcdef' },
          };
        }
        sent += n;
        // One send per message: node.send([msgs]) would have the runtime deep-clone all but
        // the first (Node.prototype.send), a cost no node needs for messages it built itself.
        for (let i = 0; i < n; i++) node.send(msgs[i]);
        setImmediate(next);
      };
      next();
      done();
    });
    node.on('close', function () { stopped = true; });
  }
  RED.nodes.registerType('bench-gen', BenchGen);
};
`;

const HTML = `<script type="text/javascript">
RED.nodes.registerType('bench-gen', { category: 'function', color: '#ddd', defaults: { count: { value: 1000 }, block: { value: 100 } }, inputs: 1, outputs: 1, label: 'bench-gen' });
</script>
<script type="text/html" data-template-name="bench-gen"></script>
`;

/** Writes the node into `<userDir>/nodes/`, where Node-RED loads local nodes from. */
export function installGenerator(userDir: string): void {
  const dir = path.join(userDir, 'nodes');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'bench-gen.js'), JS);
  fs.writeFileSync(path.join(dir, 'bench-gen.html'), HTML);
}
