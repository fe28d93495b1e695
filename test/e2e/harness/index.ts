// The end-to-end harness: pack + install, Node-RED and the simulator as processes, flows.
export * from './paths';
export * from './pack';
export * from './node-red';
export * from './simulator-process';
export * from './flows';
