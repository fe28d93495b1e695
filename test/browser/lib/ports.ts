// Fixed ports the examples name (1880 for the push-mode callback URL, 1883 for the MQTT
// broker): used when free, never taken from someone else.
import net from 'node:net';

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
