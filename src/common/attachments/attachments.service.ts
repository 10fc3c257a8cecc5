import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotFound, ValidationFailed } from '../errors.js';
import type { SessionUser } from '../session-user.js';
import {
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_MAX_MB,
  cleanFileName,
  isAllowedType,
  sniffContentType,
} from './attachment-files.js';
import { AttachmentOwners } from './attachment-owners.js';
import { AttachmentsRepository } from './attachments.repository.js';

/** The record a file is attached to: its module's kind ('contract', 'ticket') and its id. */
export interface AttachmentOwner {
  kind: string;
  id: number;
}

/** A file as received from a form, and who sent it. */
export interface AttachmentUpload {
  fileName: string;
  bytes: Buffer;
  uploadedById: number;
}

/** An attachment as pages show it (a link to /attachments/:id), without its bytes. */
export interface AttachmentView {
  id: number;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedById: number;
  createdAt: Date;
}

/** An attachment to be served: its bytes and how to label them. */
export interface AttachmentFile extends AttachmentView {
  bytes: Buffer;
}

const toView = (a: AttachmentView): AttachmentView => ({
  id: a.id,
  fileName: a.fileName,
  contentType: a.contentType,
  size: a.size,
  sha256: a.sha256,
  uploadedById: a.uploadedById,
  createdAt: a.createdAt,
});

/**
 * Files attached to records, kept in PostgreSQL. The owning module stores and lists them from its
 * own service (after its policy allowed the user to see or change the record); opening one by its
 * id asks the owning module's check first, through AttachmentOwners.
 */
@Injectable()
export class AttachmentsService {
  constructor(
    private readonly repository: AttachmentsRepository,
    private readonly owners: AttachmentOwners,
  ) {}

  /**
   * Attaches `upload` to `owner` in the caller's transaction. Refused as the form field `file`: a
   * file over ATTACHMENT_MAX_MB, or one whose bytes are not of an allowed type (whatever its name says).
   */
  async store(m: EntityManager, owner: AttachmentOwner, upload: AttachmentUpload): Promise<AttachmentView> {
    const { bytes } = upload;
    if (bytes.length > ATTACHMENT_MAX_BYTES)
      throw ValidationFailed.field('file', 'attachment.too_large', { max: ATTACHMENT_MAX_MB });
    const fileName = cleanFileName(upload.fileName);
    const contentType = sniffContentType(bytes, fileName);
    if (!isAllowedType(contentType)) throw ValidationFailed.field('file', 'attachment.type_refused');
    const row = await this.repository.insert(m, {
      ownerKind: owner.kind,
      ownerId: owner.id,
      fileName,
      contentType,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes,
      uploadedById: upload.uploadedById,
    });
    return toView(row);
  }

  /** The record's attachments, oldest first; the owning module has checked the user may see it. */
  async list(owner: AttachmentOwner): Promise<AttachmentView[]> {
    return (await this.repository.listByOwner(owner.kind, owner.id)).map(toView);
  }

  /** Removes one of the record's attachments (kept, marked deleted); false if it has no such one. */
  async remove(m: EntityManager, owner: AttachmentOwner, id: number): Promise<boolean> {
    return this.repository.softDelete(m, owner.kind, owner.id, id);
  }

  /**
   * The file with its bytes, if the owning record's policy lets `user` see that record. Otherwise, or
   * for a deleted attachment or a kind no module registered, NotFound: outside the scope is 404.
   */
  async open(user: SessionUser, id: number): Promise<AttachmentFile> {
    const row = await this.repository.find(id);
    if (!row || !(await this.owners.maySee(user, row.ownerKind, row.ownerId))) throw new NotFound();
    const bytes = await this.repository.readBytes(id);
    if (!bytes) throw new NotFound();
    return { ...toView(row), bytes };
  }

  /** Erasing a person (in the erasure's transaction): the files of these records are emptied and removed. */
  erase(m: EntityManager, kind: string, ownerIds: number[], mask: string): Promise<number> {
    return ownerIds.length ? this.repository.erase(m, kind, ownerIds, mask) : Promise.resolve(0);
  }
}
