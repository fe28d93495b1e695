// An aedes MQTT broker in the test process, for the "SMS to MQTT" example: it records what
// was published so the test can see each SMS arrive on its per-device topic.
import net from 'node:net';

export interface Published {
  topic: string;
  payload: string;
  qos: number;
}

export interface Broker {
  published: Published[];
  close(): Promise<void>;
}

export async function startBroker(port: number): Promise<Broker> {
  // aedes is an ES module; Node 20.19+ and 22 load it with require().
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker();
  const published: Published[] = [];
  aedes.on('publish', (packet, client) => {
    if (client) published.push({ topic: packet.topic, payload: packet.payload.toString(), qos: packet.qos });
  });
  const server = net.createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    published,
    close: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
