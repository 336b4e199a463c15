/**
 * A TCP proxy on loopback that can cut every connection on demand, to test uploads over a flaky network.
 * Counts the bytes it forwarded from clients, so tests can tell how much was sent again after a cut.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface CuttingProxy {
  url: string;
  /** Bytes received from clients so far. */
  bytesFromClients(): number;
  /** Destroy every open connection now (both directions). */
  cutAll(): number;
  close(): Promise<void>;
}

export async function startCuttingProxy(target: { host: string; port: number }): Promise<CuttingProxy> {
  const open = new Set<Socket>();
  let fromClients = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    client.on('data', (chunk: Buffer) => {
      fromClients += chunk.length;
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (chunk: Buffer) => {
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    bytesFromClients: () => fromClients,
    cutAll: () => {
      const n = open.size;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
      return n;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
