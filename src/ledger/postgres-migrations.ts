import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';

const MIGRATIONS = new URL('./migrations/postgres/', import.meta.url);
/** Key of the advisory lock replicas take to migrate one at a time ("vodcover" in ASCII). */
const MIGRATION_LOCK = 0x766f64636f766572n;

/** Applies, in order and each in a transaction, the migration files not yet in schema_migrations. */
export async function migrate(pool: pg.Pool): Promise<void> {
  const files = readdirSync(MIGRATIONS)
    .filter((name) => /^\d{3}-.+\.sql$/.test(name))
    .sort();
  const client = await pool.connect();
  try {
    // Replicas starting together: one migrates, the others wait here and then find nothing to do.
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      const applied = new Set(
        (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
          (row) => row.version,
        ),
      );
      for (const name of files) {
        const version = Number(name.slice(0, 3));
        if (applied.has(version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(readFileSync(new URL(name, MIGRATIONS), 'utf8'));
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [version, name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]);
    }
  } finally {
    client.release();
  }
}
