import { connect, createServer } from 'node:net';

/** Whether nothing listens on host:port yet (a wildcard listener on the port counts too). */
export function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The first port in `candidates` that every address can listen on. */
export async function firstFreePort(
  addresses: readonly string[],
  candidates: readonly number[],
): Promise<number> {
  for (const port of candidates) {
    const free = await Promise.all(addresses.map((address) => canListen(address, port)));
    if (free.every(Boolean)) return port;
  }
  throw new Error(`none of the ports ${candidates.join(', ')} is free on ${addresses.join(', ')}`);
}

/** Whether something accepts connections on host:port (probing by connecting, never binding). */
export function isListening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
