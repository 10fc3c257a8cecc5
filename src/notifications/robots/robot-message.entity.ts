import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const ROBOT_MESSAGE_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type RobotMessageStatus = (typeof ROBOT_MESSAGE_STATUSES)[number];

/**
 * A message on its way to a group robot (WeCom or DingTalk), written in the transaction of what it
 * tells (so it exists once if and only if that happened), sent by a job and retried until the robot
 * answers `errcode` 0 or the attempts run out. The robot's URL and secret are read when sending.
 */
@Entity()
@Index('ix_robot_message_due', ['nextAttemptAt'], { where: `status = 'pending'` })
@Check('ck_robot_message_status', `"status" IN ('pending', 'delivered', 'failed')`)
@Check('ck_robot_message_robot', `"robot" IN ('wecom', 'dingtalk')`)
export class RobotMessage {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'text' })
  robot: 'wecom' | 'dingtalk';

  @Column({ type: 'text' })
  event: string;

  /** The JSON body the robot takes. */
  @Column({ type: 'jsonb' })
  body: Record<string, unknown>;

  @Column({ type: 'text', default: 'pending' })
  status: RobotMessageStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
