import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  type EntityManager,
  type EntitySubscriberInterface,
  type TransactionCommitEvent,
} from 'typeorm';
import { JobsService } from '../../automation/jobs.service.js';
import { SettingsSections } from '../../common/settings/settings-sections.js';
import { SettingsService } from '../../common/settings/settings.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { translate, type Params } from '../../i18n/i18n.js';
import type { Locale } from '../../i18n/locales.js';
import {
  escapeMarkdown,
  isRobotUrl,
  maskedUrl,
  type Robot,
  robotBody,
  type RobotEvent,
  ROBOT_EVENTS,
  ROBOT_ORIGINS,
  ROBOTS,
  signedDingtalkUrl,
} from './robot-format.js';
import {
  ROBOT_DEFAULTS,
  ROBOT_SECRETS,
  ROBOT_SETTINGS_KEY,
  type RobotSettings,
  RobotSettingsDto,
} from './robot-settings.js';
import { type DueRobotMessage, RobotsRepository } from './robots.repository.js';

/** A message's text, as locale keys: the robot's language is the company's choice in settings. */
export interface RobotNotice {
  title: { key: string; params?: Params };
  lines: { key: string; params?: Params }[];
  /** A path inside Kehu (`/dashboard`), linked from the message. */
  link?: string;
}

export const ROBOTS_DELIVER_JOB = 'robots.deliver';
/** A message is tried this many times, with growing pauses (about two hours in all), then given up. */
export const ROBOT_MAX_ATTEMPTS = 8;
/** How long a robot has to answer. */
const TIMEOUT_MS = 10_000;

/** The pause before attempt n + 1: 1, 2, 4 … minutes, at most an hour. */
const backoffMs = (attempts: number): number => Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);

/**
 * Group robots (WeCom 企业微信, DingTalk 钉钉): a message for each robot set on /admin/settings, for the
 * events the admin chose, written in the caller's transaction (an outbox: it is sent once if and only
 * if what it tells happened) and sent by a job after the commit, never in the request. A robot
 * answering `{"errcode":0}` has it; any other answer is logged and retried with growing pauses.
 */
