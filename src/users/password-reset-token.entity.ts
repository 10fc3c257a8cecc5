import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { User } from './user.entity.js';

/**
 * A "forgot your password" link sent by mail. Only the SHA-256 of the link's token is kept, so a
 * copy of the database opens no account. A link serves once (`usedAt`), for an hour (`expiresAt`),
 * and only while it is its user's latest: a newer request voids it (`voidedAt`).
 */
@Entity()
@Index('uq_password_reset_token_hash', ['tokenHash'], { unique: true })
@Index('ix_password_reset_token_user', ['userId'])
export class PasswordResetToken {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn()
  user?: Relation<User>;

  @Column({ type: 'integer' })
  userId: number;

  /** Hex SHA-256 of the token the link carries. */
  @Column({ type: 'text' })
  tokenHash: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  voidedAt: Date | null;
}
