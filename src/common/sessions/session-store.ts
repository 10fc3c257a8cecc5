import connectPgSimple from 'connect-pg-simple';
import session, { type SessionData } from 'express-session';
import type { Pool } from 'pg';
import { enterReferenceVersion, REFERENCE_VERSION_SQL } from '../reference-data.js';
import { prepared } from '../sql.js';

const PgStore = connectPgSimple(session);

/**
 * A request renews its session's stored expiry only when that is at least this much older than the
 * renewed one, so a busy session costs one read per request, not a read and a write. A session
 * therefore ends between SESSION_IDLE_MINUTES − 1 and SESSION_IDLE_MINUTES after its last request
 * (never later); the cookie is sent again with the renewal (session-cookie.ts).
 */
export const TOUCH_AFTER_MS = 60_000;

/** Whether a session stored to expire at `stored` is to be renewed, now that it would expire at `renewed`. */
export function renewalDue(stored: number, renewed: number): boolean {
  return renewed - stored >= TOUCH_AFTER_MS;
}

/**
 * The stored expiry rides along on the session's cookie object: express-session copies a loaded
 * session's cookie fields onto its Cookie, which neither saves nor sends fields it does not know.
 */
type LoadedCookie = SessionData['cookie'] & { storedExpiry?: number };

/**
 * Sessions in PostgreSQL (table `session`, connect-pg-simple's layout), touched lazily. Express
 * builds it before Nest's providers exist, so it speaks to the pool itself, as the library does;
 * everything else done to sessions goes through SessionsService.
 */
export class SessionStore extends PgStore {
  constructor(private readonly pool: Pool) {
    super({ pool, tableName: 'session', pruneSessionInterval: false });
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.pool
      .query<{ sess: SessionData; expire: Date; reference_version: string }>(
        // The reference version rides along: cached users and settings need no query of their own.
        // Prepared: every request runs it, and its plan never changes.
        prepared(
          `SELECT sess, expire, (${REFERENCE_VERSION_SQL}) AS reference_version FROM session WHERE sid = $1 AND expire >= $2`,
          [sid, new Date()],
        ),
      )
      .then(({ rows: [row] }) => {
        if (!row) return callback(null, null);
        enterReferenceVersion(Number(row.reference_version));
        (row.sess.cookie as LoadedCookie).storedExpiry = row.expire.getTime();
        callback(null, row.sess);
      }, callback);
  }

  override touch(sid: string, sess: SessionData, callback?: () => void): void {
    const stored = (sess.cookie as LoadedCookie).storedExpiry;
    const renewed = sess.cookie.expires?.getTime();
    if (stored !== undefined && renewed !== undefined && !renewalDue(stored, renewed)) {
      callback?.();
      return;
    }
    super.touch(sid, sess, callback);
  }
}
