import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Locale } from '../common/roles.js';

/** The account a reset link belongs to, with what its mails need. */
export interface ResetAccount {
  id: number;
  email: string;
  name: string;
  locale: Locale;
}

/** Requests for a link in the window, per address typed and per IP address, and the oldest of each. */
export interface RecentRequests {
  byEmail: number;
  byIp: number;
  emailOldest: Date | null;
  ipOldest: Date | null;
  now: Date;
}

/** All SQL on `password_reset_token` and `password_reset_request`. */
@Injectable()
export class PasswordResetRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Requests for one address and from one IP address take turns until the transaction ends (advisory
   * locks in key order), so parallel requests cannot slip past the bound.
   */
  async takeTurns(m: EntityManager, email: string, ip: string): Promise<void> {
    for (const key of [`pwreset:email:${email}`, `pwreset:ip:${ip}`].sort())
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
  }

  async countRecent(m: EntityManager, email: string, ip: string, minutes: number): Promise<RecentRequests> {
    const [row] = await m.query<
      { by_email: string; by_ip: string; email_oldest: Date | null; ip_oldest: Date | null; now: Date }[]
    >(
      `SELECT count(*) FILTER (WHERE email = $1) AS by_email, min(at) FILTER (WHERE email = $1) AS email_oldest,
              count(*) FILTER (WHERE ip = $2) AS by_ip, min(at) FILTER (WHERE ip = $2) AS ip_oldest,
              now() AS now
         FROM password_reset_request
        WHERE (email = $1 OR ip = $2) AND at > now() - make_interval(mins => $3)`,
      [email, ip, minutes],
    );
    return {
      byEmail: Number(row.by_email),
      byIp: Number(row.by_ip),
      emailOldest: row.email_oldest,
      ipOldest: row.ip_oldest,
      now: row.now,
    };
  }

  async addRequest(m: EntityManager, email: string, ip: string): Promise<void> {
    await m.query('INSERT INTO password_reset_request (email, ip) VALUES ($1, $2)', [email, ip]);
  }

  /** The active account with this (lower-case) e-mail. */
  async findActiveAccount(m: EntityManager, email: string): Promise<ResetAccount | null> {
    const [row] = await m.query<ResetAccount[]>(
      'SELECT id, email, name, locale FROM app_user WHERE email = $1 AND active',
      [email],
    );
    return row ?? null;
  }

  /** Voids the user's links not yet used (a newer one was sent, or the password just changed). */
  async voidUnused(m: EntityManager, userId: number): Promise<void> {
    await m.query(
      `UPDATE password_reset_token SET voided_at = now()
        WHERE user_id = $1 AND used_at IS NULL AND voided_at IS NULL`,
      [userId],
    );
  }

  /** Stores a link's token hash, valid for `minutes` by the database's clock. */
  async insert(m: EntityManager, userId: number, tokenHash: string, minutes: number): Promise<void> {
    await m.query(
      `INSERT INTO password_reset_token (user_id, token_hash, expires_at)
       VALUES ($1, $2, now() + make_interval(mins => $3))`,
      [userId, tokenHash, minutes],
    );
  }

  /** Whether a link with this token hash may still be used: unused, not voided, unexpired, its user active. */
  async isUsable(tokenHash: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM password_reset_token t JOIN app_user u ON u.id = t.user_id AND u.active
        WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.voided_at IS NULL AND t.expires_at > now()`,
      [tokenHash],
    );
    return rows.length > 0;
  }

  /**
   * Marks the link used if it still may be, and answers its account (else null). One statement: of
   * two uses at once, the second waits for the first's row lock, then finds the link used.
   */
  async use(m: EntityManager, tokenHash: string): Promise<ResetAccount | null> {
    const [rows] = await m.query<[ResetAccount[], number]>(
      `UPDATE password_reset_token t SET used_at = now()
         FROM app_user u
        WHERE t.token_hash = $1 AND u.id = t.user_id AND u.active
          AND t.used_at IS NULL AND t.voided_at IS NULL AND t.expires_at > now()
        RETURNING u.id, u.email, u.name, u.locale`,
      [tokenHash],
    );
    return rows[0] ?? null;
  }

  /** Forgets requests older than the window and links that ended more than a day ago. */
  async prune(windowMinutes: number): Promise<void> {
    await this.dataSource.query(
      'DELETE FROM password_reset_request WHERE at < now() - make_interval(mins => $1)',
      [windowMinutes],
    );
    await this.dataSource.query(
      `DELETE FROM password_reset_token
        WHERE greatest(expires_at, coalesce(used_at, expires_at), coalesce(voided_at, expires_at)) < now() - interval '1 day'`,
    );
  }
}
