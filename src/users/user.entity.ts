import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { Locale, Role } from '../common/roles.js';
import { Team } from './team.entity.js';

/** A person who signs in. The table is app_user, as `user` is reserved in SQL. */
@Entity('app_user')
@Index('uq_user_email', ['email'], { unique: true })
@Check('ck_user_role', `"role" IN ('admin', 'manager', 'sales', 'service')`)
@Check('ck_user_locale', `"locale" IN ('en', 'zh-CN')`)
@Check('ck_user_email_lower', `"email" = lower("email")`)
export class User {
  @PrimaryGeneratedColumn()
  id: number;

  /** Always stored lower-case. */
  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  role: Role;

  @ManyToOne(() => Team, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn()
  team: Relation<Team> | null;

  @Index('ix_user_team')
  @Column({ type: 'integer', nullable: true })
  teamId: number | null;

  /** Province a sales rep covers; unowned leads there are visible to them. */
  @Column({ type: 'text', nullable: true })
  region: string | null;

  @Column({ type: 'text', default: 'zh-CN' })
  locale: Locale;

  /** The user asked not to receive the weekly KPI digest (their account page). */
  @Column({ type: 'boolean', default: false })
  digestOptOut: boolean;

  @Column({ type: 'text', default: 'Asia/Shanghai' })
  timezone: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** Since when a service agent has marked themselves away: new tickets are not assigned to them. */
  @Column({ type: 'timestamptz', nullable: true })
  awaySince: Date | null;

  @Column({ type: 'text', select: false })
  passwordHash: string;

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
