import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A failed login, kept for the throttle window; counted per account and per IP. */
@Entity()
@Index('ix_login_failure_email', ['email', 'at'])
@Index('ix_login_failure_ip', ['ip', 'at'])
export class LoginFailure {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text' })
  ip: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;
}
