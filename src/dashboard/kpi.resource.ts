import { ApiProperty } from '@nestjs/swagger';
import { toNumeric, fen } from '../common/money.js';
import { type KpiDef, type KpiKind, KPIS, type KpiValues } from './kpis.js';

/** What a value of each kind is in the API: money as exact yuan text, the rest as numbers. */
const KIND_DOC: Record<KpiKind, { type: 'string' | 'number' | 'integer'; description: string }> = {
  count: { type: 'integer', description: 'a count' },
  money: { type: 'string', description: 'yuan, exact to the fen ("20000.50")' },
  rate: { type: 'number', description: 'a fraction between 0 and 1' },
  minutes: { type: 'number', description: 'business minutes' },
  days: { type: 'number', description: 'days' },
  score: { type: 'number', description: 'a mean score' },
  nps: { type: 'number', description: 'promoters minus detractors, in % (−100 to 100)' },
};

/** Every KPI of a period; null where there is nothing to measure (a rate of nothing). */
export class KpiValuesResource {}
for (const k of KPIS as readonly KpiDef[]) {
  const doc = KIND_DOC[k.kind];
  ApiProperty({ type: doc.type, nullable: true, description: doc.description })(
    KpiValuesResource.prototype,
    k.key,
  );
}

export class KpiPeriodResource {
  @ApiProperty({ format: 'date', example: '2026-10-01' }) from: string;
  @ApiProperty({ format: 'date', example: '2026-10-31' }) to: string;
}

/** /api/v1/kpis: the dashboard's KPIs of a period and of the period before, within the token user's scope. */
export class KpisResource {
  @ApiProperty({ type: KpiPeriodResource }) period: KpiPeriodResource;
  @ApiProperty({ type: KpiPeriodResource }) previous: KpiPeriodResource;
  @ApiProperty({ type: KpiValuesResource }) kpis: KpiValuesResource;
  @ApiProperty({ type: KpiValuesResource }) previousKpis: KpiValuesResource;
}

/** KPI values as the API answers them: money as numeric text, the rest as they are. */
export function toKpiValuesResource(values: KpiValues): KpiValuesResource {
  return Object.fromEntries(
    (KPIS as readonly KpiDef[]).map((k) => {
      const v = values[k.key as keyof KpiValues];
      return [k.key, v !== null && k.kind === 'money' ? toNumeric(fen(v)) : v];
    }),
  );
}
