// Node-RED 4 (the repository's own dev dependency) on the Node.js running the tests: Node 20
// locally, Node 20 and 22 in the CI matrix.
import { compatibilitySuite } from './installed-package';

const nodeMajor = Number(process.versions.node.split('.')[0]);

compatibilitySuite({ name: 'nr4', nodeRedMajor: 4, nodeMajor, options: () => ({}) });
