import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';

/** An in-app notification; `kind` selects the message `notification.<kind>` in the locale files. */
@Entity()
@Index('ix_notification_unread', ['userId', 'createdAt'], { where: 'read_at IS NULL' })
@Index('ix_notification_user', ['userId', 'createdAt'])
export class Notification {
  @PrimaryGeneratedColumn()
  id: number;

  /**
   * The foreign key to app_user, named by entity so this module imports nothing of the users module;
   * never loaded (the recipient is `userId`).
   */
  @ManyToOne('User', { onDelete: 'CASCADE' })
  @JoinColumn()
  user?: unknown;

  @Column({ type: 'integer' })
  userId: number;

  @Column({ type: 'text' })
  kind: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  params: Record<string, string | number>;

  /** A path inside Kehu. */
  @Column({ type: 'text', nullable: true })
  link: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  readAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
