import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';

/**
 * A personal API token: a user's key to /api/v1, acting as that user with exactly their rights. Only
 * a SHA-256 hash of the token is kept (the token itself is shown once, when it is made); `prefix`, its
 * first characters, lets its owner tell tokens apart. The counters are the per-token rate limit's
 * fixed window, kept here so every app instance counts the same requests.
 */
@Entity()
@Index('uq_api_token_hash', ['tokenHash'], { unique: true })
@Index('ix_api_token_user', ['userId'])
export class ApiToken {
  @PrimaryGeneratedColumn()
  id: number;

  /** The user the token acts as (the users module's record, named, not imported). */
  @ManyToOne('User', { onDelete: 'CASCADE' })
  @JoinColumn()
  user?: never;

  @Column({ type: 'integer' })
  userId: number;

  @Column({ type: 'text' })
  name: string;

  /** The token's first characters (`kehu_AbC1`), shown in lists. */
  @Column({ type: 'text' })
  prefix: string;

  /** Hex SHA-256 of the whole token. */
  @Column({ type: 'text' })
  tokenHash: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  lastUsedIp: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** Who revoked it (its owner or an admin). */
  @ManyToOne('User', { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn()
  revokedBy?: never;

  @Column({ type: 'integer', nullable: true })
  revokedById: number | null;

  /** Start of the rate limit's current minute, and the requests counted in it. */
  @Column({ type: 'timestamptz', nullable: true })
  windowStart: Date | null;

  @Column({ type: 'integer', default: 0 })
  windowCount: number;
}
