// Every migration, oldest first. A new migration is added here as it lands; none is ever edited.
import { CreateSchema1795343077012 } from './1795343077012-CreateSchema.js';
export const MIGRATIONS = [CreateSchema1795343077012];
