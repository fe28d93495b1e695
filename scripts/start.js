#!/usr/bin/env node
'use strict';
// `npm start`: the simulator with a few devices sending SMS (and answering commands), an MQTT
// broker for the MQTT example, and Node-RED (the dev dependency) on 127.0.0.1:1880 with this
// package installed in a git-ignored user dir, the quick-start flow deployed against the
// simulator, and a second tab that sends a command and shows the device's reply. Ctrl-C stops
// everything.
const fs = require('fs');
const path = require('path');
const net = require('net');
const { spawn } = require('child_process');

const root = path.resolve(__dirname, '..');
const userDir = path.join(root, '.node-red');
const pkg = require(path.join(root, 'package.json'));
const EDITOR_PORT = Number(process.env.PORT || 1880);
const SIM_PORT = Number(process.env.SIM_PORT || 8870);
const MQTT_PORT = 1883;
// The command tab reads its own account, so its push-mode sms-queue-in is not a second
// reader of the quick start's queue.
const ACCOUNTS = ['0000123456-00001', '0000123456-00002'];
const SIM_CREDS = { clientId: 'sim-client-id', clientSecret: 'sim-client-secret', username: 'sim-user', password: 'sim-password' };

function log(text) {
  process.stdout.write(`[start] ${text}\n`);
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function main() {
  for (const [port, what] of [
    [EDITOR_PORT, 'Node-RED'],
    [SIM_PORT, 'the simulator'],
  ]) {
    if (!(await portFree(port))) {
      log(`port ${port} (for ${what}) is in use; stop what holds it, or set ${what === 'Node-RED' ? 'PORT' : 'SIM_PORT'}`);
      process.exit(1);
    }
  }

  // The package, installed as a user would have it: a link in the user dir's node_modules.
  const modules = path.join(userDir, 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  const link = path.join(modules, pkg.name);
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(root, link, 'dir');
  fs.writeFileSync(
    path.join(userDir, 'package.json'),
    JSON.stringify({ name: 'node-red-user-dir', private: true, dependencies: { [pkg.name]: `file:${root}` } }, null, 2),
  );

  const sim = `http://127.0.0.1:${SIM_PORT}`;
  // The quick-start example as shipped, with the server pointed at the simulator and a
  // 10 s poll so the demo is lively (the example itself polls every 60 s).
  const example = JSON.parse(fs.readFileSync(path.join(root, 'examples', '01 Quick start - SMS to debug.json'), 'utf8'));
  const creds = {};
  for (const n of example) {
    if (n.type === 'thingspace-config') {
      n.server = sim;
      n.name = 'ThingSpace simulator';
      creds[n.id] = SIM_CREDS;
    }
    if (n.type === 'sms-queue-in') n.interval = '10';
  }
  // The second tab: example 05 on the second account, its listener on this Node-RED.
  const command = JSON.parse(fs.readFileSync(path.join(root, 'examples', '05 Send a command and wait for the reply.json'), 'utf8'));
  const config2 = 'c0a1f00d00000002';
  for (const n of command) {
    if (n.type === 'thingspace-config') {
      Object.assign(n, { id: config2, server: sim, name: 'ThingSpace simulator, account 2', accountName: ACCOUNTS[1] });
      creds[config2] = SIM_CREDS;
    } else if (n.thingspace) {
      n.thingspace = config2;
    }
    if (n.type === 'start-callbacks') n.callbackUrl = `http://127.0.0.1:${EDITOR_PORT}/thingspace/sms`;
  }
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify([...example, ...command], null, 2));
  // Plain-text credentials, for this local demo user dir only (they are the simulator's).
  fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(creds, null, 2));
  fs.writeFileSync(
    path.join(userDir, 'settings.js'),
    `module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${EDITOR_PORT},
  flowFile: 'flows.json',
  credentialSecret: false,
  userDir: ${JSON.stringify(userDir)},
  fileWorkingDirectory: ${JSON.stringify(userDir)},
  contextStorage: { default: { module: 'localfilesystem' } },
  logging: { console: { level: 'info', metrics: false, audit: false } },
  editorTheme: { projects: { enabled: false }, tours: false },
};
`,
  );

  const children = [];
  const stopAll = (code) => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    setTimeout(() => process.exit(code), 500).unref();
  };
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));

  const simProc = spawn(
    process.execPath,
    [
      path.join(root, 'dist', 'simulator', 'cli.js'),
      '--port',
      String(SIM_PORT),
      '--devices',
      '3',
      '--every',
      '5',
      '--accounts',
      ACCOUNTS.join(','),
      '--device-replies',
      'commands',
      '--notice-delay',
      '800',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  children.push(simProc);
  simProc.on('exit', (code) => {
    log(`the simulator exited (${code})`);
    stopAll(1);
  });

  // A local MQTT broker for the "SMS to MQTT" example, when port 1883 is free.
  let broker;
  if (await portFree(MQTT_PORT)) {
    try {
      const { Aedes } = require('aedes');
      const aedes = await Aedes.createBroker();
      broker = net.createServer(aedes.handle);
      broker.listen(MQTT_PORT, '127.0.0.1');
      log(`MQTT broker on mqtt://127.0.0.1:${MQTT_PORT} (for the MQTT example)`);
    } catch (err) {
      log(`no MQTT broker: ${err.message}`);
    }
  }

  const red = spawn(process.execPath, [require.resolve('node-red/red.js'), '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(red);
  red.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (String(chunk).includes('Server now running')) {
      log(`Node-RED editor: http://127.0.0.1:${EDITOR_PORT}/  (simulator: ${sim}, control: ${sim}/_sim/counters)`);
      log('Open the debug sidebar to watch the SMS arrive. Ctrl-C stops everything.');
      log('Tab "command and reply": press STATUS or PING; the delivery outcome and the device\'s reply show in the debug sidebar.');
    }
  });
  red.on('exit', (code) => {
    log(`Node-RED exited (${code})`);
    if (broker) broker.close();
    stopAll(code ?? 0);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
