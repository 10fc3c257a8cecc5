import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { AttachmentOwners } from '../../src/common/attachments/attachment-owners.js';
import { ATTACHMENT_MAX_BYTES } from '../../src/common/attachments/attachment-files.js';
import { AttachmentsService } from '../../src/common/attachments/attachments.service.js';
import { ValidationFailed } from '../../src/common/errors.js';
import { translate } from '../../src/i18n/i18n.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { createUser, type UserRow } from '../helpers/factories.js';

const PDF = Buffer.from(
  '%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
);
const PNG = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
]);
const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0]);

/** GET as the browser of `client` would, keeping the body as bytes. */
async function download(t: TestApp, client: Client, id: number | string) {
  const res = await fetch(`${t.url}/attachments/${id}`, {
    redirect: 'manual',
    headers: client.sessionId ? { cookie: `kehu.sid=${client.sessionId}` } : {},
  });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The file name a browser saves under: filename* (RFC 6266) when present. */
function savedName(disposition: string | null): string {
  const star = /filename\*=UTF-8''([^;]+)/.exec(disposition ?? '');
  if (star) return decodeURIComponent(star[1]);
  return /filename="([^"]*)"/.exec(disposition ?? '')?.[1] ?? '';
}

function refusal(e: unknown): unknown {
  expect(e).toBeInstanceOf(ValidationFailed);
  return (e as ValidationFailed).fields;
}

