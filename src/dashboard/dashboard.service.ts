import { Inject, Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { AuditService } from '../audit/audit.service.js';
import { NotFound, ValidationFailed } from '../common/errors.js';
import { type Fen, fen, formatMoney, fromNumeric } from '../common/money.js';
import type { SessionUser } from '../common/session-user.js';
import { localDay, parseLocalDateTime } from '../common/time.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { hasKey, translate } from '../i18n/i18n.js';
import type { Locale } from '../i18n/locales.js';
import { UsersService } from '../users/users.service.js';
import { DashboardPolicy, RepOutsideTeam } from './dashboard.policy.js';
import type { DashboardScope } from './dashboard.types.js';
import type { DashboardFilterDto, DrillFilterDto, KpiApiQuery } from './dto/dashboard-filter.dto.js';
import { type KpisResource, toKpiValuesResource } from './kpi.resource.js';
import { change, conversions, healthScore, percent, ratio } from './kpi-formulas.js';
import {
  changeCell,
  COUNT_FORMAT,
  formatChange,
  formatKpi,
  kpiCell,
  moneyCell,
  type NumberCell,
  PERCENT_FORMAT,
} from './kpi-format.js';
import {
  KPI_FIGURES,
  type DrillView,
  type KpiDef,
  kpiFor,
  type KpiKey,
  type KpiKind,
  KPIS,
  type KpiValues,
  kpiValues,
  kpisFor,
} from './kpis.js';
import {
  addDays,
  currentPeriod,
  monthDays,
  monthsOf,
  type Period,
  type PeriodKind,
  previousPeriod,
  trendSpan,
} from './period.js';
import { CustomersQuery } from './queries/customers.query.js';
import {
  type Figure,
  FIGURES,
  FUNNEL_STAGES,
  MONEY_FIGURES,
  NOT_GIVEN,
  type RowFilter,
} from './queries/figure-rows.js';
import { FiguresQuery, type FigureTotals, type GroupBy, type GroupTotals } from './queries/figures.query.js';

const CHANNELS = ['portal', 'email', 'phone', 'wechat', 'visit', 'walk_in', 'web'] as const;
const TICKET_TYPES = ['consultation', 'technical', 'billing', 'complaint'] as const;
/** The rows a drill-down lists at most (its heading counts them all). */
export const DRILL_LIMIT = 500;
const AT_RISK_SHOWN = 20;
const TOP_CUSTOMERS = 10;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const yuan = (f: Fen) => f / 100;

/** A change as news: a rise is good unless less is better; no news when flat or neither is better. */
function toneOf(direction: KpiCard['direction'], better: KpiDef['better']): KpiCard['tone'] {
  if (better === 'neither' || (direction !== 'up' && direction !== 'down')) return null;
  return (direction === 'up') === (better !== 'lower') ? 'good' : 'bad';
}

/** A figure as the page shows it: value, the previous period's, the change, and where its records are. */
export interface KpiCard {
  key: string;
  value: string;
  /** Set against the period before: false for a figure that counts days still to come (`ahead`). */
  compared: boolean;
  previous: string;
  change: string;
  direction: 'up' | 'down' | 'flat' | null;
  /** Whether the change is good news or bad (KpiDef.better); null when unchanged, neither, or not compared. */
  tone: 'good' | 'bad' | null;
  drill: string;
  /** The numbers behind the texts, for the export: the kind and both periods' values. */
  raw: { kind: KpiKind; value: number | null; previous: number | null };
}

/**
 * The KPI dashboard (/dashboard): sales, service and customers' figures for a period against the one
 * before, within what the user may see (DashboardPolicy), with drill-downs to the records behind each
 * figure and an XLSX export of its tables.
 */
@Injectable()
export class DashboardService {
  constructor(
    private readonly policy: DashboardPolicy,
    private readonly figures: FiguresQuery,
    private readonly customers: CustomersQuery,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The company's time zone: periods are its days, weeks (from Monday), months… */
  get zone(): string {
    return this.config.defaultTimezone;
  }

  /**
   * The period a filter names, in the company's zone, holding `now`. A custom range given backwards is
   * read forwards, with one day cleared it is the other day alone, with both, this month; a day that
   * does not exist (2026-02-30) is refused as a bad filter.
   */
  periodOf(filter: DashboardFilterDto, now = new Date()): Period {
    const given = filter.period === 'custom' ? (filter.from ?? filter.to) : undefined;
    if (given === undefined) {
      const kind = filter.period === undefined || filter.period === 'custom' ? 'this_month' : filter.period;
      return currentPeriod(kind, now, this.zone);
    }
    const [from, to] = [filter.from ?? given, filter.to ?? given].sort();
    for (const [field, day] of [
      ['from', from],
      ['to', to],
    ] as const)
      if (!parseLocalDateTime(day, this.zone)) throw ValidationFailed.field(field, 'validation.isDate');
    return currentPeriod('custom', now, this.zone, { from, to });
  }

  /** The scope of a user's dashboard under a team or person filter: for the digest and other readers. */
  scopeFor(user: SessionUser, filter: { team?: number; rep?: number } = {}): Promise<DashboardScope> {
    return this.policy.scope(user, filter);
  }

  /** The scope of a user's own dashboard, by their id (for jobs, which have no signed-in user). */
  async scopeOfUser(userId: number, filter: { team?: number; rep?: number } = {}): Promise<DashboardScope> {
    const user = await this.users.findForSession(userId);
    if (!user) throw new NotFound();
    return this.policy.scope(user, filter);
  }

  /** The period of `kind` holding `now` in the company's zone (a custom one: its days). */
  period(kind: PeriodKind, now = new Date(), custom?: { from: string; to: string }): Period {
    return currentPeriod(kind, now, this.zone, custom);
  }

  /**
   * The period a figure is compared with (the week, month, quarter, year or as many days before; of a
   * period under way at `now`, as many of its first days as have begun of this one).
   */
  previous(period: Period, now = new Date()): Period {
    return previousPeriod(period, localDay(now, this.zone));
  }

  /** Every KPI of a scope in a period (money in fen, rates as fractions): what the weekly digest sends. */
  kpis(scope: DashboardScope, period: Period, now = new Date()): Promise<KpiValues> {
    return kpisFor(this.figures, scope, period, now);
  }

  /** One KPI of a scope in a period, reading only the figures it needs (a threshold alert's check). */
  kpi(key: KpiKey, scope: DashboardScope, period: Period, now = new Date()): Promise<number | null> {
    return kpiFor(this.figures, key, scope, period, now);
  }

  /** How many records a figure counts for a scope in a period (tickets resolved: SLA attainment's denominator). */
  async count(figure: Figure, scope: DashboardScope, period: Period, now = new Date()): Promise<number> {
    return (await this.figures.totals(scope, period, now, [figure])).get(figure)?.n ?? 0;
  }

  /**
   * A KPI's value as the page shows it, and its change against another period's (▲ +12.5%): what
   * the weekly digest and the threshold alerts write in their mail.
   */
  formatted(
    locale: Locale,
    key: KpiKey,
    value: number | null,
    before?: number | null,
  ): { label: string; value: string; change: string } {
    const kind = (KPIS.find((k) => k.key === key) as KpiDef).kind;
    return {
      label: translate(locale, `dashboard.kpi.${key}`),
      value: formatKpi(locale, kind, value),
      change: before === undefined ? '' : formatChange(locale, kind, change(value, before)),
    };
  }

  /** The KPIs of a range of days (this month without one) and of the period before: /api/v1/kpis. */
  async kpisResource(user: SessionUser, query: KpiApiQuery): Promise<KpisResource> {
    const now = new Date();
    const scope = await this.policy.scope(user, query);
    const period = this.periodOf(
      query.from === undefined ? {} : { period: 'custom', from: query.from, to: query.to },
      now,
    );
    const previous = this.previous(period, now);
    return {
      period: { from: period.from, to: period.to },
      previous: { from: previous.from, to: previous.to },
      kpis: toKpiValuesResource(await this.kpis(scope, period, now)),
      previousKpis: toKpiValuesResource(await this.kpis(scope, previous, now)),
    };
  }

  /**
   * The scope of a page (the dashboard, a drill-down) under its filter. A team chosen with a person of
   * another team is refused with the two ways on, each the page at `url` under the filter without the
   * other: the team's figures, or the person's.
   */
  private async pageScope(
    user: SessionUser,
    filter: DashboardFilterDto,
    url: (filter: DashboardFilterDto) => string,
  ): Promise<DashboardScope> {
    try {
      return await this.policy.scope(user, filter);
    } catch (e) {
      if (e instanceof RepOutsideTeam)
        e.links = [
          { href: url({ ...filter, rep: undefined }), key: 'dashboard.filter.show_team', params: e.params },
          { href: url({ ...filter, team: undefined }), key: 'dashboard.filter.show_rep', params: e.params },
        ];
      throw e;
    }
  }

  /** The whole page's view model (the export's too: refused, it links to the dashboard). */
  async page(user: SessionUser, filter: DashboardFilterDto) {
    const now = new Date();
    const scope = await this.pageScope(user, filter, (f) => `/dashboard?${filterParams(f).toString()}`);
    const sections = await this.policy.sections(user);
    const period = this.periodOf(filter, now);
    const previous = this.previous(period, now);
    // Compared with the first days of the period before, not all of it: the period is under way.
    const underWay = previous.to !== addDays(period.from, -1);
    const trend = trendSpan(period);
    const locale = user.locale;

    const [current, before] = [
      kpiValues(await this.figures.totals(scope, period, now, KPI_FIGURES)),
      kpiValues(await this.figures.totals(scope, previous, now, KPI_FIGURES)),
    ];
    const requests: { figure: Figure; by: GroupBy }[] = [
      { figure: 'funnel', by: 'dim1' },
      { figure: 'signed', by: 'owner' },
      { figure: 'collected', by: 'owner' },
      { figure: 'new_customers', by: 'owner' },
      { figure: 'follow_ups', by: 'owner' },
      { figure: 'signed', by: 'dim1' },
      { figure: 'signed', by: 'dim2' },
      { figure: 'tickets', by: 'dim1' },
      { figure: 'tickets', by: 'dim2' },
      { figure: 'signed', by: 'customer' },
    ];
    const [funnel, signedBy, collectedBy, newBy, followBy, regions, industries, channels, types, topBy] =
      await this.figures.groups(scope, period, now, requests);
    const [signedMonthly, collectedMonthly, ticketsMonthly, csatMonthly] = await this.figures.groups(
      scope,
      trend,
      now,
      [
        { figure: 'signed', by: 'month' },
        { figure: 'collected', by: 'month' },
        { figure: 'tickets', by: 'month' },
        { figure: 'csat', by: 'month' },
      ],
    );

    const drill = (figure: Figure, rows: RowFilter = {}, view?: DrillView) =>
      drillUrl(figure, filter, rows, view);
    const cards = (section: 'sales' | 'service'): KpiCard[] =>
      KPIS.filter((k) => k.section === section).map((k) => {
        const def = k as KpiDef;
        const compared = !(def.ahead && underWay);
        const earlier = compared ? before[k.key] : null;
        const c = change(current[k.key], earlier);
        return {
          key: k.key,
          value: formatKpi(locale, def.kind, current[k.key]),
          compared,
          previous: formatKpi(locale, def.kind, earlier),
          change: compared ? formatChange(locale, def.kind, c) : '',
          direction: compared ? c.direction : null,
          tone: compared ? toneOf(c.direction, def.better) : null,
          drill: drill(def.drill.figure, def.drill.filter, def.drill.view),
          raw: { kind: def.kind, value: current[k.key], previous: earlier },
        };
      });

    // The funnel: deals reaching each stage in the period, and the share that went on to the next.
    const entered = FUNNEL_STAGES.map((s) => funnel.find((g) => g.key === s)?.n ?? 0);
    const rates = conversions(entered);
    const funnelRows = FUNNEL_STAGES.map((stage, i) => ({
      stage,
      label: translate(locale, `opportunity.stage.${stage}`),
      entered: entered[i],
      conversion: i < rates.length ? percent(rates[i]) : null,
      rate: i < rates.length ? rates[i] : null,
      drill: drill('funnel', { dim1: stage }),
    }));

    // The leaderboard: one row per person with any of the four figures, by signed amount.
    const ownerIds = new Set<number>();
    for (const list of [signedBy, collectedBy, newBy, followBy])
      for (const g of list) if (g.key !== null) ownerIds.add(Number(g.key));
    const names = await this.users.namesOf([...ownerIds]);
    const of = (list: GroupTotals[], id: number) => list.find((g) => g.key === String(id));
    const leaderboard = [...ownerIds]
      .map((id) => {
        const signed = fromNumeric(of(signedBy, id)?.total ?? '0');
        const collected = fromNumeric(of(collectedBy, id)?.total ?? '0');
        return {
          id,
          name: names.get(id) ?? `#${id}`,
          signed,
          collected,
          newCustomers: of(newBy, id)?.n ?? 0,
          followUps: of(followBy, id)?.n ?? 0,
          drill: {
            signed: drill('signed', { owner: id }),
            collected: drill('collected', { owner: id }),
            newCustomers: drill('new_customers', { owner: id }),
            followUps: drill('follow_ups', { owner: id }),
          },
        };
      })
      .sort((a, b) => b.signed - a.signed || b.collected - a.collected || a.name.localeCompare(b.name));

    const contribution = (list: GroupTotals[], dim: 'dim1' | 'dim2', label: (k: string) => string) => {
      const total = list.reduce((s, g) => s + fromNumeric(g.total), 0);
      return list
        .map((g) => ({
          key: g.key,
          label: g.key === null ? translate(locale, 'dashboard.unknown') : label(g.key),
          amount: fromNumeric(g.total),
          count: g.n,
          share: percent(ratio(fromNumeric(g.total), total)),
          shareRatio: ratio(fromNumeric(g.total), total),
          drill: drill('signed', { [dim]: g.key ?? NOT_GIVEN }),
        }))
        .sort((a, b) => b.amount - a.amount);
    };
    const mix = (list: GroupTotals[], dim: 'dim1' | 'dim2', keys: readonly string[], prefix: string) => {
      const total = list.reduce((s, g) => s + g.n, 0);
      return keys
        .map((k) => {
          const n = list.find((g) => g.key === k)?.n ?? 0;
          return {
            key: k,
            label: translate(locale, `${prefix}.${k}`),
            count: n,
            share: percent(ratio(n, total)),
            shareRatio: ratio(n, total),
            drill: drill('tickets', { [dim]: k }),
          };
        })
        .filter((r) => r.count > 0);
    };

    const months = monthsOf(trend);
    const monthly = (list: GroupTotals[], m: string) => list.find((g) => g.key === m);
    const trends = months.map((m) => {
      const csat = monthly(csatMonthly, m);
      const inMonth: DashboardFilterDto = { ...filter, period: 'custom', ...monthDays(m) };
      return {
        month: m,
        drill: {
          signed: drillUrl('signed', inMonth),
          collected: drillUrl('collected', inMonth),
          tickets: drillUrl('tickets', inMonth),
          csat: drillUrl('csat', inMonth),
        },
        signed: fromNumeric(monthly(signedMonthly, m)?.total ?? '0'),
        collected: fromNumeric(monthly(collectedMonthly, m)?.total ?? '0'),
        tickets: monthly(ticketsMonthly, m)?.n ?? 0,
        csat: csat && csat.n ? (Number(csat.total) / csat.n).toFixed(2) : null,
      };
    });

    const topCustomers = topBy
      .map((g) => ({
        id: Number(g.key),
        name: g.name ?? '',
        amount: fromNumeric(g.total),
        contracts: g.n,
        drill: drill('signed', { customer: Number(g.key) }),
      }))
      .sort((a, b) => b.amount - a.amount || a.id - b.id)
      .slice(0, TOP_CUSTOMERS);

    const atRisk = sections.customers ? await this.atRisk(scope, now, locale) : [];
    const regionsView = contribution(regions, 'dim1', (k) => k);
    const industriesView = contribution(industries, 'dim2', (k) =>
      hasKey(locale, `customer.industry.${k}`) ? translate(locale, `customer.industry.${k}`) : k,
    );
    const channelsView = mix(channels, 'dim1', CHANNELS, 'dashboard.channel');
    const typesView = mix(types, 'dim2', TICKET_TYPES, 'dashboard.ticket_type');

    const choices = await this.filterChoices(user, filter);
    const charts = {
      funnel: {
        labels: funnelRows.map((r) => r.label),
        data: entered,
        label: translate(locale, 'dashboard.chart.entered'),
      },
      leaderboard: {
        labels: leaderboard.map((r) => r.name),
        data: leaderboard.map((r) => yuan(r.signed)),
        label: translate(locale, 'dashboard.col.signed'),
        money: true,
      },
      channels: { labels: channelsView.map((r) => r.label), data: channelsView.map((r) => r.count) },
      // The series the page's trend table shows (no money for a user without sales), each axis titled.
      trends: {
        labels: months,
        ...(sections.sales
          ? {
              signed: trends.map((t) => yuan(t.signed)),
              collected: trends.map((t) => yuan(t.collected)),
            }
          : {}),
        tickets: trends.map((t) => t.tickets),
        csat: trends.map((t) => (t.csat === null ? null : Number(t.csat))),
        names: {
          ...(sections.sales
            ? {
                signed: translate(locale, 'dashboard.col.signed'),
                collected: translate(locale, 'dashboard.col.collected'),
              }
            : {}),
          tickets: translate(locale, 'dashboard.col.tickets'),
          csat: translate(locale, 'dashboard.col.csat'),
        },
        axes: {
          ...(sections.sales ? { money: translate(locale, 'dashboard.chart.axis_money') } : {}),
          tickets: translate(locale, 'dashboard.chart.axis_tickets'),
          csat: translate(locale, 'dashboard.chart.axis_csat'),
        },
      },
    };

    return {
      period: { ...period, label: periodLabel(locale, period) },
      previous: {
        ...previous,
        label: translate(locale, underWay ? 'dashboard.same_days_before' : 'dashboard.period_before', {
          days: daysLabel(previous),
        }),
      },
      filter,
      choices,
      scopeText: await this.scopeText(user, filter),
      sections,
      serviceFirst: await this.policy.leadsWithService(user),
      sales: cards('sales'),
      service: cards('service'),
      funnel: funnelRows,
      leaderboard,
      regions: regionsView,
      industries: industriesView,
      channels: channelsView,
      types: typesView,
      trends,
      atRisk,
      topCustomers,
      charts,
      exportUrl: `/dashboard/export?${filterParams(filter).toString()}`,
    };
  }

  /** The active customers most at risk, worst first, each with its reasons in words. */
  private async atRisk(scope: DashboardScope, now: Date, locale: Locale) {
    const facts = await this.customers.healthFacts(
      scope,
      { now, today: localDay(now, this.zone), zone: this.zone },
      AT_RISK_SHOWN,
    );
    const names = await this.users.namesOf(facts.flatMap((f) => (f.ownerId === null ? [] : [f.ownerId])));
    return facts
      .map((f) => {
        const health = healthScore({ ...f, overdue: fromNumeric(f.overdue) });
        return {
          id: f.id,
          name: f.name,
          tier: f.tier,
          owner: f.ownerId === null ? null : (names.get(f.ownerId) ?? null),
          score: health.score,
          reasons: health.reasons.map((r) =>
            translate(locale, `dashboard.reason.${r.key}`, {
              ...r.params,
              count: Number(r.params.count ?? 0),
              ...(r.key === 'overdue' ? { amount: formatMoney(fen(Number(r.params.amount))) } : {}),
            }),
          ),
        };
      })
      .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name) || a.id - b.id)
      .slice(0, AT_RISK_SHOWN);
  }

  /**
   * The teams and people a user may narrow the page to: the people grouped by their team, and with a
   * team chosen only that team's people offered (the others' groups hidden, shown again by the page's
   * script when the team picker changes), so a team and a person of another team are not chosen together.
   */
  private async filterChoices(user: SessionUser, filter: DashboardFilterDto) {
    if (!this.policy.mayFilter(user)) return null;
    const { teamIds, people } = await this.policy.choices(user);
    const teams = await this.figures.teams(teamIds);
    const offered = (teamId: number | null) => filter.team === undefined || filter.team === teamId;
    const grouped = new Set(teams.map((t) => t.id));
    return {
      teams,
      groups: teams
        .map((t) => ({ ...t, hidden: !offered(t.id), people: people.filter((p) => p.teamId === t.id) }))
        .filter((g) => g.people.length > 0),
      // People of no team (or of a team outside the user's): offered only with every team.
      others: people.filter((p) => p.teamId === null || !grouped.has(p.teamId)),
      othersHidden: filter.team !== undefined,
    };
  }

  /**
   * Whose figures a filtered page shows, in words ("Li Ming (team East) only"): null unfiltered or for a
   * user whose page is always their own.
   */
  private async scopeText(user: SessionUser, filter: DashboardFilterDto): Promise<string | null> {
    if (!this.policy.mayFilter(user)) return null;
    const locale = user.locale;
    if (filter.rep !== undefined) {
      const rep = (await this.users.everyone()).find((u) => u.id === filter.rep);
      const team = rep?.teamId ? (await this.users.teamNamesOf([rep.teamId])).get(rep.teamId) : undefined;
      const name = rep?.name ?? `#${filter.rep}`;
      return team === undefined
        ? translate(locale, 'dashboard.scope.rep', { rep: name })
        : translate(locale, 'dashboard.scope.rep_of_team', { rep: name, team });
    }
    if (filter.team !== undefined) {
      const team = (await this.users.teamNamesOf([filter.team])).get(filter.team) ?? `#${filter.team}`;
      return translate(locale, 'dashboard.scope.team', { team });
    }
    return null;
  }

  /**
   * A drill-down: the records behind one figure, narrowed as the link says, in the same scope. From
   * SLA attainment (view=sla) the resolved tickets are marked met or missed, and may be narrowed to
   * either (sla=met|missed).
   */
  async drill(user: SessionUser, figure: string, filter: DrillFilterDto) {
    if (!(FIGURES as readonly string[]).includes(figure)) throw new NotFound();
    const f = figure as Figure;
    const locale = user.locale;
    const now = new Date();
    const { dim1, dim2, owner, customer, sla } = filter;
    const scope = await this.pageScope(user, filter, (f) =>
      drillUrl(figure as Figure, f, { dim1, dim2, owner, customer, sla }, filter.view),
    );
    const period = this.periodOf(filter, now);
    const view: DrillView | null = filter.view === 'sla' && f === 'resolved' ? 'sla' : null;
    const rows: RowFilter = {
      dim1: filter.dim1,
      dim2: filter.dim2,
      owner: filter.owner,
      customer: filter.customer,
    };
    const narrowedRows: RowFilter = { ...rows, sla: f === 'resolved' ? filter.sla : undefined };
    const totals = await this.figures.totalsOf(f, scope, period, now, narrowedRows);
    const list = await this.figures.rows(f, scope, period, now, narrowedRows, DRILL_LIMIT);
    const names = await this.users.namesOf(list.flatMap((r) => (r.ownerId === null ? [] : [r.ownerId])));
    const isMoney = MONEY_FIGURES.has(f);
    const show = (v: string | null) =>
      v === null ? '' : isMoney ? formatMoney(fromNumeric(v)) : trimNumber(v);
    const valueKey = `dashboard.value.${f}`;
    // A figure with a second amount to show beside the first (what was collected of what fell due).
    const value2Key = `dashboard.value2.${f}`;
    const hasValue2 = hasKey(locale, value2Key);
    return {
      figure: f,
      heading: view === 'sla' ? 'dashboard.figure.resolved_sla' : `dashboard.figure.${f}`,
      period: { ...period, label: periodLabel(locale, period) },
      scopeText: await this.scopeText(user, filter),
      count: totals.n,
      countText: translate(locale, 'dashboard.drill.count', { count: totals.n }),
      total: isMoney ? formatMoney(fromNumeric(totals.total)) : null,
      shown: list.length,
      more: totals.n > list.length,
      hasValue: list.some((r) => r.value !== null),
      valueHeader: hasKey(locale, valueKey)
        ? valueKey
        : isMoney
          ? 'dashboard.value.money'
          : 'dashboard.col.value',
      value2Header: hasValue2 ? value2Key : null,
      hasHit: view === null && HIT_FIGURES.has(f),
      sla:
        view === 'sla'
          ? this.slaChoices(
              f,
              filter,
              rows,
              // unnarrowed, the heading's totals are every resolved ticket's already
              filter.sla === undefined ? totals : await this.figures.totalsOf(f, scope, period, now, rows),
            )
          : null,
      narrowed: Object.values(rows).filter((v) => v !== undefined).length > 0,
      rows: list.map((r) => ({
        ...r,
        owner: r.ownerId === null ? null : (names.get(r.ownerId) ?? null),
        valueText: show(r.value),
        value2Text: hasValue2 ? show(r.value2) : null,
        slaMet: Number(r.value2) === 1,
      })),
      back: `/dashboard?${filterParams(filter).toString()}`,
    };
  }

  /**
   * The SLA view's choices, counted from `all` (the resolved tickets' totals, unnarrowed by SLA): every
   * resolved ticket, those that met their SLA (value2 summed), those that missed it.
   */
  private slaChoices(f: Figure, filter: DrillFilterDto, rows: RowFilter, all: FigureTotals) {
    const met = Number(all.total2);
    const link = (sla?: 'met' | 'missed') => drillUrl(f, filter, { ...rows, sla }, 'sla');
    return {
      met,
      missed: all.n - met,
      choices: [
        { key: 'all', label: 'dashboard.sla.all', n: all.n, href: link(), current: filter.sla === undefined },
        { key: 'met', label: 'dashboard.sla.met', n: met, href: link('met'), current: filter.sla === 'met' },
        {
          key: 'missed',
          label: 'dashboard.sla.missed',
          n: all.n - met,
          href: link('missed'),
          current: filter.sla === 'missed',
        },
      ],
    };
  }

  /**
   * The page's tables as an XLSX workbook, audited like every export: what the user's page shows (no
   * money for a user without sales), every amount, share, rate and time a number Excel can sum, sort
   * and chart, shown in its format (yuan to the fen, %, minutes or days).
   */
  async export(
    user: SessionUser,
    filter: DashboardFilterDto,
  ): Promise<{ fileName: string; contentType: string; body: Buffer }> {
    const page = await this.page(user, filter);
    const l = user.locale;
    const tr = (key: string) => translate(l, key);
    const book = new ExcelJS.Workbook();
    const sheet = (name: string, header: string[], rows: Cell[][]) => {
      const s = book.addWorksheet(tr(name));
      s.addRow(header);
      for (const r of rows) {
        const row = s.addRow(r.map((c) => (isNumberCell(c) ? c.value : c)));
        r.forEach((c, i) => {
          if (isNumberCell(c)) row.getCell(i + 1).numFmt = c.numFmt;
          else if (typeof c === 'number') row.getCell(i + 1).numFmt = COUNT_FORMAT;
        });
      }
      s.getRow(1).font = { bold: true };
      s.columns.forEach((c) => (c.width = 18));
    };
    const money = (f: Fen) => moneyCell(f);
    const share = (v: number | null): NumberCell => ({ value: v, numFmt: PERCENT_FORMAT });
    const { sales, service, customers } = page.sections;
    sheet(
      'dashboard.sheet.summary',
      [tr('dashboard.col.kpi'), page.period.label, page.previous.label, tr('dashboard.col.change')],
      [...(sales ? page.sales : []), ...(service ? page.service : [])].map((c) => [
        tr(`dashboard.kpi.${c.key}`),
        kpiCell(l, c.raw.kind, c.raw.value),
        kpiCell(l, c.raw.kind, c.raw.previous),
        changeCell(l, c.raw.kind, change(c.raw.value, c.raw.previous)),
      ]),
    );
    if (sales) {
      sheet(
        'dashboard.sheet.funnel',
        [tr('dashboard.col.stage'), tr('dashboard.chart.entered'), tr('dashboard.col.conversion')],
        page.funnel.map((r) => [r.label, r.entered, share(r.rate)]),
      );
      sheet(
        'dashboard.sheet.leaderboard',
        [
          tr('dashboard.col.person'),
          tr('dashboard.col.signed'),
          tr('dashboard.col.collected'),
          tr('dashboard.kpi.new_customers'),
          tr('dashboard.kpi.follow_ups'),
        ],
        page.leaderboard.map((r) => [
          r.name,
          money(r.signed),
          money(r.collected),
          r.newCustomers,
          r.followUps,
        ]),
      );
      sheet(
        'dashboard.sheet.regions',
        [
          tr('dashboard.col.region'),
          tr('dashboard.col.signed'),
          tr('dashboard.col.contracts'),
          tr('dashboard.col.share'),
        ],
        page.regions.map((r) => [r.label, money(r.amount), r.count, share(r.shareRatio)]),
      );
      sheet(
        'dashboard.sheet.industries',
        [
          tr('dashboard.col.industry'),
          tr('dashboard.col.signed'),
          tr('dashboard.col.contracts'),
          tr('dashboard.col.share'),
        ],
        page.industries.map((r) => [r.label, money(r.amount), r.count, share(r.shareRatio)]),
      );
    }
    if (service) {
      sheet(
        'dashboard.sheet.channels',
        [tr('dashboard.col.channel'), tr('dashboard.col.tickets'), tr('dashboard.col.share')],
        page.channels.map((r) => [r.label, r.count, share(r.shareRatio)]),
      );
      sheet(
        'dashboard.sheet.types',
        [tr('dashboard.col.type'), tr('dashboard.col.tickets'), tr('dashboard.col.share')],
        page.types.map((r) => [r.label, r.count, share(r.shareRatio)]),
      );
    }
    // The trend table as the page has it: the money columns only for a user with sales.
    sheet(
      'dashboard.sheet.trends',
      [
        tr('dashboard.col.month'),
        ...(sales ? [tr('dashboard.col.signed'), tr('dashboard.col.collected')] : []),
        tr('dashboard.col.tickets'),
        tr('dashboard.col.csat'),
      ],
      page.trends.map((r) => [
        r.month,
        ...(sales ? [money(r.signed), money(r.collected)] : []),
        r.tickets,
        { value: r.csat === null ? null : Number(r.csat), numFmt: '0.00' },
      ]),
    );
    if (customers) {
      sheet(
        'dashboard.sheet.at_risk',
        [
          tr('dashboard.col.customer'),
          tr('dashboard.col.tier'),
          tr('dashboard.col.owner'),
          tr('dashboard.col.health'),
          tr('dashboard.col.reasons'),
        ],
        page.atRisk.map((r) => [r.name, r.tier, r.owner ?? '', r.score, r.reasons.join('; ')]),
      );
      sheet(
        'dashboard.sheet.top_customers',
        [tr('dashboard.col.customer'), tr('dashboard.col.signed'), tr('dashboard.col.contracts')],
        page.topCustomers.map((r) => [r.name, money(r.amount), r.contracts]),
      );
    }
    const body = Buffer.from(await book.xlsx.writeBuffer());
    await this.audit.record({
      action: 'export',
      entity: 'dashboard',
      diff: {
        format: { to: 'xlsx' },
        period: { to: `${page.period.from}..${page.period.to}` },
        ...(filter.team ? { team: { to: filter.team } } : {}),
        ...(filter.rep ? { rep: { to: filter.rep } } : {}),
      },
    });
    return { fileName: `dashboard-${page.period.from}-${page.period.to}.xlsx`, contentType: XLSX_TYPE, body };
  }
}

