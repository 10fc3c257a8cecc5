import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  VersionColumn,
} from 'typeorm';

export const TASK_KINDS = ['care', 'kickoff', 'follow_up', 'approval'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];
export const TASK_STATUSES = ['open', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * Something one person has to do by a day: a kickoff step after a contract is signed, a customer-care
 * call, a follow-up. Made by a module's rule and named by its source (`contract` 58), it shows on the
 * assignee's My day until they mark it done. The open ones are read by assignee and due day.
 */
@Entity()
@Index('ix_task_assignee_open', ['assigneeId', 'dueOn', 'id'], { where: `"status" = 'open'` })
@Index('ix_task_source', ['sourceKind', 'sourceId'])
@Check('ck_task_kind', `"kind" IN ('care', 'kickoff', 'follow_up', 'approval')`)
@Check('ck_task_status', `"status" IN ('open', 'done')`)
@Check('ck_task_done', `("status" = 'done') = ("done_at" IS NOT NULL)`)
export class Task {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne('User', { onDelete: 'CASCADE' })
  @JoinColumn()
  assignee?: never;

  @Column({ type: 'integer' })
  assigneeId: number;

  @Column({ type: 'date' })
  dueOn: string;

  @Column({ type: 'text', default: 'open' })
  status: TaskStatus;

  @Column({ type: 'text' })
  kind: TaskKind;

  /** What the task is about: a record kind (`contract`) and its id, linked from the task. */
  @Column({ type: 'text' })
  sourceKind: string;

  @Column({ type: 'integer' })
  sourceId: number;

  /** What is to be done, as a locale key (task.kickoff.meeting) shown in the reader's language; null when the title says it. */
  @Column({ type: 'text', nullable: true })
  labelKey: string | null;

  /** What the task is about, the same in every language: the contract's number and customer. */
  @Column({ type: 'text' })
  title: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  doneAt: Date | null;

  @VersionColumn()
  version: number;
}
