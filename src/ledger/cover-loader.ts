import DataLoader from 'dataloader';
import type { CoverRecord, CoverStore } from './cover-store.js';

export type CoverLoader = DataLoader<string, CoverRecord | null>;

/**
 * A per-request loader of videos' latest covers: every `load` of one tick goes to the store as
 * one query, however many videos a query (or an `_entities` call) touches.
 */
export function createCoverLoader(store: CoverStore): CoverLoader {
  return new DataLoader<string, CoverRecord | null>(
    async (videoFileIds) => {
      const covers = await store.latestCovers(videoFileIds);
      return videoFileIds.map((id) => covers.get(id) ?? null);
    },
    // Well under SQLite's limits; a bigger query is split into batches of this size.
    { maxBatchSize: 1000 },
  );
}