@Injectable()
export class RobotsService implements OnModuleInit, EntitySubscriberInterface {
  private readonly logger = new Logger('Robots');
  /**
   * Where each robot's webhook must point: the official https host. Only a test moves it (to a
   * local server standing in for the robots); the settings form accepts the official hosts only.
   */
  origins: Record<Robot, string> = {
    wecom: ROBOT_ORIGINS.wecom.origin,
    dingtalk: ROBOT_ORIGINS.dingtalk.origin,
  };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: RobotsRepository,
    private readonly jobs: JobsService,
    private readonly settings: SettingsService,
    private readonly sections: SettingsSections,
  ) {
    dataSource.subscribers.push(this);
  }

  onModuleInit(): void {
    this.sections.register({
      key: ROBOT_SETTINGS_KEY,
      titleKey: 'robots.settings.title',
      helpKey: 'robots.settings.help',
      partial: 'settings-robots',
      defaults: ROBOT_DEFAULTS,
      dto: RobotSettingsDto,
      secrets: ROBOT_SECRETS,
      choices: (v) =>
        Promise.resolve({
          secrets: [
            { name: 'wecomUrl', label: 'robots.settings.wecom_url' },
            { name: 'dingtalkUrl', label: 'robots.settings.dingtalk_url' },
            { name: 'dingtalkSecret', label: 'robots.settings.dingtalk_secret' },
          ],
          events: ROBOT_EVENTS.map((value) => ({ value, checked: v.events.includes(value) })),
        }),
      masked: (field, value) => (field === 'dingtalkSecret' ? `SEC…${value.slice(-4)}` : maskedUrl(value)),
    });
    this.jobs.register(ROBOTS_DELIVER_JOB, () => this.deliverDue().then(() => undefined), {
      cron: '* * * * *',
    });
  }

  async robotSettings(): Promise<RobotSettings> {
    return (await this.settings.get(ROBOT_SETTINGS_KEY, ROBOT_DEFAULTS)).value;
  }

  /** Whether some robot is set and the admin chose `event` for the robots. */
  async take(event: RobotEvent): Promise<boolean> {
    return robotsFor(await this.robotSettings(), event).length > 0;
  }

  /** The language robot messages are written in (for figures a caller formats itself). */
  async locale(): Promise<Locale> {
    return (await this.robotSettings()).locale;
  }

  /**
   * Queues `notice` for every robot set, when the admin chose `event`; nothing otherwise. In `m`, the
   * transaction of what it tells, when given; sent once that commits.
   */
  async send(event: RobotEvent, notice: RobotNotice, m?: EntityManager): Promise<void> {
    const s = await this.robotSettings();
    const robots = robotsFor(s, event);
    if (!robots.length) return;
    const text = (k: { key: string; params?: Params }) =>
      translate(
        s.locale,
        k.key,
        Object.fromEntries(
          Object.entries(k.params ?? {}).map(([name, v]) => [
            name,
            typeof v === 'string' ? escapeMarkdown(v) : v,
          ]),
        ),
      );
    const message = {
      title: text(notice.title),
      plainTitle: translate(s.locale, notice.title.key, notice.title.params).replace(/\s+/g, ' '),
      lines: notice.lines.map(text),
      link: notice.link ? `${this.config.baseUrl}${notice.link}` : null,
      linkLabel: translate(s.locale, 'robots.open_in_kehu'),
    };
    const rows = robots.map((robot) => ({ robot, event, body: robotBody(robot, message) }));
    if (m) {
      await this.repo.add(m, rows);
      if (m.queryRunner) m.queryRunner.data = { ...m.queryRunner.data, robots: true };
      else this.kick();
    } else {
      await this.dataSource.transaction((t) => this.repo.add(t, rows));
      this.kick();
    }
  }

  /** After a commit that queued messages: their run starts now rather than at the next minute. */
  afterTransactionCommit(event: TransactionCommitEvent): void {
    const data = event.queryRunner.data as { robots?: boolean } | undefined;
    if (!data?.robots) return;
    data.robots = false;
    this.kick();
  }

  private kick(): void {
    this.jobs
      .send(ROBOTS_DELIVER_JOB)
      .catch((e: unknown) => this.logger.warn(`queueing robot messages: ${String(e)}`));
  }

  /** Sends every message due now, a batch at a time; answers how many were delivered. */
  async deliverDue(batch = 20): Promise<number> {
    let delivered = 0;
    const s = await this.robotSettings();
    for (;;) {
      const due = await this.repo.leaseDue(batch, 60);
      if (!due.length) return delivered;
      const results = await Promise.all(due.map((d) => this.attempt(d, s)));
      delivered += results.filter(Boolean).length;
    }
  }

  private async attempt(d: DueRobotMessage, s: RobotSettings): Promise<boolean> {
    const attempts = d.attempts + 1;
    let error: string | null;
    try {
      error = await this.post(d, s);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    if (!error) {
      await this.repo.record(d.id, {
        status: 'delivered',
        attempts,
        lastError: null,
        nextAttemptAt: new Date(),
        deliveredAt: new Date(),
      });
      return true;
    }
    const givenUp = attempts >= ROBOT_MAX_ATTEMPTS;
    this.logger.warn(
      `${d.robot} message ${d.id}, attempt ${attempts}${givenUp ? ' (given up)' : ''}: ${error}`,
    );
    await this.repo.record(d.id, {
      status: givenUp ? 'failed' : 'pending',
      attempts,
      lastError: error.slice(0, 500),
      nextAttemptAt: new Date(Date.now() + backoffMs(attempts)),
      deliveredAt: null,
    });
    return false;
  }

  /** Posts one message to its robot as set now; answers null when it was taken, else why not. */
  private post(d: DueRobotMessage, s: RobotSettings): Promise<string | null> {
    const set = d.robot === 'wecom' ? s.wecomUrl : s.dingtalkUrl;
    if (!set) return Promise.resolve('robot no longer set');
    if (!isRobotUrl(d.robot, set, this.origins[d.robot]))
      return Promise.resolve('not the robot service address');
    const target = d.robot === 'dingtalk' ? signedDingtalkUrl(set, s.dingtalkSecret, Date.now()) : set;
    const body = JSON.stringify(d.body);
    const url = new URL(target);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((ok, fail) => {
      const req = send(
        url,
        {
          method: 'POST',
          timeout: TIMEOUT_MS,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'Kehu-Robots/1',
          },
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > 65_536) res.destroy(new Error('answer too long'));
            else chunks.push(chunk);
          });
          res.on('error', fail);
          res.on('end', () => ok(answerProblem(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
      req.on('error', fail);
      req.end(body);
    });
  }

  /** Erasing a person, in the erasure's transaction: what names them in the robots' messages is masked. */
  erasePerson(m: EntityManager, who: { jsonPattern: string; mask: string }): Promise<number> {
    return who.jsonPattern ? this.repo.maskBodies(m, who.jsonPattern, who.mask) : Promise.resolve(0);
  }
}

/** The robots set that take `event`. */
const robotsFor = (s: RobotSettings, event: RobotEvent): Robot[] =>
  s.events.includes(event) ? ROBOTS.filter((r) => (r === 'wecom' ? s.wecomUrl : s.dingtalkUrl)) : [];

/** What is wrong with a robot's answer (null: it took the message, `{"errcode":0}`). */
function answerProblem(status: number, text: string): string | null {
  if (status < 200 || status > 299) return `HTTP ${status}`;
  try {
    const answer = JSON.parse(text) as { errcode?: unknown; errmsg?: unknown };
    if (answer.errcode === 0) return null;
    return `errcode ${String(answer.errcode)}: ${String(answer.errmsg ?? '')}`;
  } catch {
    return 'answer is not JSON';
  }
}
