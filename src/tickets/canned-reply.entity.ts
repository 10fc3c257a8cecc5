import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

/**
 * A canned reply (常用回复) a team's agents insert into a public reply; `{customer}` and `{contact}`
 * in its body are filled with the ticket's customer and requester names, nothing else is interpreted.
 * A reply without a team is offered to every team.
 */
@Entity()
@Index('ix_canned_reply_team', ['teamId'], { where: '"deleted_at" IS NULL' })
export class CannedReply {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne('Team', { onDelete: 'CASCADE' })
  @JoinColumn()
  team?: never;

  @Column({ type: 'integer', nullable: true })
  teamId: number | null;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text' })
  body: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @DeleteDateColumn({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @VersionColumn()
  version: number;
}
