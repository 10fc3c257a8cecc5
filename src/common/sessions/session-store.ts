import { AsyncLocalStorage } from 'node:async_hooks';
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
 * A figure of the signed-in user that every page shows (the bell's unread count), read in the same
 * statement as their session: `sql` is a scalar query in which `$user` stands for the session's user
 * id (null in a session not signed in). Its module owns the SQL; the app hands it to the store.
 */
export interface SessionFigure {
  name: string;
  sql: string;
}

/** The figures the request's session read returned, by name, and whose they are. */
const figuresOfRequest = new AsyncLocalStorage<{ userId: number | null; values: Record<string, unknown> }>();

/**
 * A SessionFigure of `userId` read with this request's session, or undefined when it was not (no
 * session read, or the session is someone else's).
 */
export function sessionFigure(name: string, userId: number): unknown {
  const read = figuresOfRequest.getStore();
  return read?.userId === userId ? read.values[name] : undefined;
}

/**
 * The session's user id in SQL, from the id passport keeps in it (null without a number there). Read
 * from the stored text, as express-session wrote it: PostgreSQL's JSON operators would parse the whole
 * session and refuse one holding text they cannot take (a NUL typed into a form kept for redisplay);
 * text a user typed is escaped in it, so only passport's own key matches.
 */
const SESSION_USER_SQL = `(substring(s.sess::text from '"passport":\\{"user":([0-9]{1,9})\\}'))::int`;

/**
 * Sessions in PostgreSQL (table `session`, connect-pg-simple's layout), touched lazily. Express
 * builds it before Nest's providers exist, so it speaks to the pool itself, as the library does;
 * everything else done to sessions goes through SessionsService.
 */
export class SessionStore extends PgStore {
  /** The session read: the session, the reference version and the figures, one statement. */
  private readonly readSql: string;

  constructor(
    private readonly pool: Pool,
    private readonly figures: readonly SessionFigure[] = [],
  ) {
    super({ pool, tableName: 'session', pruneSessionInterval: false });
    // The reference version and the figures ride along: cached users and settings, and the bell,
    // need no query of their own. Prepared: every request runs it, and its plan never changes.
    const columns = figures.map((f, i) => `, (${f.sql.replaceAll('$user', SESSION_USER_SQL)}) AS figure${i}`);
    this.readSql = `SELECT s.sess, s.expire, (${REFERENCE_VERSION_SQL}) AS reference_version,
      ${SESSION_USER_SQL} AS user_id${columns.join('')} FROM session s WHERE s.sid = $1 AND s.expire >= $2`;
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.pool
      .query<{ sess: SessionData; expire: Date; reference_version: string } & Record<string, unknown>>(
        prepared(this.readSql, [sid, new Date()]),
      )
      .then(({ rows: [row] }) => {
        if (!row) return callback(null, null);
        enterReferenceVersion(Number(row.reference_version));
        figuresOfRequest.enterWith({
          userId: row.user_id as number | null,
          values: Object.fromEntries(this.figures.map((f, i) => [f.name, row[`figure${i}`]])),
        });
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
