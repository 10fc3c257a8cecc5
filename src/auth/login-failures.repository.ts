import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { LoginFailure } from './login-failure.entity.js';

/** All SQL on `login_failure`. */
@Injectable()
export class LoginFailuresRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Makes sign-ins to one account take turns until the transaction ends (an advisory lock). */
  async takeTurns(m: EntityManager, email: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`login:${email}`]);
  }

  /**
   * Failures in the last `minutes` for this account from this address and from this address in all,
   * and in the last `accountMinutes` for this account from anywhere.
   */
  async countRecent(
    m: EntityManager,
    email: string,
    ip: string,
    minutes: number,
    accountMinutes: number,
  ): Promise<{ byEmailAndIp: number; byEmail: number; byIp: number }> {
    const [row] = await m.query<{ by_email_ip: string; by_email: string; by_ip: string }[]>(
      `SELECT count(*) FILTER (WHERE email = $1 AND ip = $2 AND at > now() - make_interval(mins => $3)) AS by_email_ip,
              count(*) FILTER (WHERE email = $1) AS by_email,
              count(*) FILTER (WHERE ip = $2 AND at > now() - make_interval(mins => $3)) AS by_ip
         FROM login_failure
        WHERE (email = $1 OR ip = $2) AND at > now() - make_interval(mins => greatest($3, $4))`,
      [email, ip, minutes, accountMinutes],
    );
    return { byEmailAndIp: Number(row.by_email_ip), byEmail: Number(row.by_email), byIp: Number(row.by_ip) };
  }

  async add(m: EntityManager, email: string, ip: string): Promise<void> {
    await m.insert(LoginFailure, { email, ip });
  }

  /** Forgets an account's failures from one address (it just signed in from there). */
  async clear(m: EntityManager, email: string, ip: string): Promise<void> {
    await m.delete(LoginFailure, { email, ip });
  }

  async deleteOlderThan(minutes: number): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_failure WHERE at < now() - make_interval(mins => $1)`, [
      minutes,
    ]);
  }
}
