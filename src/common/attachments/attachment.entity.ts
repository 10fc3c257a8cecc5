import {
  Check,
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
} from 'typeorm';

/**
 * A file attached to a record (a contract's scan, a ticket's screenshot), its bytes kept in PostgreSQL
 * so app nodes stay stateless and a database backup holds everything. The owner is named by kind and
 * id (`contract` 12), not by a foreign key: the kernel knows no module's tables, and the owning module
 * says who may open it (AttachmentOwners). The uploader is a user id for the same reason.
 */
@Entity()
@Index('ix_attachment_owner', ['ownerKind', 'ownerId'])
@Check('ck_attachment_size', '"size" >= 0')
export class Attachment {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'text' })
  ownerKind: string;

  @Column({ type: 'integer' })
  ownerId: number;

  /** As the uploader's browser named it, path and control characters removed. */
  @Column({ type: 'text' })
  fileName: string;

  /** Sniffed from the bytes, never taken from the browser. */
  @Column({ type: 'text' })
  contentType: string;

  @Column({ type: 'integer' })
  size: number;

  /** Hex SHA-256 of the bytes. */
  @Column({ type: 'text' })
  sha256: string;

  /** Loaded only to serve the file, never with a list. */
  @Column({ type: 'bytea', select: false })
  bytes: Buffer;

  @Column({ type: 'integer' })
  uploadedById: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @DeleteDateColumn({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}
