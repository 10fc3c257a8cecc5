import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/database/data-source-options.js';
import { ENTITIES } from './src/entities.js';

/**
 * The DataSource the TypeORM CLI uses (migration:generate, migration:run). It needs DATABASE_URL:
 * `npm run migration:generate` provides one by starting a throwaway embedded PostgreSQL.
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set');
export default new DataSource(dataSourceOptions(url, { entities: ENTITIES }));
