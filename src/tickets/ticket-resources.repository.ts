import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Ticket } from './ticket.entity.js';

/** The ticket rows the API answers with (whoever may see them is the tickets service's question). */
@Injectable()
export class TicketResourcesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A ticket not deleted, or null. */
  findLive(id: number): Promise<Ticket | null> {
    return this.dataSource.getRepository(Ticket).findOneBy({ id });
  }
}
