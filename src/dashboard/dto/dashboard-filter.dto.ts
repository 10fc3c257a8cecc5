import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { PERIOD_KINDS, type PeriodKind } from '../period.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The dashboard's filters, in the query string: the page, its drill-downs and its export take the same. */
export class DashboardFilterDto {
  @IsOptional()
  @IsIn(PERIOD_KINDS)
  period?: PeriodKind;

  /** A custom period's first and last day (YYYY-MM-DD); a cleared one is not given (see periodOf). */
  @Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value))
  @ValidateIf((o: DashboardFilterDto) => o.period === 'custom' && o.from !== undefined)
  @Matches(DAY)
  from?: string;

  @Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value))
  @ValidateIf((o: DashboardFilterDto) => o.period === 'custom' && o.to !== undefined)
  @Matches(DAY)
  to?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  team?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  rep?: number;
}

/**
 * The dashboard's filter form as sent: the filters, and the days the page showed for its period
 * (`shown`, "from..to"), so that days typed over a preset's are told from a preset chosen.
 */
export class DashboardFormDto extends DashboardFilterDto {
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$/)
  shown?: string;
}

/**
 * The filter the form meant: days typed over those a preset showed choose those days (a custom
 * period), whatever the period picker still says; otherwise the period picked, its days ignored.
 */
export function meantFilter(form: DashboardFormDto): DashboardFilterDto {
  const { shown, ...filter } = form;
  const typed = `${filter.from ?? ''}..${filter.to ?? ''}`;
  if (filter.period !== 'custom' && shown !== undefined && typed !== shown && (filter.from || filter.to))
    return { ...filter, period: 'custom' };
  return filter;
}

/** A drill-down's narrowing of a figure: a bar of a chart, a row of a leaderboard or a table. */
export class DrillFilterDto extends DashboardFilterDto {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  dim1?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  dim2?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  owner?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  customer?: number;

  /** How the list marks its rows: `sla`, each resolved ticket met or missed its SLA. */
  @IsOptional()
  @IsIn(['sla'])
  view?: 'sla';

  /** Resolved tickets that met, or missed, their SLA. */
  @IsOptional()
  @IsIn(['met', 'missed'])
  sla?: 'met' | 'missed';
}

/** The KPI API's query: a range of days (both or neither: this month) and the team or person filter. */
export class KpiApiQuery {
  @ApiPropertyOptional({ format: 'date', example: '2026-10-01' })
  @ValidateIf((o: KpiApiQuery) => o.to !== undefined || o.from !== undefined)
  @Matches(DAY)
  from?: string;

  @ApiPropertyOptional({ format: 'date', example: '2026-10-31' })
  @ValidateIf((o: KpiApiQuery) => o.to !== undefined || o.from !== undefined)
  @Matches(DAY)
  to?: string;

  @ApiPropertyOptional({ example: 3, description: 'A team (admins: any; managers: theirs).' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  team?: number;

  @ApiPropertyOptional({
    example: 12,
    description:
      'A person (admins: anyone; managers: of their teams). With `team`, one of that team: a person of another team is refused (422).',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  rep?: number;
}
