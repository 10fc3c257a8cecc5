import { randomBytes } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  type EntityManager,
  type EntitySubscriberInterface,
  type TransactionCommitEvent,
} from 'typeorm';
import { AuditService } from '../../audit/audit.service.js';
import { JobsService } from '../../automation/jobs.service.js';
import { editedVersion, NotFound, StaleVersion, ValidationFailed } from '../../common/errors.js';
import type { SessionUser } from '../../common/session-user.js';
import { NotificationsService } from '../notifications.service.js';
import type { WebhookEndpointDto } from './dto/webhook-endpoint.dto.js';
import type { WebhookEndpoint } from './webhook-endpoint.entity.js';
import {
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  SIGNATURE_HEADER,
  sign,
  TIMESTAMP_HEADER,
} from './webhook-signature.js';
import { hostOf, isPrivateAddress, urlProblem } from './webhook-target.js';
import {
  type DeliveryRow,
  type DueDelivery,
  type EndpointRow,
  WebhooksRepository,
} from './webhooks.repository.js';

/** A delivery is retried, with growing pauses, for this long; then it has failed. */
export const RETRY_FOR_MS = 24 * 3_600_000;
/** An endpoint whose every delivery failed for this long is paused and its admin told. */
export const PAUSE_AFTER_MS = 24 * 3_600_000;
/** How long a receiver has to answer. */
const TIMEOUT_MS = 10_000;
/** How many records' events emitEach loads and records at a time. */
const EMIT_SLICE = 500;
/** Finished deliveries stay in the log this many days. */
const LOG_DAYS = 30;
/** The test event an admin sends from the endpoint's page. */
export const PING_EVENT = 'ping';

/** The pause before attempt n + 1: 1, 2, 4 … minutes, at most an hour. */
export const backoffMs = (attempts: number): number =>
  Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);

/** A target refused at delivery: not http(s), or a private address the admin did not allow. */
class TargetRefused extends Error {}

export interface EndpointView extends EndpointRow {
  paused: boolean;
}

/** The body every delivery carries. */
export interface WebhookPayload {
  id: string;
  type: string;
  createdAt: string;
  data: Record<string, unknown>;
}

/**
 * Outgoing webhooks. Modules declare their event types (`declare`, at start) and `emit` them inside the
 * transaction of the change (an outbox: the event exists if and only if the change does). A pg-boss
 * job sends each event to every endpoint that takes it, signed (HMAC-SHA256 of timestamp and body),
 * at least once: retried with growing pauses for 24 hours, with the same event id every time, so a
 * receiver drops what it has already seen. An endpoint failing for 24 hours is paused and its admin told.
 */
