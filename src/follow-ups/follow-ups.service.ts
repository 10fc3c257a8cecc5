import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SessionUser } from '../auth/session-user.js';

export interface DueFollowUp {
  customerId: number;
  customerName: string;
  nextAction: string | null;
  nextFollowUpAt: Date;
}

export interface MyDay {
  overdue: DueFollowUp[];
  today: DueFollowUp[];
  upcoming: DueFollowUp[];
}

/** Follow-ups: what each rep has due. Logging them arrives with the follow-ups pages. */
@Injectable()
export class FollowUpsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The user's next steps: for each live customer they own, the date set by its latest follow-up,
   * split into overdue, today and the coming week (days counted in the user's time zone).
   */
  async myDay(user: SessionUser): Promise<MyDay> {
    const rows = await this.dataSource.query<
      {
        customer_id: number;
        customer_name: string;
        next_action: string | null;
        next_follow_up_at: Date;
        bucket: string;
      }[]
    >(
      `WITH latest AS (
         SELECT DISTINCT ON (f.customer_id) f.customer_id, f.next_action, f.next_follow_up_at
           FROM follow_up f
          WHERE f.deleted_at IS NULL
            AND f.customer_id IN (SELECT id FROM customer WHERE owner_id = $1 AND deleted_at IS NULL)
          ORDER BY f.customer_id, f.happened_at DESC)
       SELECT l.customer_id, c.name AS customer_name, l.next_action, l.next_follow_up_at,
              CASE WHEN (l.next_follow_up_at AT TIME ZONE $2)::date < (now() AT TIME ZONE $2)::date THEN 'overdue'
                   WHEN (l.next_follow_up_at AT TIME ZONE $2)::date = (now() AT TIME ZONE $2)::date THEN 'today'
                   ELSE 'upcoming' END AS bucket
         FROM latest l JOIN customer c ON c.id = l.customer_id
        WHERE l.next_follow_up_at IS NOT NULL
          AND (l.next_follow_up_at AT TIME ZONE $2)::date <= (now() AT TIME ZONE $2)::date + 7
        ORDER BY l.next_follow_up_at
        LIMIT 200`,
      [user.id, user.timezone],
    );
    const day: MyDay = { overdue: [], today: [], upcoming: [] };
    for (const r of rows) {
      day[r.bucket as keyof MyDay].push({
        customerId: r.customer_id,
        customerName: r.customer_name,
        nextAction: r.next_action,
        nextFollowUpAt: r.next_follow_up_at,
      });
    }
    return day;
  }
}
