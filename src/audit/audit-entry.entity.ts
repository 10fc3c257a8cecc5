import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AuditDiff } from '../common/audit-trail.js';

/**
 * One recorded action. Append-only: a trigger (see the migration) refuses UPDATE and DELETE.
 * The actor is kept by id and e-mail, without a foreign key, so the entry outlives any change to users.
 */
@Entity()
@Index('ix_audit_entry_entity', ['entity', 'entityId'])
@Index('ix_audit_entry_at', ['at'])
@Index('ix_audit_entry_actor', ['actorId'])
export class AuditEntry {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  @Column({ type: 'integer', nullable: true })
  actorId: number | null;

  @Column({ type: 'text', nullable: true })
  actorEmail: string | null;

  /** create, update, delete, restore, login, login_failed, logout, import, export, approve, permission… */
  @Column({ type: 'text' })
  action: string;

  @Column({ type: 'text' })
  entity: string;

  @Column({ type: 'text', nullable: true })
  entityId: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  diff: AuditDiff;

  @Column({ type: 'text', nullable: true })
  ip: string | null;

  @Column({ type: 'text', nullable: true })
  requestId: string | null;
}
