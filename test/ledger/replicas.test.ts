/**
 * Three replicas of the real service sharing the machine's PostgreSQL (a database of their own)
 * and one VOD emulator, behind HAProxy in round-robin, with a real Hive Gateway in front of it
 * composed with the videos subgraph. Skipped, saying why, without PostgreSQL or HAProxy (under
 * CI=true PostgreSQL must be there; HAProxy is installed by scripts/ensure-haproxy.sh).
 */
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UploadVideoCoverDocument } from '../generated/graphql.js';
import { images, sha1 } from '../fixtures/images.js';
import { resultOf, sendUpload, uploadForm } from '../helpers/multipart.js';
import { queryRows } from '../../support/postgres.js';
import { VIDEOS_SDL, composeSupergraph, startHiveGateway, startVideosSubgraph } from '../helpers/supergraph.js';
import { formatReplicaTally, runReplicaSoak } from '../soak/run-replica-soak.js';
import { startReplicaCluster, type ReplicaCluster } from '../soak/replica-cluster.js';

const postgres = inject('postgres');
const haproxy = inject('haproxy');
const missing = 'missing' in postgres ? postgres.missing : 'missing' in haproxy ? haproxy.missing : undefined;

describe.skipIf(missing !== undefined)('three replicas on PostgreSQL behind HAProxy and Hive Gateway', () => {
  const adminUrl = 'adminUrl' in postgres ? postgres.adminUrl : '';
  const haproxyPath = 'path' in haproxy ? haproxy.path : 'haproxy';
  let cluster: ReplicaCluster;
  let videos: Awaited<ReturnType<typeof startVideosSubgraph>>;
  let hive: Awaited<ReturnType<typeof startHiveGateway>>;
  beforeAll(async () => {
    cluster = await startReplicaCluster({ replicas: 3, adminUrl, haproxy: haproxyPath });
    videos = await startVideosSubgraph();
    const { printGatewaySchema } = await import('../../src/schema/index.js');
    const composed = composeSupergraph({
      covers: { sdl: printGatewaySchema(), url: cluster.url },
      videos: { sdl: VIDEOS_SDL, url: videos.url },
    });
    if (!composed.ok) throw new Error(composed.errors.join('\n'));
    hive = await startHiveGateway(composed.supergraphSdl);
  }, 60_000);
  afterAll(async () => {
    await hive?.close();
    await videos?.close();
    await cluster?.close();
  }, 30_000);

  it('makes one VOD call and one ledger record for 50 identical uploads at once, and every caller gets the same answer', async () => {
    cluster.emulator.reset();
    const query = print(UploadVideoCoverDocument);
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const res = await fetch(hive.url, {
          method: 'POST',
          body: uploadForm({ bytes: images.webp, filename: 'fifty.webp', fileId: 'fifty-video', query }),
          headers: { 'x-graphql-yoga-csrf': '1' },
        });
        return ((await res.json()) as { data: { uploadVideoCover: Record<string, unknown> } }).data.uploadVideoCover;
      }),
    );
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toMatchObject({ __typename: 'UploadVideoCoverSuccess', sha1: sha1(images.webp) });
    expect(cluster.emulator.callCount).toBe(1);
    expect(
      await queryRows(
        cluster.databaseUrl,
        "SELECT count(*)::int AS n FROM cover_uploads WHERE video_file_id = 'fifty-video'",
      ),
    ).toEqual([{ n: 1 }]);
  });

  it('serves a cover uploaded through one replica from every replica, joined with the videos subgraph', async () => {
    const uploaded = resultOf(
      await sendUpload(cluster.replicas[1]!.url, { bytes: images.png, filename: 'joined.png', fileId: 'joined-video' }),
    ) as { url: string };
    // Round-robin: six queries reach each of the three replicas twice.
    for (let i = 0; i < 6; i++) {
      const res = await fetch(hive.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ video(fileId: "joined-video") { title cover { url sha1 } } }' }),
      });
      expect(await res.json()).toEqual({
        data: { video: { title: 'Video joined-video', cover: { url: uploaded.url, sha1: sha1(images.png) } } },
      });
    }
  });
});

describe.skipIf(missing !== undefined)('a replica killed (SIGKILL) in the middle of a soak', () => {
  it('loses nothing and duplicates nothing: the uploads it held are answered by retrying on the others', async () => {
    const tally = await runReplicaSoak({
      replicas: 3,
      uploads: 90,
      concurrency: 8,
      adminUrl: 'adminUrl' in postgres ? postgres.adminUrl : '',
      haproxy: 'path' in haproxy ? haproxy.path : 'haproxy',
    });
    console.log(formatReplicaTally(tally));
    expect({ lost: tally.lost, duplicated: tally.duplicated, unexplained: tally.unexplained }).toEqual({
      lost: 0,
      duplicated: 0,
      unexplained: [],
    });
    expect(tally.succeeded).toBe(180);
    expect(tally.ledgerRecords).toBe(90);
  }, 120_000);
});
