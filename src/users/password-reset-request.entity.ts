import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A request for a password reset link, for the hourly bound per address typed and per IP address.
 * Kept whatever the address (an account's or not), so the bound tells nothing about which exist; in
 * the database, so every Kehu instance counts the same requests.
 */
@Entity()
@Index('ix_password_reset_request_email', ['email', 'at'])
@Index('ix_password_reset_request_ip', ['ip', 'at'])
export class PasswordResetRequest {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  /** As typed, trimmed and lower-cased. */
  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text' })
  ip: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;
}
