// Every migration in migrations/, oldest first. One migration per schema change, written by
// `npm run migration:generate -- VerbNoun`, which also adds it here. A landed migration is never edited:
// change the schema with a new one. The list lives outside migrations/, so that folder only ever grows
// by new files. The test suite fails when the entities and the migrations disagree.
import { ReverseInvoices1798900000000 } from '../../migrations/1798900000000-ReverseInvoices.js';
import { KeepSlaWarningInstants1799000000000 } from '../../migrations/1799000000000-KeepSlaWarningInstants.js';
import { MarkSecretMails1797700000000 } from '../../migrations/1797700000000-MarkSecretMails.js';
import { KeepTicketQueueTotals1797900000000 } from '../../migrations/1797900000000-KeepTicketQueueTotals.js';
import { AddAtRiskIndexes1797900000001 } from '../../migrations/1797900000001-AddAtRiskIndexes.js';
import { CountAwayAsReferenceData1797900000002 } from '../../migrations/1797900000002-CountAwayAsReferenceData.js';
import { KeepKpiDayTotals1798000000000 } from '../../migrations/1798000000000-KeepKpiDayTotals.js';
import { KeepCustomerHealth1798100000000 } from '../../migrations/1798100000000-KeepCustomerHealth.js';
import { KeepFunnelMonths1798200000000 } from '../../migrations/1798200000000-KeepFunnelMonths.js';
import { KeepFunnelQuartersAndYears1798300000000 } from '../../migrations/1798300000000-KeepFunnelQuartersAndYears.js';
import { AddRunningTicketQueueIndexes1798400000000 } from '../../migrations/1798400000000-AddRunningTicketQueueIndexes.js';
import { CoverOpportunityBoardCards1798500000000 } from '../../migrations/1798500000000-CoverOpportunityBoardCards.js';
import { KeepCustomerNameOnDeals1798600000000 } from '../../migrations/1798600000000-KeepCustomerNameOnDeals.js';
import { KeepCustomerNameOnTickets1798700000000 } from '../../migrations/1798700000000-KeepCustomerNameOnTickets.js';
import { CoverCustomerListFilters1798800000000 } from '../../migrations/1798800000000-CoverCustomerListFilters.js';
import { AddSlaWatchIndexes1797900000003 } from '../../migrations/1797900000003-AddSlaWatchIndexes.js';
import { AddPasswordResetTokens1797600000000 } from '../../migrations/1797600000000-AddPasswordResetTokens.js';
import { AddPortalRequests1797400000000 } from '../../migrations/1797400000000-AddPortalRequests.js';
import { AddRobotMessages1797100000000 } from '../../migrations/1797100000000-AddRobotMessages.js';
import { AddTickets1796800000000 } from '../../migrations/1796800000000-AddTickets.js';
import { AddTicketLocale1796800000001 } from '../../migrations/1796800000001-AddTicketLocale.js';
import { DefaultLunchBreak1796900000001 } from '../../migrations/1796900000001-DefaultLunchBreak.js';
import { AddRuleFirings1797000000000 } from '../../migrations/1797000000000-AddRuleFirings.js';
import { LetErasureMaskAuditDetails1797500000000 } from '../../migrations/1797500000000-LetErasureMaskAuditDetails.js';
import { AddUnassignedTicketIndexes1797200000000 } from '../../migrations/1797200000000-AddUnassignedTicketIndexes.js';
import { AddClosedDealsBoardIndex1797300000000 } from '../../migrations/1797300000000-AddClosedDealsBoardIndex.js';
import { AddPaymentsInvoicesTasks1796600000000 } from '../../migrations/1796600000000-AddPaymentsInvoicesTasks.js';
import { AddTaskLabel1796600000001 } from '../../migrations/1796600000001-AddTaskLabel.js';
import { AddBusinessCalendar1796500000000 } from '../../migrations/1796500000000-AddBusinessCalendar.js';
import { AddApprovals1796200000000 } from '../../migrations/1796200000000-AddApprovals.js';
import { AddQuotes1796300000000 } from '../../migrations/1796300000000-AddQuotes.js';
import { AddContracts1796400000000 } from '../../migrations/1796400000000-AddContracts.js';
import { AddOpportunities1796008192924 } from '../../migrations/1796008192924-AddOpportunities.js';
import { AddOpportunityBoardIndex1796009655070 } from '../../migrations/1796009655070-AddOpportunityBoardIndex.js';
import { StoreCustomerSearchTokens1796100000000 } from '../../migrations/1796100000000-StoreCustomerSearchTokens.js';
import { AddOpportunityOwnerBoardIndex1796700000000 } from '../../migrations/1796700000000-AddOpportunityOwnerBoardIndex.js';
import { KeepOpportunityStageTotals1796900000000 } from '../../migrations/1796900000000-KeepOpportunityStageTotals.js';
import { AddApiTokensAndWebhooks1796005256504 } from '../../migrations/1796005256504-AddApiTokensAndWebhooks.js';
import { AddMobileTailSearch1795363000000 } from '../../migrations/1795363000000-AddMobileTailSearch.js';
import { AddNumberSequences1795364000000 } from '../../migrations/1795364000000-AddNumberSequences.js';
import { AddAttachments1795364100000 } from '../../migrations/1795364100000-AddAttachments.js';
import { AddCustomerNotes1795365000000 } from '../../migrations/1795365000000-AddCustomerNotes.js';
import { RecodeIndustries1795365100000 } from '../../migrations/1795365100000-RecodeIndustries.js';
import { ReplaceCustomerSearchIndex1795367000000 } from '../../migrations/1795367000000-ReplaceCustomerSearchIndex.js';
import { AddCustomerNextStep1795367500000 } from '../../migrations/1795367500000-AddCustomerNextStep.js';
import { AddOwnerSortIndexes1795366600000 } from '../../migrations/1795366600000-AddOwnerSortIndexes.js';
import { AddReferenceVersion1795366500000 } from '../../migrations/1795366500000-AddReferenceVersion.js';
import { AddImportHeaderRow1795365200000 } from '../../migrations/1795365200000-AddImportHeaderRow.js';
import { RekeyTrailingPlaces1795362000000 } from '../../migrations/1795362000000-RekeyTrailingPlaces.js';
import { DropRedundantIndexes1795360254139 } from '../../migrations/1795360254139-DropRedundantIndexes.js';
import { SlimImportRows1795351166705 } from '../../migrations/1795351166705-SlimImportRows.js';
import { AddCustomerImport1795347288579 } from '../../migrations/1795347288579-AddCustomerImport.js';
import { BackfillOwnedSince1795348755407 } from '../../migrations/1795348755407-BackfillOwnedSince.js';
import { CreateSchema1795343077012 } from '../../migrations/1795343077012-CreateSchema.js';
import { AddCustomerSearchAndPool1795344351484 } from '../../migrations/1795344351484-AddCustomerSearchAndPool.js';
import { SpeedUpCustomerList1795345940981 } from '../../migrations/1795345940981-SpeedUpCustomerList.js';

