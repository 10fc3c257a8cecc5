import { Injectable } from '@nestjs/common';
import type { SessionUser } from '../session-user.js';

/** Whether `user` may see the record `ownerId`, in the owning module's policy. */
export type AttachmentAccess = (user: SessionUser, ownerId: number) => Promise<boolean>;

/**
 * Who may open an attachment is the owning record's business: a module that attaches files to its
 * records registers its kind with its policy's check, typically in onModuleInit:
 * `owners.register('contract', (user, id) => this.contracts.maySee(user, id))`. An attachment of a
 * kind nobody registered is opened by no one.
 */
@Injectable()
export class AttachmentOwners {
  private readonly checks = new Map<string, AttachmentAccess>();

  register(kind: string, check: AttachmentAccess): void {
    if (this.checks.has(kind)) throw new Error(`attachments: the owner kind "${kind}" is registered twice`);
    this.checks.set(kind, check);
  }

  /** The owning module's answer; false for a kind no module registered. */
  async maySee(user: SessionUser, kind: string, ownerId: number): Promise<boolean> {
    const check = this.checks.get(kind);
    return check ? check(user, ownerId) : false;
  }
}
