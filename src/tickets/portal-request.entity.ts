import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A request the portal took, counted against one of its keys (its IP address, an e-mail, a mobile, a
 * ticket's tracking token) for the hourly bound; kept an hour. In the database, so that every Kehu
 * instance counts the same requests.
 */
@Entity()
@Index('ix_portal_request_key', ['key', 'at'])
@Index('ix_portal_request_at', ['at'])
export class PortalRequest {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  key: string;

  @Column({ type: 'timestamptz' })
  at: Date;
}
