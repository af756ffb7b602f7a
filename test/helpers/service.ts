import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningService extends AsyncDisposable {
  /** The GraphQL URL. */
  url: string;
  /** The service's process id. */
  pid: number;
  /** Everything the process printed so far (stdout and stderr). */
  printed(): string;
  /** The `msg` of each log line printed so far (every line is pino JSON; a line that is not throws). */
  messages(): string[];
  /** The exit code once the process has exited, else undefined. */
  exitCode(): number | null | undefined;
  /** Resolves with the exit code when the process exits. */
  exited: Promise<number | null>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns the real service (`src/main.ts`, as `npm start` does) on a free port with its own data
 * folder, and waits until it serves or exits. `cwd`: a copy of the project to run instead. It runs
 * on the legacy API (VOD_API=legacy) unless `env` says otherwise, as most tests were written for
 * it; a variable set to undefined in `env` is not set at all (`VOD_API: undefined`: the default).
 */
export async function startService(
  env: Record<string, string | undefined> = {},
  { cwd }: { cwd?: string } = {},
): Promise<RunningService> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    ...(cwd ? { cwd } : {}),
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'vod-cover-service-')),
      PORT: String(port),
      HOST: '127.0.0.1',
      VOD_API: 'legacy',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  child.stdout.on('data', (chunk) => (printed += chunk));
  child.stderr.on('data', (chunk) => (printed += chunk));
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (c) => {
      code = c;
      resolve(c);
    }),
  );
  // Up once its port answers (its start-up lines are info, which LOG_LEVEL may hide).
  for (let i = 0; i < 150 && code === undefined && !(await answers(port)); i++)
    await new Promise((r) => setTimeout(r, 100));
  async function stop(): Promise<void> {
    if (code === undefined) child.kill('SIGTERM');
    await exited;
  }
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    pid: child.pid!,
    printed: () => printed,
    messages: () => logMessages(printed),
    exitCode: () => code,
    exited,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Whether anything answers HTTP on the port (with ADMIN_PORT, /health is 404 there). */
async function answers(port: number): Promise<boolean> {
  try {
    await (await fetch(`http://127.0.0.1:${port}/health`)).arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** The `msg` of each line of a process's output, every one of which must be pino JSON. */
export function logMessages(printed: string): string[] {
  return printed
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return (JSON.parse(line) as { msg: string }).msg;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}
