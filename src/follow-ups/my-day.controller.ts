import { Controller, Get, Render } from '@nestjs/common';
import { ApprovalsService } from '../approvals/approvals.service.js';
import { TasksService } from '../automation/tasks.service.js';
import { CurrentUser } from '../common/decorators.js';
import type { SessionUser } from '../common/session-user.js';
import { PaymentsService } from '../contracts/payments.service.js';
import { OpportunitiesService } from '../opportunities/opportunities.service.js';
import { MyDayTicketsService } from '../tickets/my-day-tickets.service.js';
import { FollowUpsService } from './follow-ups.service.js';

/**
 * `/`: my day, with the user's (and a manager's team's) stale deals, the approvals waiting for them,
 * their contracts' overdue installments, their open tasks and, for whoever works tickets, the tickets
 * assigned to them, due soonest first (and a team manager's queues, counted).
 */
@Controller()
export class MyDayController {
  constructor(
    private readonly followUps: FollowUpsService,
    private readonly opportunities: OpportunitiesService,
    private readonly approvals: ApprovalsService,
    private readonly payments: PaymentsService,
    private readonly tasks: TasksService,
    private readonly tickets: MyDayTicketsService,
  ) {}

  @Get()
  @Render('home/index')
  async index(@CurrentUser() user: SessionUser) {
    const day = await this.followUps.myDay(user);
    const canLog = this.followUps.mayLog(user);
    return {
      title: 'nav.my_day',
      day,
      canLog,
      // Next steps are a seller's: someone who logs no follow-ups sees the cards only when one is theirs.
      showSteps: canLog || day.overdue.length + day.today.length + day.upcoming.length > 0,
      staleDeals: await this.opportunities.staleFor(user),
      approvals: await this.approvals.waitingOnMyDay(user),
      overdueInstallments: await this.payments.overdueOnMyDay(user),
      tasks: await this.tasks.openFor(user),
      myTickets: await this.tickets.myDay(user),
      teamTickets: await this.tickets.teamDay(user),
    };
  }
}
