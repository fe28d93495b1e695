// Node-RED 5 on Node.js 22, both installed from the npm registry into .e2e/nr5/ (cached).
import { compatibilitySuite } from './installed-package';
import { nodeRed5 } from './node-red-5';

compatibilitySuite({
  name: 'nr5',
  nodeRedMajor: 5,
  nodeMajor: 22,
  options: () => {
    const { nodeBinary, redJs } = nodeRed5();
    return { nodeBinary, redJs };
  },
});
