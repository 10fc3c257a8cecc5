import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { Attachment } from './attachment.entity.js';

/** An attachment without its bytes: what lists and checks read. */
export type AttachmentRow = Omit<Attachment, 'bytes' | 'deletedAt'>;

const COLUMNS = {
  id: true,
  ownerKind: true,
  ownerId: true,
  fileName: true,
  contentType: true,
  size: true,
  sha256: true,
  uploadedById: true,
  createdAt: true,
} as const;

/** All SQL of attachments. Bytes are read only by readBytes(). */
@Injectable()
export class AttachmentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    m: EntityManager,
    row: Omit<Attachment, 'id' | 'createdAt' | 'deletedAt'>,
  ): Promise<AttachmentRow> {
    const result = await m.insert(Attachment, row);
    const { id, createdAt } = result.generatedMaps[0] as Pick<Attachment, 'id' | 'createdAt'>;
    const { bytes: _bytes, ...rest } = row;
    return { ...rest, id, createdAt };
  }

  /** The owner's attachments that are not deleted, oldest first. */
  async listByOwner(kind: string, ownerId: number): Promise<AttachmentRow[]> {
    return this.dataSource.getRepository(Attachment).find({
      select: COLUMNS,
      where: { ownerKind: kind, ownerId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  async find(id: number): Promise<AttachmentRow | null> {
    return this.dataSource.getRepository(Attachment).findOne({ select: COLUMNS, where: { id } });
  }

  async readBytes(id: number): Promise<Buffer | null> {
    const row = await this.dataSource
      .getRepository(Attachment)
      .createQueryBuilder('a')
      .select('a.id')
      .addSelect('a.bytes')
      .where('a.id = :id', { id })
      .getOne();
    return row?.bytes ?? null;
  }

  /** Marks one of the owner's attachments deleted; false if it has none by that id. */
  async softDelete(m: EntityManager, kind: string, ownerId: number, id: number): Promise<boolean> {
    const result = await m.softDelete(Attachment, { id, ownerKind: kind, ownerId, deletedAt: IsNull() });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Erasing a person: the files of the given records lose their bytes and names (the rows stay, marked
   * deleted, so sizes and counts still add up).
   */
  async erase(m: EntityManager, kind: string, ownerIds: number[], mask: string): Promise<number> {
    const [, count] = (await m.query(
      `UPDATE attachment SET file_name = $3, bytes = ''::bytea, deleted_at = coalesce(deleted_at, now())
       WHERE owner_kind = $1 AND owner_id = ANY($2)`,
      [kind, ownerIds, mask],
    )) as [unknown, number];
    return count;
  }
}