@Injectable()
export class WebhooksService implements OnModuleInit, EntitySubscriberInterface {
  private readonly logger = new Logger('Webhooks');
  private readonly types = new Set<string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: WebhooksRepository,
    private readonly jobs: JobsService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
  ) {
    // Told when a transaction that wrote events commits, to send them at once (see emit).
    dataSource.subscribers.push(this);
  }

  onModuleInit(): void {
    // Runs queued after a commit start at once; the schedule picks up retries as they fall due. Runs
    // side by side take different deliveries (claimDue skips those another has taken).
    this.jobs.register('webhooks.deliver', () => this.deliverDue().then(() => undefined), {
      cron: '* * * * *',
    });
    this.jobs.register('webhooks.prune', () => this.prune(), { cron: '41 3 * * *' });
  }

  /** A module's event type (`ticket.created`), offered on the endpoint form. Call in onModuleInit. */
  declare(type: string): void {
    if (!/^[a-z_]+\.[a-z_]+$/.test(type)) throw new Error(`malformed webhook event type ${type}`);
    this.types.add(type);
  }

  /** Every declared event type, in order. */
  eventTypes(): string[] {
    return [...this.types].sort();
  }

  /**
   * Records that `type` happened to `data` (the resource as the API returns it), in the transaction
   * `m` of the change, for every active endpoint that takes it; sent once the transaction commits.
   * `data` may be a function: it is then called only when some endpoint takes the event.
   */
  async emit(m: EntityManager, type: string, data: object | (() => Promise<object | null>)): Promise<void> {
    if (!this.types.has(type)) throw new Error(`webhook event ${type} was never declared`);
    const endpoints = await this.repo.targets(m, type);
    if (!endpoints.length) return;
    const resource = typeof data === 'function' ? await data() : data;
    if (!resource) return;
    await this.repo.insertEvents(m, type, [resource], endpoints);
    if (m.queryRunner) m.queryRunner.data = { ...m.queryRunner.data, webhooks: true };
  }

  /**
   * As emit, once for each of many records changed together (an import): `load` gives the resources
   * of a slice of their ids, and is called only when some endpoint takes the event.
   */
  async emitEach(
    m: EntityManager,
    type: string,
    ids: number[],
    load: (ids: number[]) => Promise<object[]>,
  ): Promise<void> {
    if (!this.types.has(type)) throw new Error(`webhook event ${type} was never declared`);
    if (!ids.length) return;
    const endpoints = await this.repo.targets(m, type);
    if (!endpoints.length) return;
    for (let i = 0; i < ids.length; i += EMIT_SLICE) {
      const resources = await load(ids.slice(i, i + EMIT_SLICE));
      if (resources.length) await this.repo.insertEvents(m, type, resources, endpoints);
    }
    if (m.queryRunner) m.queryRunner.data = { ...m.queryRunner.data, webhooks: true };
  }

  /** After a commit that wrote events: their run starts now rather than at the next minute. */
  afterTransactionCommit(event: TransactionCommitEvent): void {
    const data = event.queryRunner.data as { webhooks?: boolean } | undefined;
    if (!data?.webhooks) return;
    data.webhooks = false;
    this.kick();
  }

  private kick(): void {
    this.jobs
      .send('webhooks.deliver')
      .catch((e: unknown) => this.logger.warn(`queueing deliveries: ${String(e)}`));
  }

  // The admin's pages

  async list(): Promise<EndpointView[]> {
    return (await this.repo.listEndpoints()).map((e) => ({
      ...e,
      paused: !e.active && e.failingSince !== null,
    }));
  }

  async get(id: number): Promise<{ endpoint: WebhookEndpoint; deliveries: DeliveryRow[] }> {
    const endpoint = await this.repo.findEndpoint(id);
    if (!endpoint) throw new NotFound();
    return { endpoint, deliveries: await this.repo.deliveriesOf(id, 50) };
  }

  async create(admin: SessionUser, dto: WebhookEndpointDto): Promise<number> {
    const fields = await this.checked(dto, null);
    return this.dataSource.transaction(async (m) => {
      const id = await this.repo.insertEndpoint(m, { ...fields, createdById: admin.id });
      await this.audit.record(
        { action: 'create', entity: 'webhook', entityId: id, diff: auditDiff(null, fields) },
        m,
      );
      return id;
    });
  }

  async update(admin: SessionUser, id: number, dto: WebhookEndpointDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const before = await this.repo.lockEndpoint(m, id);
      if (!before) throw new NotFound();
      if (editedVersion(dto.version) !== before.version) throw new StaleVersion();
      const fields = await this.checked(dto, before.secret);
      // Made active again by the admin: it starts afresh.
      const failingSince = fields.active && !before.active ? null : before.failingSince;
      await this.repo.updateEndpoint(m, id, { ...fields, failingSince, version: before.version + 1 });
      await this.audit.record(
        { action: 'update', entity: 'webhook', entityId: id, diff: auditDiff(before, fields) },
        m,
      );
    });
  }

  async remove(admin: SessionUser, id: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const before = await this.repo.lockEndpoint(m, id);
      if (!before) throw new NotFound();
      await this.repo.deleteEndpoint(m, id);
      await this.audit.record(
        { action: 'delete', entity: 'webhook', entityId: id, diff: { url: { from: before.url } } },
        m,
      );
    });
  }

  /** Sends a `ping` event to this endpoint only (also when paused: it is how an admin checks a fix). */
  async sendTest(id: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const endpoint = await this.repo.lockEndpoint(m, id);
      if (!endpoint) throw new NotFound();
      await this.repo.insertEvents(m, PING_EVENT, [{ endpointId: id }], [id]);
      if (!endpoint.active) await this.repo.updateEndpoint(m, id, { active: true, failingSince: null });
    });
    this.kick();
  }

  async redeliver(id: number, deliveryId: number): Promise<void> {
    if (!(await this.repo.redeliver(id, deliveryId))) throw new NotFound();
    this.kick();
  }

  /** Forgets finished deliveries older than the log keeps (a daily job). */
  prune(): Promise<void> {
    return this.repo.prune(LOG_DAYS);
  }

  // Delivering

  /** Sends every delivery due now, a batch at a time; answers how many attempts were made. */
  async deliverDue(batch = 20): Promise<number> {
    let attempts = 0;
    for (;;) {
      const due = await this.repo.claimDue(batch);
      if (!due.length) return attempts;
      await Promise.all(due.map((d) => this.attempt(d)));
      attempts += due.length;
    }
  }

  private async attempt(d: DueDelivery): Promise<void> {
    const body = JSON.stringify({
      id: d.eventId,
      type: d.type,
      createdAt: new Date(d.occurredAt).toISOString(),
      data: d.data,
    } satisfies WebhookPayload);
    const started = Date.now();
    let responseStatus: number | null = null;
    let error: string | null = null;
    try {
      responseStatus = await post(d, body);
      if (responseStatus < 200 || responseStatus > 299)
        error =
          responseStatus >= 300 && responseStatus < 400 ? 'redirect not followed' : `HTTP ${responseStatus}`;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const durationMs = Date.now() - started;
    if (!error) {
      await this.repo.recordAttempt(d.id, {
        status: 'delivered',
        responseStatus,
        durationMs,
        error,
        next: null,
      });
      await this.repo.markHealthy(d.endpointId);
      return;
    }
    const givenUp = Date.now() - new Date(d.createdAt).getTime() >= RETRY_FOR_MS;
    const next = givenUp ? null : new Date(Date.now() + backoffMs(d.attempts + 1));
    await this.repo.recordAttempt(d.id, {
      status: givenUp ? 'failed' : 'pending',
      responseStatus,
      durationMs,
      error: error.slice(0, 500),
      next,
    });
    if ((await this.repo.markFailing(d.endpointId, PAUSE_AFTER_MS)) && d.createdById !== null) {
      await this.notifications.notify(
        d.createdById,
        'webhook_paused',
        { url: d.url },
        `/admin/webhooks/${d.endpointId}`,
      );
    }
  }

  /** The endpoint's fields from the form, its URL checked (and resolved, unless it is internal). */
  private async checked(dto: WebhookEndpointDto, currentSecret: string | null) {
    const problem = urlProblem(dto.url);
    if (problem) throw ValidationFailed.field('url', problem);
    const unknown = dto.events.filter((t) => !this.types.has(t));
    if (unknown.length || !dto.events.length)
      throw ValidationFailed.field('events', 'webhook.events_required');
    if (!dto.internal) {
      const addresses = await resolve(hostOf(new URL(dto.url))).catch(() => null);
      if (!addresses) throw ValidationFailed.field('url', 'webhook.url_unresolved');
      if (addresses.some(isPrivateAddress)) throw ValidationFailed.field('url', 'webhook.url_private');
    }
    return {
      url: dto.url,
      events: [...new Set(dto.events)].sort(),
      secret: dto.secret ?? currentSecret ?? `whsec_${randomBytes(24).toString('base64url')}`,
      description: dto.description,
      internal: dto.internal,
      active: dto.active,
    };
  }

  /** Erasing a person, in the erasure's transaction: what names them is masked in the events kept for delivery. */
  erasePerson(m: EntityManager, who: { jsonPattern: string; mask: string }): Promise<number> {
    return who.jsonPattern ? this.repo.maskEvents(m, who.jsonPattern, who.mask) : Promise.resolve(0);
  }
}

