import { QueryFailedError } from 'typeorm';
import { ValidationFailed } from './errors.js';

/** Unique indexes whose violation is the user's to fix, and the field and message to show. */
const UNIQUE: Record<string, { field: string; key: string }> = {
  uq_user_email: { field: 'email', key: 'validation.emailTaken' },
  uq_team_name: { field: 'name', key: 'validation.teamTaken' },
  uq_customer_uscc: { field: 'uscc', key: 'validation.usccInUse' },
};

/**
 * Services check uniqueness before writing; when two requests race past that check, the database's
 * unique index refuses the second. This turns that refusal into the same field error.
 */
export function fromUniqueViolation(err: unknown): ValidationFailed | null {
  if (!(err instanceof QueryFailedError)) return null;
  const { code, constraint } = err.driverError as { code?: string; constraint?: string };
  const known = code === '23505' && constraint ? UNIQUE[constraint] : undefined;
  return known ? ValidationFailed.field(known.field, known.key) : null;
}
