import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** The reference version a request read together with its session (SessionStore.get). */
const versionOfRequest = new AsyncLocalStorage<number>();

/**
 * Runs the rest of a request knowing the reference version its session read returned, so data
 * cached in memory is reloaded only when PostgreSQL says it changed.
 */
export function enterReferenceVersion(version: number): void {
  versionOfRequest.enterWith(version);
}

/** The statement that reads the version; the session read carries it as a column. */
export const REFERENCE_VERSION_SQL = 'SELECT version FROM reference_version WHERE id = 1';

/** A value loaded from the database and kept until the reference version moves past it. */
export interface ReferenceCache<T> {
  get(): Promise<T>;
}

/**
 * Users, teams and settings, which every page reads and which change a few times a day, are kept
 * in each app instance's memory (see migration AddReferenceVersion: a trigger bumps one number with
 * every change to them). A request compares that number, read with its session at no extra cost,
 * with the one its cached value was loaded at; anything else (jobs, scripts) reads the number first.
 * So a change made anywhere is seen by the next request of every instance, as if read afresh.
 */
@Injectable()
export class ReferenceData {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  cache<T>(load: () => Promise<T>): ReferenceCache<T> {
    let value: { data: T; version: number } | undefined;
    let loading: { done: Promise<T>; version: number } | undefined;
    return {
      get: async () => {
        const wanted = versionOfRequest.getStore() ?? (await this.currentVersion());
        if (value && value.version >= wanted) return value.data;
        if (loading && loading.version >= wanted) return loading.done;
        // The version was read before the data: data newer than it at worst reloads once more.
        const done = load().then((data) => {
          if (!value || value.version <= wanted) value = { data, version: wanted };
          return data;
        });
        loading = { done, version: wanted };
        return done.finally(() => {
          if (loading?.done === done) loading = undefined;
        });
      },
    };
  }

  private async currentVersion(): Promise<number> {
    const [row] = await this.dataSource.query<{ version: string }[]>(REFERENCE_VERSION_SQL);
    return Number(row?.version ?? 0);
  }
}
