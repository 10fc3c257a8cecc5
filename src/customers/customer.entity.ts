import {
  Check,
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { CustomerKind, CustomerStatus, CustomerTier } from './customer.options.js';
import { Contact } from './contact.entity.js';

@Entity()
@Index('uq_customer_uscc', ['uscc'], { unique: true, where: 'uscc IS NOT NULL AND deleted_at IS NULL' })
@Index('ix_customer_name_key', ['nameKey'])
// The search index (on search_tokens: customer-search.ts) and the trigram index for name similarity;
// created by hand in the migrations.
@Index('ix_customer_search', { synchronize: false })
@Index('ix_customer_name_key_trgm', { synchronize: false })
// The list's sort orders, for live customers; created by hand in the migration. They also serve
// lookups by owner (ix_customer_owner_recent), by name and by last interaction; the owner_ ones give
// a rep's or manager's list one index scan per owner in each sort.
@Index('ix_customer_recent', { synchronize: false })
@Index('ix_customer_owner_recent', { synchronize: false })
@Index('ix_customer_owner_name', { synchronize: false })
@Index('ix_customer_owner_idle', { synchronize: false })
@Index('ix_customer_by_name', { synchronize: false })
@Index('ix_customer_idle', { synchronize: false })
// Live customers' next steps per owner, by date: My day and the morning digest (created by hand in the migration).
@Index('ix_customer_owner_next_step', { synchronize: false })
// The dashboard's active customers by owner; see migration KeepKpiDayTotals.
@Index('ix_customer_active_owner', { synchronize: false })
@Check('ck_customer_kind', `"kind" IN ('company', 'person')`)
@Check('ck_customer_tier', `"tier" IN ('A', 'B', 'C')`)
@Check('ck_customer_status', `"status" IN ('lead', 'prospect', 'active', 'churned')`)
export class Customer {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'text' })
  kind: CustomerKind;

  @Column({ type: 'text' })
  name: string;

  /** The name reduced for duplicate checks (see customer-keys.ts). */
  @Column({ type: 'text', default: '' })
  nameKey: string;

  /** Name, full pinyin and pinyin initials, then the tokens of the search index (see customer-keys.ts). */
  @Column({ type: 'text', default: '', select: false })
  searchText: string;

  /**
   * What customer search looks up (customer-search.ts): the tokens of the search text and those of
   * the live contacts. The database keeps them (triggers in the StoreCustomerSearchTokens migration)
   * whenever the search text or a contact changes; the app never writes them.
   */
  @Column({ type: 'tsvector', default: '', select: false, insert: false, update: false })
  searchTokens: string;

  /** 统一社会信用代码, 18 characters, unique among live customers. */
  @Column({ type: 'text', nullable: true })
  uscc: string | null;

  @Column({ type: 'text', nullable: true })
  industry: string | null;

  @Column({ type: 'text', nullable: true })
  size: string | null;

  @Column({ type: 'text', nullable: true })
  province: string | null;

  @Column({ type: 'text', nullable: true })
  city: string | null;

  @Column({ type: 'text', nullable: true })
  district: string | null;

  @Column({ type: 'text', nullable: true })
  address: string | null;

  @Column({ type: 'text', nullable: true })
  website: string | null;

  @Column({ type: 'text', default: 'C' })
  tier: CustomerTier;

  @Column({ type: 'boolean', default: false })
  vip: boolean;

  @Column({ type: 'text', nullable: true })
  creditLevel: string | null;

  @Column({ type: 'text', nullable: true })
  source: string | null;

  @Column({ type: 'text', default: 'lead' })
  status: CustomerStatus;

  /** The owning user (the users module's record, named, not imported): the foreign key only. */
  @ManyToOne('User', { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn()
  owner?: never;

  @Column({ type: 'integer', nullable: true })
  ownerId: number | null;

  @Column({ type: 'date', nullable: true })
  birthday: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  /** Notes (备注): free text about the customer, as the customer form, the import and the export carry it. */
  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastInteractionAt: Date | null;

  /**
   * The customer's next step: the next action and its date as its latest live follow-up set them
   * (null when it set none, or there is none). The follow-ups module keeps them right.
   */
  @Column({ type: 'timestamptz', nullable: true })
  nextStepAt: Date | null;

  @Column({ type: 'text', nullable: true })
  nextStep: string | null;

  /** When the current owner took the customer; with the last follow-up, starts the clock back to the pool. */
  @Column({ type: 'timestamptz', nullable: true })
  ownedSince: Date | null;

  /** When the owner was warned that the customer is about to return to the pool. */
  @Column({ type: 'timestamptz', nullable: true })
  poolWarnedAt: Date | null;

  /** Set on a customer merged into another (and soft-deleted); the survivor holds everything now. */
  @ManyToOne(() => Customer, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn()
  mergedInto: Relation<Customer> | null;

  @Column({ type: 'integer', nullable: true })
  mergedIntoId: number | null;

  @OneToMany(() => Contact, (c) => c.customer)
  contacts: Relation<Contact[]>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @DeleteDateColumn({ type: 'timestamptz' })
  deletedAt: Date | null;

  @VersionColumn()
  version: number;
}
