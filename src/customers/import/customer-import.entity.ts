import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';

export const IMPORT_STATUSES = ['mapping', 'checking', 'checked', 'importing', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/**
 * One spreadsheet on its way in: uploaded (mapping), checked row by row in the background (checking →
 * checked, the preview), then written in one transaction (importing → done, or failed with nothing kept).
 */
@Entity()
@Index('ix_customer_import_user', ['userId', 'createdAt'])
@Check(
  'ck_customer_import_status',
  `"status" IN ('mapping', 'checking', 'checked', 'importing', 'done', 'failed')`,
)
export class CustomerImport {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The importing user (the users module's record, named, not imported): the foreign key only. */
  @ManyToOne('User', { onDelete: 'CASCADE' })
  @JoinColumn()
  user?: never;

  @Column({ type: 'integer' })
  userId: number;

  @Column({ type: 'text' })
  fileName: string;

  /** Where the upload is kept under DATA_DIR while the import is open. */
  @Column({ type: 'text' })
  filePath: string;

  @Column({ type: 'text' })
  format: 'csv' | 'xlsx';

  @Column({ type: 'text', default: 'mapping' })
  status: ImportStatus;

  /** Which row of the file holds the headers (1 unless title rows stand above them); data starts below it. */
  @Column({ type: 'integer', default: 1 })
  headerRow: number;

  /** The encoding a CSV was read in (utf8, gb18030, utf16le); null for a workbook. */
  @Column({ type: 'text', nullable: true })
  encoding: string | null;

  /** The file's header row, as written. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  headers: string[];

  /** For each column, the customer field it fills ('' = ignored). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  mapping: string[];

  /** Rows read so far by the running step, and how many there are (once known). */
  @Column({ type: 'integer', default: 0 })
  progress: number;

  @Column({ type: 'integer', default: 0 })
  total: number;

  /** Counts for the preview and the result: ok, errors, duplicates, created, updated, skipped. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  counts: Record<string, number>;

  /** Why the import failed (nothing of it was stored). */
  @Column({ type: 'text', nullable: true })
  failure: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** A checked row of an import: its mapped values, what is wrong with it, and what to do with it. */
@Entity()
@Index('ix_customer_import_row_action', ['importId', 'action'])
@Check('ck_customer_import_row_action', `"action" IN ('create', 'update', 'skip', 'error')`)
export class CustomerImportRow {
  @PrimaryColumn({ type: 'uuid' })
  importId: string;

  @ManyToOne(() => CustomerImport, { onDelete: 'CASCADE' })
  @JoinColumn()
  import: Relation<CustomerImport>;

  /** The row number in the file, as the user sees it. */
  @PrimaryColumn({ type: 'integer' })
  rowNo: number;

  /** The mapped, normalised values, with the name's duplicate and search keys (nameKey, searchText). */
  @Column({ type: 'jsonb' })
  values: Record<string, string | boolean | null>;

  /** Field → locale key of what is wrong with it. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  errors: Record<string, string>;

  /** The existing customer (or earlier row, as -rowNo) this row duplicates, if any. */
  @Column({ type: 'integer', nullable: true })
  duplicateOf: number | null;

  @Column({ type: 'text', nullable: true })
  duplicateName: string | null;

  @Column({ type: 'text', nullable: true })
  duplicateOwner: string | null;

  /** May the importing user update the duplicate? (A rep may not touch another rep's customer.) */
  @Column({ type: 'boolean', default: false })
  duplicateEditable: boolean;

  @Column({ type: 'text' })
  action: 'create' | 'update' | 'skip' | 'error';

  /**
   * The customer the run created from this row, kept where a later row of the file updates it: that
   * update goes there (settleUpdateTargets).
   */
  @Column({ type: 'integer', nullable: true })
  customerId: number | null;
}
