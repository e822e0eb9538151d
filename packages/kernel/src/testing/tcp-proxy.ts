import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real service, so a test can take the service away from the code under
 * test (cut every connection, refuse new ones) without stopping the server other suites share.
 */
export interface TcpProxy {
  /** 127.0.0.1 port the code under test connects to. */
  readonly port: number;
  /** Connections refused since start: proof that a client tried to reconnect during a cut. */
  readonly refused: number;
  /** Replaces host:port in a URL with the proxy's. */
  url(target: string): string;
  /** Destroys every proxied connection and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  let refused = 0;
  const server: Server = createServer((client) => {
    if (down) {
      refused++;
      client.destroy();
      return;
    }
    const upstream = createConnection(target);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no TCP address');
  const port = address.port;
  const cut = () => {
    down = true;
    for (const socket of sockets) socket.destroy();
  };
  return {
    port,
    get refused() {
      return refused;
    },
    url(value) {
      const parsed = new URL(value);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    cut,
    restore() {
      down = false;
    },
    close() {
      cut();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