export const MIGRATIONS = [
  CreateSchema1795343077012,
  AddCustomerSearchAndPool1795344351484,
  SpeedUpCustomerList1795345940981,
  AddCustomerImport1795347288579,
  BackfillOwnedSince1795348755407,
  SlimImportRows1795351166705,
  DropRedundantIndexes1795360254139,
  RekeyTrailingPlaces1795362000000,
  AddMobileTailSearch1795363000000,
  AddNumberSequences1795364000000,
  AddAttachments1795364100000,
  AddCustomerNotes1795365000000,
  RecodeIndustries1795365100000,
  AddImportHeaderRow1795365200000,
  AddReferenceVersion1795366500000,
  AddOwnerSortIndexes1795366600000,
  ReplaceCustomerSearchIndex1795367000000,
  AddCustomerNextStep1795367500000,
  AddApiTokensAndWebhooks1796005256504,
  AddOpportunities1796008192924,
  AddOpportunityBoardIndex1796009655070,
  StoreCustomerSearchTokens1796100000000,
  AddApprovals1796200000000,
  AddQuotes1796300000000,
  AddContracts1796400000000,
  AddBusinessCalendar1796500000000,
  AddPaymentsInvoicesTasks1796600000000,
  AddTaskLabel1796600000001,
  AddOpportunityOwnerBoardIndex1796700000000,
  AddTickets1796800000000,
  AddTicketLocale1796800000001,
  KeepOpportunityStageTotals1796900000000,
  DefaultLunchBreak1796900000001,
  AddRuleFirings1797000000000,
  AddRobotMessages1797100000000,
  AddUnassignedTicketIndexes1797200000000,
  AddClosedDealsBoardIndex1797300000000,
  AddPortalRequests1797400000000,
  LetErasureMaskAuditDetails1797500000000,
  AddPasswordResetTokens1797600000000,
  MarkSecretMails1797700000000,
  KeepTicketQueueTotals1797900000000,
  AddAtRiskIndexes1797900000001,
  CountAwayAsReferenceData1797900000002,
  AddSlaWatchIndexes1797900000003,
  KeepKpiDayTotals1798000000000,
  KeepCustomerHealth1798100000000,
  KeepFunnelMonths1798200000000,
  KeepFunnelQuartersAndYears1798300000000,
  AddRunningTicketQueueIndexes1798400000000,
  CoverOpportunityBoardCards1798500000000,
  KeepCustomerNameOnDeals1798600000000,
  KeepCustomerNameOnTickets1798700000000,
  CoverCustomerListFilters1798800000000,
  ReverseInvoices1798900000000,
  KeepSlaWarningInstants1799000000000,
];