/** A cell of the export: text, a count, or a number with its format; null an empty cell. */
type Cell = string | number | NumberCell | null;
const isNumberCell = (c: Cell): c is NumberCell => typeof c === 'object' && c !== null;

/** Figures whose rows carry a meaningful hit: a won deal, a complaint, first-contact resolution, a low CSAT… */
const HIT_FIGURES: ReadonlySet<Figure> = new Set([
  'closed_deals',
  'installments_due',
  'tickets',
  'resolved',
  'csat',
  'nps',
]);

/** The filter as query parameters, to carry into drill-down links and the export. */
export function filterParams(filter: DashboardFilterDto): URLSearchParams {
  const p = new URLSearchParams();
  if (filter.period) p.set('period', filter.period);
  if (filter.period === 'custom') {
    if (filter.from) p.set('from', filter.from);
    if (filter.to) p.set('to', filter.to);
  }
  if (filter.team) p.set('team', String(filter.team));
  if (filter.rep) p.set('rep', String(filter.rep));
  return p;
}

/** The page listing the records behind `figure`, for the filter, narrowed by `rows`, marked as `view` says. */
export function drillUrl(
  figure: Figure,
  filter: DashboardFilterDto,
  rows: RowFilter = {},
  view?: DrillView,
): string {
  const p = filterParams(filter);
  for (const [k, v] of Object.entries(rows)) if (v !== undefined) p.set(k, String(v));
  if (view) p.set('view', view);
  const qs = p.toString();
  return `/dashboard/drill/${figure}${qs ? `?${qs}` : ''}`;
}

function periodLabel(locale: Locale, p: Period): string {
  return `${translate(locale, `dashboard.period.${p.kind}`)} · ${daysLabel(p)}`;
}

/** A period's days: "2026-11-01 – 2026-11-30", or the one day. */
function daysLabel(p: Period): string {
  return p.from === p.to ? p.from : `${p.from} – ${p.to}`;
}

const trimNumber = (v: string) => {
  const n = Number(v);
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
};
