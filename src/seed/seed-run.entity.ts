import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Marks a seed as done, so the demo data is never written twice. */
@Entity()
export class SeedRun {
  @PrimaryColumn({ type: 'text' })
  name: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;
}
