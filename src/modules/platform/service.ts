import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'slonik';
import { z } from 'zod';
import { migrationsUpToDate } from '../../db/migrate.ts';
import type { Db } from '../../db/pool.ts';
import { notFound } from '../../http/errors.ts';
import { loadBundledSpec } from '../../http/operations.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
export const DOCS_FILE = path.join(ROOT, 'dist', 'docs.html');

const MigrationRow = z.object({ name: z.string(), checksum: z.string() });

export function createPlatformService(deps: { db: Db; docsEnabled: boolean }) {
  let docs: Promise<string> | null = null;

  return {
    /** Readiness (05 §10): the database answers and every migration is applied with its checksum. */
    async isReady(): Promise<boolean> {
      try {
        return await migrationsUpToDate(async () => [...(await deps.db.any(sql.type(MigrationRow)`SELECT name, checksum FROM schema_migrations`))]);
      } catch {
        return false;
      }
    },

    /** The bundled contract; development only (01 §3.4). */
    openApiDocument(): Record<string, unknown> {
      if (!deps.docsEnabled) throw notFound();
      return loadBundledSpec();
    },

    /** The rendered reference (`npm run docs`), built on first request when missing; development only. */
    async docsHtml(): Promise<string> {
      if (!deps.docsEnabled) throw notFound();
      docs ??= (async () => {
        if (!existsSync(DOCS_FILE)) {
          await promisify(execFile)(path.join(ROOT, 'node_modules', '.bin', 'redocly'), ['build-docs', 'generated/openapi.json', '-o', DOCS_FILE], { cwd: ROOT });
        }
        return readFileSync(DOCS_FILE, 'utf8');
      })().catch((error: unknown) => {
        docs = null;
        throw error;
      });
      return docs;
    },
  };
}

export type PlatformService = ReturnType<typeof createPlatformService>;
