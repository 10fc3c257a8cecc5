import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager } from 'typeorm';
import { OutboxMail } from './outbox-mail.entity.js';

export type OutboxRow = Pick<OutboxMail, 'id' | 'to' | 'subject' | 'text' | 'html' | 'attempts'>;

/** All SQL on `outbox_mail`. */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(OutboxMail);
  }

  async add(
    mail: Pick<OutboxMail, 'to' | 'subject' | 'html' | 'text' | 'secret'>,
    m: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await m.insert(OutboxMail, mail);
  }

  /**
   * Leases up to `batch` due mails for `leaseMinutes` (their next attempt moves that far ahead) and
   * returns them. Rows another sender holds are skipped, so several instances may flush at once.
   */
  async leaseDue(batch: number, leaseMinutes: number): Promise<OutboxRow[]> {
    // TypeORM answers an UPDATE … RETURNING with [rows, count].
    const [due] = await this.dataSource.query<[OutboxRow[], number]>(
      `UPDATE outbox_mail SET next_attempt_at = now() + make_interval(mins => $2)
        WHERE id IN (SELECT id FROM outbox_mail WHERE status = 'pending' AND next_attempt_at <= now()
                      ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, "to", subject, text, html, attempts`,
      [batch, leaseMinutes],
    );
    return due;
  }

  /** A mail sent; one holding a one-time link keeps no text once it is out. */
  async markSent(id: number, attempts: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox_mail SET status = 'sent', sent_at = now(), attempts = $2, last_error = NULL,
              text = CASE WHEN secret THEN '' ELSE text END, html = CASE WHEN secret THEN '' ELSE html END
        WHERE id = $1`,
      [id, attempts],
    );
  }

  async markAttemptFailed(
    id: number,
    outcome: Pick<OutboxMail, 'attempts' | 'lastError' | 'status' | 'nextAttemptAt'>,
  ): Promise<void> {
    await this.repo.update({ id }, outcome);
  }

  /** The newest mails first, and how many there are. */
  findNewest(skip: number, take: number): Promise<[OutboxMail[], number]> {
    return this.repo.findAndCount({ order: { id: 'DESC' }, skip, take });
  }

  findById(id: number): Promise<OutboxMail | null> {
    return this.repo.findOneBy({ id });
  }

  /** Puts a waiting or given-up mail back in the queue, due now; false if there is no such mail. */
  async requeue(id: number): Promise<boolean> {
    const res = await this.repo.update(
      { id, status: In(['pending', 'failed']) },
      { status: 'pending', nextAttemptAt: new Date() },
    );
    return Boolean(res.affected);
  }

  /** Mails to or naming a person (`pattern`, a regular expression), oldest first (a PIPL request). */
  findNaming(pattern: string): Promise<OutboxMail[]> {
    return this.dataSource
      .getRepository(OutboxMail)
      .createQueryBuilder('o')
      .where(`concat_ws(' ', o.to, o.subject, o.text) ~* :pattern`, { pattern })
      .orderBy('o.id', 'ASC')
      .getMany();
  }

  /**
   * Erasing a person: mails to them keep only their status and times (one still waiting is given up);
   * in the rest, whatever matches `pattern` is masked. Answers how many mails changed.
   */
  async erasePerson(m: EntityManager, pattern: string, mask: string): Promise<number> {
    const [, to] = (await m.query(
      `UPDATE outbox_mail SET "to" = $2, subject = $2, text = $2, html = $2,
         status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END,
         last_error = CASE WHEN status = 'pending' THEN $2 ELSE last_error END
       WHERE "to" ~* $1`,
      [pattern, mask],
    )) as [unknown, number];
    const [, naming] = (await m.query(
      `UPDATE outbox_mail SET subject = regexp_replace(subject, $1, $2, 'gi'), text = regexp_replace(text, $1, $2, 'gi'),
         html = regexp_replace(html, $1, $2, 'gi')
       WHERE concat_ws(' ', subject, text, html) ~* $1`,
      [pattern, mask],
    )) as [unknown, number];
    return to + naming;
  }
}