describe('AttachmentsService', () => {
  let t: TestApp;
  let attachments: AttachmentsService;
  let ds: DataSource;
  let allowed: UserRow;
  let refused: UserRow;
  let allowedClient: Client;
  let refusedClient: Client;
  /** The test's owner policy: which user may see which record (`userId:recordId`). */
  const mayOpen = new Set<string>();

  beforeAll(async () => {
    t = await startApp();
    attachments = t.app.get(AttachmentsService);
    ds = t.app.get(DataSource);
    t.app
      .get(AttachmentOwners)
      .register('test-record', async (user, ownerId) => mayOpen.has(`${user.id}:${ownerId}`));
    allowed = await createUser(t.db, { role: 'sales' });
    refused = await createUser(t.db, { role: 'admin' });
    mayOpen.add(`${allowed.id}:7`);
    allowedClient = await signedIn(t, allowed);
    refusedClient = await signedIn(t, refused);
  });

  afterAll(async () => {
    await t?.close();
  });

  const store = (ownerId: number, fileName: string, bytes: Buffer, kind = 'test-record') =>
    ds.transaction((m) =>
      attachments.store(m, { kind, id: ownerId }, { fileName, bytes, uploadedById: allowed.id }),
    );

  it('stores a file in a transaction and serves it to a user the owner’s policy allows', async () => {
    const stored = await store(7, '合同扫描件.pdf', PDF);
    expect(stored).toMatchObject({
      fileName: '合同扫描件.pdf',
      contentType: 'application/pdf',
      size: PDF.length,
    });

    const { rows } = await t.db.query(
      `SELECT owner_kind, owner_id, file_name, content_type, size, sha256, bytes, uploaded_by_id, deleted_at
       FROM attachment WHERE id = $1`,
      [stored.id],
    );
    expect(rows[0]).toEqual({
      owner_kind: 'test-record',
      owner_id: 7,
      file_name: '合同扫描件.pdf',
      content_type: 'application/pdf',
      size: PDF.length,
      sha256: createHash('sha256').update(PDF).digest('hex'),
      bytes: PDF,
      uploaded_by_id: allowed.id,
      deleted_at: null,
    });

    const res = await download(t, allowedClient, stored.id);
    expect(res.status).toBe(200);
    expect(res.bytes.equals(PDF)).toBe(true);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-length')).toBe(String(PDF.length));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const disposition = res.headers.get('content-disposition');
    expect(disposition).toMatch(/^attachment; filename="attachment\.pdf"; filename\*=UTF-8''/);
    expect(savedName(disposition)).toBe('合同扫描件.pdf');
  });

  it('serves the type sniffed from the bytes, whatever the name says', async () => {
    const stored = await store(7, 'photo.pdf', PNG);
    const res = await download(t, allowedClient, stored.id);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(savedName(res.headers.get('content-disposition'))).toBe('photo.pdf');
  });

  it('answers 404, as for a file that does not exist, to a user the owner’s policy refuses', async () => {
    const stored = await store(7, '报价单.pdf', PDF);
    // An admin, but the record's own policy (here, the test's) says no: the kernel does not overrule it.
    const res = await download(t, refusedClient, stored.id);
    expect(res.status).toBe(404);
    expect(res.bytes.includes(PDF)).toBe(false);
    expect(res.headers.get('content-disposition')).toBeNull();
    expect((await download(t, refusedClient, 2_000_000_000)).status).toBe(404);

    // Another record of the same kind that the allowed user may not see.
    const other = await store(8, 'other.pdf', PDF);
    expect((await download(t, allowedClient, other.id)).status).toBe(404);
  });

  it('answers 404 for a kind no module registered, a removed file and an id that cannot be one', async () => {
    const orphan = await store(7, 'orphan.pdf', PDF, 'unregistered-kind');
    expect((await download(t, allowedClient, orphan.id)).status).toBe(404);

    const removed = await store(7, 'removed.pdf', PDF);
    expect(
      await ds.transaction((m) => attachments.remove(m, { kind: 'test-record', id: 7 }, removed.id)),
    ).toBe(true);
    expect((await download(t, allowedClient, removed.id)).status).toBe(404);
    const { rows } = await t.db.query(`SELECT deleted_at FROM attachment WHERE id = $1`, [removed.id]);
    expect(rows[0].deleted_at).toBeInstanceOf(Date);

    for (const id of ['abc', '99999999999', '0', '-1', '1.5'])
      expect((await download(t, allowedClient, id)).status).toBe(404);
  });

  it('sends a visitor who is not signed in to the login page', async () => {
    const stored = await store(7, 'a.pdf', PDF);
    const res = await download(t, new Client(t.url), stored.id);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/login\?returnTo=/);
  });

  it('lists a record’s files, oldest first, without their bytes', async () => {
    const first = await store(42, 'first.pdf', PDF);
    const second = await store(42, 'second.png', PNG);
    await store(43, 'elsewhere.pdf', PDF);
    const list = await attachments.list({ kind: 'test-record', id: 42 });
    expect(list.map((a) => [a.id, a.fileName, a.contentType])).toEqual([
      [first.id, 'first.pdf', 'application/pdf'],
      [second.id, 'second.png', 'image/png'],
    ]);
    expect(list.every((a) => !('bytes' in a))).toBe(true);
  });

  it('refuses a renamed program and a file over the limit, as the form’s file field, storing nothing', async () => {
    const before = (await t.db.query(`SELECT count(*)::int AS n FROM attachment`)).rows[0].n;
    const program = await store(7, '合同.pdf', ELF).catch((e: unknown) => e);
    expect(refusal(program)).toEqual({ file: [{ key: 'attachment.type_refused' }] });
    const big = await store(7, 'big.pdf', Buffer.alloc(ATTACHMENT_MAX_BYTES + 1)).catch((e: unknown) => e);
    expect(refusal(big)).toEqual({ file: [{ key: 'attachment.too_large', params: { max: 20 } }] });
    expect(translate('en', 'attachment.too_large', { max: 20 })).toBe('The file is larger than 20 MB.');
    expect(translate('zh-CN', 'attachment.too_large', { max: 20 })).toBe('文件超过 20 MB。');
    // Exactly the limit is fine.
    const limit = Buffer.concat([PDF, Buffer.alloc(ATTACHMENT_MAX_BYTES - PDF.length, 0x20)]);
    expect((await store(7, 'limit.pdf', limit)).size).toBe(ATTACHMENT_MAX_BYTES);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM attachment`)).rows[0].n).toBe(before + 1);
  });

  it('keeps nothing of a file whose record’s transaction rolls back', async () => {
    await expect(
      ds.transaction(async (m) => {
        await attachments.store(
          m,
          { kind: 'test-record', id: 99 },
          { fileName: 'x.pdf', bytes: PDF, uploadedById: allowed.id },
        );
        throw new Error('the record was refused');
      }),
    ).rejects.toThrow(/refused/);
    expect(await attachments.list({ kind: 'test-record', id: 99 })).toEqual([]);
  });

  it('lets each owner kind be registered once', () => {
    expect(() => t.app.get(AttachmentOwners).register('test-record', async () => true)).toThrow(/twice/);
  });
});
