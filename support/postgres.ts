import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import pg from 'pg';

/** A database of its own for one test file, created on the machine's server and dropped after. */
export async function createTestDatabase(
  adminUrl: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `vod_cover_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    // WITH (FORCE): connections a killed replica left behind must not keep it alive.
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Runs one query on `url` and gives its rows. */
export async function queryRows<R extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * A TCP proxy to PostgreSQL that a test can cut (every connection dropped, new ones refused) and
 * restore: the database "lost while running" without stopping the machine's server. Or freeze:
 * every connection, open or new, stays open but nothing is forwarded either way (what arrives is
 * dropped, as on a network that loses packets without a reset), until `thaw()`.
 */
export async function startCuttableProxy(target: { host: string; port: number }): Promise<{
  port: number;
  url(database: string): string;
  cut(): void;
  restore(): void;
  freeze(): void;
  thaw(): void;
  /** Connections the client side (the gateway's pool) has closed so far, and how many are open. */
  connections(): { closedByClient: number; open: number };
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  const clients = new Set<Socket>();
  let open = true;
  let frozen = false;
  let closedByClient = 0;
  const server: Server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    clients.add(client);
    // The pool closing its side: an end, or a reset while the upstream is still there.
    client.on('close', () => {
      clients.delete(client);
      if (!upstream.destroyed && open) closedByClient++;
    });
    client.on('data', (chunk) => frozen || upstream.write(chunk));
    upstream.on('data', (chunk) => frozen || client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      open = true;
    },
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
    },
    connections: () => ({ closedByClient, open: clients.size }),
    close: () =>
      new Promise<void>((resolve) => {
        open = false;
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
