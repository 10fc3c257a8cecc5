import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';

export type EndpointFields = Pick<
  WebhookEndpoint,
  'url' | 'events' | 'secret' | 'description' | 'internal' | 'active'
>;

export interface EndpointRow extends WebhookEndpoint {
  lastStatus: string | null;
  lastAttemptAt: Date | null;
}

/** A delivery due now, with what sending it needs. */
export interface DueDelivery {
  id: number;
  endpointId: number;
  attempts: number;
  createdAt: Date;
  url: string;
  secret: string;
  internal: boolean;
  failingSince: Date | null;
  createdById: number | null;
  eventId: string;
  type: string;
  occurredAt: Date;
  data: Record<string, unknown>;
}

export interface DeliveryRow {
  id: number;
  eventId: string;
  type: string;
  status: string;
  attempts: number;
  responseStatus: number | null;
  durationMs: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
}

/** A claimed delivery is not claimed again for this long, should its sender stop halfway. */
const LEASE = "interval '2 minutes'";

/** All SQL on webhook endpoints, events and deliveries. */
@Injectable()
export class WebhooksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  listEndpoints(): Promise<EndpointRow[]> {
    return this.dataSource.query(
      `SELECT e.id, e.url, e.events, e.description, e.internal, e.active, e.failing_since AS "failingSince",
              e.created_at AS "createdAt", e.version,
              d.status AS "lastStatus", d.last_attempt_at AS "lastAttemptAt"
         FROM webhook_endpoint e
         LEFT JOIN LATERAL (SELECT status, last_attempt_at FROM webhook_delivery
                             WHERE endpoint_id = e.id AND last_attempt_at IS NOT NULL
                             ORDER BY last_attempt_at DESC LIMIT 1) d ON true
        ORDER BY e.id`,
    );
  }

  findEndpoint(id: number, m: EntityManager = this.dataSource.manager): Promise<WebhookEndpoint | null> {
    return m.getRepository(WebhookEndpoint).findOne({ where: { id } });
  }

  lockEndpoint(m: EntityManager, id: number): Promise<WebhookEndpoint | null> {
    return m.getRepository(WebhookEndpoint).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async insertEndpoint(m: EntityManager, fields: EndpointFields & { createdById: number }): Promise<number> {
    const { identifiers } = await m.getRepository(WebhookEndpoint).insert(fields);
    return identifiers[0].id as number;
  }

  async updateEndpoint(m: EntityManager, id: number, fields: Partial<WebhookEndpoint>): Promise<void> {
    await m.getRepository(WebhookEndpoint).update({ id }, fields);
  }

  async deleteEndpoint(m: EntityManager, id: number): Promise<void> {
    await m.getRepository(WebhookEndpoint).delete({ id });
  }

  /** The active endpoints that take `type` (or just `endpointId`, for a test event). */
  async targets(m: EntityManager, type: string, endpointId: number | null = null): Promise<number[]> {
    const rows = await m.query<{ id: number }[]>(
      endpointId === null
        ? `SELECT id FROM webhook_endpoint WHERE active AND $1 = ANY(events)`
        : `SELECT id FROM webhook_endpoint WHERE id = $1`,
      [endpointId ?? type],
    );
    return rows.map((r) => r.id);
  }

  /** Writes an event and its deliveries to `endpointIds`, in the caller's transaction. */
  /** Records events of one type that happened now (`resources`, one each), each for every endpoint in `endpointIds`. */
  async insertEvents(
    m: EntityManager,
    type: string,
    resources: object[],
    endpointIds: number[],
  ): Promise<void> {
    await m.query(
      `WITH event AS (
         INSERT INTO webhook_event (id, type, occurred_at, data)
         SELECT gen_random_uuid(), $1, clock_timestamp(), data FROM unnest($2::jsonb[]) WITH ORDINALITY AS r(data, n) ORDER BY n
         RETURNING id)
       INSERT INTO webhook_delivery (endpoint_id, event_id, next_attempt_at)
       SELECT endpoint_id, event.id, now() FROM event CROSS JOIN unnest($3::int[]) AS endpoint_id`,
      [type, resources.map((r) => JSON.stringify(r)), endpointIds],
    );
  }

  /**
   * Takes up to `limit` deliveries due now to active endpoints, oldest first, and leases them (their
   * next attempt moves a little ahead), so another instance's sender does not take them too.
   */
  async claimDue(limit: number): Promise<DueDelivery[]> {
    return this.dataSource.query(
      `WITH due AS (
         SELECT d.id FROM webhook_delivery d JOIN webhook_endpoint e ON e.id = d.endpoint_id
          WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND e.active
          ORDER BY d.next_attempt_at, d.id LIMIT $1 FOR UPDATE OF d SKIP LOCKED),
       leased AS (
         UPDATE webhook_delivery d SET next_attempt_at = now() + ${LEASE} FROM due WHERE d.id = due.id
         RETURNING d.id, d.endpoint_id, d.event_id, d.attempts, d.created_at)
       SELECT l.id, l.endpoint_id AS "endpointId", l.attempts, l.created_at AS "createdAt",
              e.url, e.secret, e.internal, e.failing_since AS "failingSince", e.created_by_id AS "createdById",
              v.id AS "eventId", v.type, v.occurred_at AS "occurredAt", v.data
         FROM leased l JOIN webhook_endpoint e ON e.id = l.endpoint_id JOIN webhook_event v ON v.id = l.event_id
        ORDER BY l.id`,
      [limit],
    );
  }

  /** What an attempt found; `next` null ends the delivery (delivered, or given up). */
  async recordAttempt(
    id: number,
    outcome: {
      status: 'pending' | 'delivered' | 'failed';
      responseStatus: number | null;
      durationMs: number;
      error: string | null;
      next: Date | null;
    },
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE webhook_delivery SET status = $2, attempts = attempts + 1, last_attempt_at = now(),
              response_status = $3, duration_ms = $4, last_error = $5, next_attempt_at = $6
        WHERE id = $1`,
      [id, outcome.status, outcome.responseStatus, outcome.durationMs, outcome.error, outcome.next],
    );
  }

  /** The endpoint answered: it is no longer failing. */
  async markHealthy(endpointId: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE webhook_endpoint SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`,
      [endpointId],
    );
  }

  /**
   * The endpoint failed again: failing since its first failure in a row. Answers true when that was at
   * least `pauseAfterMs` ago and it was paused now (once: a paused endpoint is not paused again).
   */
  async markFailing(endpointId: number, pauseAfterMs: number): Promise<boolean> {
    const rows = await this.dataSource.query<[unknown[], number]>(
      `UPDATE webhook_endpoint SET failing_since = coalesce(failing_since, now()),
              active = CASE WHEN failing_since <= now() - make_interval(secs => $2 / 1000.0) THEN false ELSE active END
        WHERE id = $1
        RETURNING active, (failing_since <= now() - make_interval(secs => $2 / 1000.0)) AS paused`,
      [endpointId, pauseAfterMs],
    );
    const row = (rows[0] as { active: boolean; paused: boolean }[])[0];
    return row?.paused === true;
  }

  deliveriesOf(endpointId: number, limit: number): Promise<DeliveryRow[]> {
    return this.dataSource.query(
      `SELECT d.id, d.event_id AS "eventId", v.type, d.status, d.attempts, d.response_status AS "responseStatus",
              d.duration_ms AS "durationMs", d.last_error AS "lastError", d.last_attempt_at AS "lastAttemptAt",
              d.next_attempt_at AS "nextAttemptAt", d.created_at AS "createdAt"
         FROM webhook_delivery d JOIN webhook_event v ON v.id = d.event_id
        WHERE d.endpoint_id = $1 ORDER BY d.id DESC LIMIT $2`,
      [endpointId, limit],
    );
  }

  /** Sends a delivery again now (the same event, the same id), whatever became of it. */
  async redeliver(endpointId: number, deliveryId: number): Promise<boolean> {
    const rows = await this.dataSource.query<[unknown[], number]>(
      `UPDATE webhook_delivery SET status = 'pending', next_attempt_at = now(), created_at = now()
        WHERE id = $1 AND endpoint_id = $2 RETURNING id`,
      [deliveryId, endpointId],
    );
    return rows[1] > 0;
  }

  /** Deliveries of the endpoint, by status (for the tests and the list's figures). */
  countByStatus(endpointId: number): Promise<{ status: string; n: number }[]> {
    return this.dataSource.query(
      `SELECT status, count(*)::int AS n FROM webhook_delivery WHERE endpoint_id = $1 GROUP BY status`,
      [endpointId],
    );
  }

  /** Forgets finished deliveries older than `days`, and events no delivery refers to any more. */
  async prune(days: number): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM webhook_delivery WHERE status <> 'pending' AND created_at < now() - make_interval(days => $1)`,
      [days],
    );
    await this.dataSource.query(
      `DELETE FROM webhook_event e WHERE occurred_at < now() - make_interval(days => $1)
          AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.event_id = e.id)`,
      [days],
    );
  }

  /** Erasing a person: masks what matches `jsonPattern` in the events' payloads (their JSON text). */
  async maskEvents(m: EntityManager, jsonPattern: string, mask: string): Promise<number> {
    const [, count] = (await m.query(
      `UPDATE webhook_event SET data = regexp_replace(data::text, $1, $2, 'gi')::jsonb WHERE data::text ~* $1`,
      [jsonPattern, mask],
    )) as [unknown, number];
    return count;
  }
}