/** What the audit log keeps of an endpoint: never its secret, only that it changed. */
function auditDiff(
  before: WebhookEndpoint | null,
  after: Omit<
    WebhookEndpoint,
    'id' | 'version' | 'createdAt' | 'updatedAt' | 'failingSince' | 'createdById' | 'createdBy'
  >,
) {
  const diff: Record<string, { from?: unknown; to?: unknown }> = {};
  for (const field of ['url', 'events', 'description', 'internal', 'active'] as const) {
    const from = before ? JSON.stringify(before[field]) : undefined;
    const to = JSON.stringify(after[field]);
    if (from !== to) diff[field] = before ? { from: before[field], to: after[field] } : { to: after[field] };
  }
  if (before && before.secret !== after.secret) diff.secret = { from: '…', to: '…' };
  return diff;
}

/** Every address a host name resolves to (an IP literal is itself). */
function resolve(host: string): Promise<string[]> {
  if (isIP(host)) return Promise.resolve([host]);
  return new Promise((ok, fail) =>
    dnsLookup(host, { all: true }, (err, addresses: LookupAddress[]) =>
      err ? fail(err) : ok(addresses.map((a) => a.address)),
    ),
  );
}

/**
 * Posts the signed body; answers the status. The address is checked on the connection itself (a name
 * that resolved to a public address when saved cannot be made to point inside later), and no redirect
 * is followed.
 */
function post(d: DueDelivery, body: string): Promise<number> {
  const url = new URL(d.url);
  const problem = urlProblem(d.url);
  if (problem) return Promise.reject(new TargetRefused('not an http(s) address'));
  const host = hostOf(url);
  if (isIP(host) && !d.internal && isPrivateAddress(host))
    return Promise.reject(new TargetRefused('private address (not marked internal)'));
  const checkedLookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      const refused = !d.internal && addresses.some((a) => isPrivateAddress(a.address));
      if (refused) return callback(new TargetRefused('private address (not marked internal)'), '', 4);
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
  const timestamp = Math.floor(Date.now() / 1000);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((ok, fail) => {
    const req = send(
      url,
      {
        method: 'POST',
        lookup: checkedLookup,
        timeout: TIMEOUT_MS,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Kehu-Webhooks/1',
          [EVENT_ID_HEADER]: d.eventId,
          [EVENT_TYPE_HEADER]: d.type,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: sign(d.secret, timestamp, body),
        },
      },
      (res: IncomingMessage) => {
        // The answer's body is not needed: read (up to a point) and dropped.
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > 65_536) res.destroy();
        });
        res.on('end', () => ok(res.statusCode ?? 0));
        res.on('close', () => ok(res.statusCode ?? 0));
        res.on('error', () => ok(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', fail);
    req.end(body);
  });
}
