/**
 * Shared by the benchmark's server processes: counts what the server's sockets read and answers
 * the parent's `stats` message over IPC, then tells the parent it is ready.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ServerStats {
  /** Bytes read by every socket this server accepted. */
  bytesRead: number;
  /** Requests received. */
  requests: number;
}

export function serveStats(server: Server, url: string): void {
  const sockets = new Set<Socket>();
  let closedBytes = 0;
  let requests = 0;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => {
      closedBytes += socket.bytesRead;
      sockets.delete(socket);
    });
  });
  server.on('request', () => requests++);
  process.on('message', (message: unknown) => {
    // A clean exit, so that --cpu-prof writes its profile.
    if (message === 'exit') process.exit(0);
    if (message === 'stats') {
      let bytesRead = closedBytes;
      for (const socket of sockets) bytesRead += socket.bytesRead;
      process.send?.({ type: 'stats', stats: { bytesRead, requests } satisfies ServerStats });
    }
  });
  process.send?.({ type: 'ready', url });
}
