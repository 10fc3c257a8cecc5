import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { Customer } from './customer.entity.js';

@Entity()
@Index('ix_contact_customer', ['customerId'])
@Index('ix_contact_mobile', ['mobile'])
@Index('ix_contact_phone', ['phone'])
@Index('ix_contact_email_lower', { synchronize: false })
export class Contact {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne(() => Customer, (c) => c.contacts, { onDelete: 'CASCADE' })
  @JoinColumn()
  customer: Relation<Customer>;

  @Column({ type: 'integer' })
  customerId: number;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  title: string | null;

  @Column({ type: 'text', nullable: true })
  mobile: string | null;

  @Column({ type: 'text', nullable: true })
  phone: string | null;

  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column({ type: 'text', nullable: true })
  wechat: string | null;

  @Column({ type: 'boolean', default: false })
  primary: boolean;

  @Column({ type: 'date', nullable: true })
  birthday: string | null;

  /** The contact asked for no more mail from Kehu's rules (greetings, surveys): every rule honours it. */
  @Column({ type: 'boolean', default: false })
  mailOptOut: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @DeleteDateColumn({ type: 'timestamptz' })
  deletedAt: Date | null;

  @VersionColumn()
  version: number;
}
