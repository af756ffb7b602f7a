/**
 * The replica soak: uploads through HAProxy to N replicas sharing PostgreSQL, one replica killed
 * with SIGKILL in the middle; clients send again what got no answer or a canRetry one, as a client
 * should. Then every upload is accounted for from the shared ledger: a success without its record
 * is lost, two records of the same upload are a duplicate. Every upload has a twin sent at the
 * same moment (the exactly-once case across replicas), with the same Idempotency-Key.
 */
import { imageVariant, images, sha1 } from '../fixtures/images.js';
import { sendUpload } from '../helpers/multipart.js';
import { queryRows } from '../../support/postgres.js';
import { startReplicaCluster, type ReplicaClusterOptions } from './replica-cluster.js';

export interface ReplicaSoakOptions extends ReplicaClusterOptions {
  /** Distinct uploads (each sent twice at once). */
  uploads: number;
  concurrency: number;
  /** Kill one replica (SIGKILL) once this many uploads have started. @default uploads / 3 */
  killAfter?: number;
}

export interface ReplicaSoakTally {
  uploads: number;
  replicas: number;
  killed: string;
  succeeded: number;
  retriedRequests: number;
  lost: number;
  duplicated: number;
  unexplained: string[];
  vodCalls: number;
  ledgerRecords: number;
  seconds: number;
}

/** A patient client: up to 12 tries, waiting 100 ms doubling to 2 s between them (about 15 s in all). */
const RETRY_LIMIT = 12;

export async function runReplicaSoak(options: ReplicaSoakOptions): Promise<ReplicaSoakTally> {
  const { uploads, concurrency, killAfter = Math.floor(uploads / 3) } = options;
  const cluster = await startReplicaCluster(options);
  try {
    const victim = cluster.replicas[0]!;
    const started = performance.now();
    let retriedRequests = 0;
    const jobs = Array.from({ length: uploads }, (_, i) => {
      const bytes = imageVariant(images.png, i);
      // One Idempotency-Key per upload, sent by both its clients and with every retry, as a client
      // that sends an upload again after a lost answer should.
      return {
        videoFileId: `replica-video-${i % 37}`,
        bytes,
        sha1: sha1(bytes),
        key: `replica-soak-${i}`,
        results: [] as Record<string, unknown>[],
        failures: [] as string[],
      };
    });

    /** One client: sends until it gets a final answer (a success, or an error it must not retry). */
    async function client(job: (typeof jobs)[number]): Promise<void> {
      for (let attempt = 1; attempt <= RETRY_LIMIT; attempt++) {
        if (attempt > 1) {
          retriedRequests++;
          await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** (attempt - 2), 2000)));
        }
        try {
          const answer = await sendUpload(cluster.url, {
            bytes: job.bytes,
            filename: 'cover.png',
            fileId: job.videoFileId,
            headers: { 'x-graphql-yoga-csrf': '1', 'idempotency-key': `"${job.key}"` },
          });
          const result = answer.body.data?.uploadVideoCover as Record<string, unknown> | undefined;
          if (!result) {
            job.failures.push(`${answer.status} ${JSON.stringify(answer.body).slice(0, 120)}`);
            continue;
          }
          if (result['__typename'] === 'UploadVideoCoverError' && result['canRetry'] === true) {
            job.failures.push(`${String(result['reason'])} ${String(result['code'])}`);
            continue;
          }
          job.results.push(result);
          return;
        } catch (error) {
          job.failures.push(String((error as Error).cause ?? error).slice(0, 120));
        }
      }
    }

    let next = 0;
    let killed = false;
    async function worker(): Promise<void> {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        if (!killed && next >= killAfter) {
          killed = true;
          victim.kill();
        }
        // The twin: the same upload from a second client at the same moment.
        await Promise.all([client(job), client(job)]);
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;

    const records = await queryRows<{ video_file_id: string; sha1: string; url: string; n: number }>(
      cluster.databaseUrl,
      'SELECT video_file_id, sha1, min(url) AS url, count(*)::int AS n FROM cover_uploads GROUP BY video_file_id, sha1',
    );
    const recordOf = new Map(records.map((r) => [`${r.video_file_id}\n${r.sha1}`, r]));
    const tally: ReplicaSoakTally = {
      uploads,
      replicas: cluster.replicas.length,
      killed: victim.name,
      succeeded: 0,
      retriedRequests,
      lost: 0,
      duplicated: records.filter((r) => r.n > 1).length,
      unexplained: [],
      vodCalls: cluster.emulator.callCount,
      ledgerRecords: records.reduce((sum, r) => sum + r.n, 0),
      seconds,
    };
    for (const job of jobs) {
      const key = `${job.videoFileId}\n${job.sha1}`;
      if (job.results.length < 2) {
        tally.unexplained.push(
          `${key}: ${2 - job.results.length} client(s) got no final answer in ${RETRY_LIMIT} tries (${job.failures.slice(-3).join('; ')})`,
        );
      }
      for (const result of job.results) {
        if (result['__typename'] !== 'UploadVideoCoverSuccess') {
          tally.unexplained.push(`${key}: ${JSON.stringify(result)}`);
          continue;
        }
        tally.succeeded++;
        const record = recordOf.get(key);
        if (!record || record.url !== result['url'] || result['sha1'] !== job.sha1) {
          tally.lost++;
          tally.unexplained.push(
            `${key}: answered success, but the ledger has ${record ? `url ${record.url}` : 'no record'}`,
          );
        }
      }
    }
    return tally;
  } finally {
    await cluster.close();
  }
}

export function formatReplicaTally(t: ReplicaSoakTally): string {
  return [
    `replica soak: ${t.uploads} uploads × 2 clients through HAProxy to ${t.replicas} replicas on PostgreSQL in ${t.seconds.toFixed(1)} s; ${t.killed} killed (SIGKILL) a third of the way`,
    `  succeeded ${t.succeeded} of ${t.uploads * 2} client uploads; requests sent again after no answer or a canRetry one: ${t.retriedRequests}`,
    `  VOD calls ${t.vodCalls}; ledger records ${t.ledgerRecords}`,
    `  lost ${t.lost}, duplicated ${t.duplicated}, unexplained ${t.unexplained.length}`,
    ...t.unexplained.slice(0, 10).map((u) => `  unexplained: ${u}`),
  ].join('\n');
}
