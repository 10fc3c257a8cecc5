import { describe, expect, it } from 'vitest';
import type { BusinessCalendar } from '../common/calendar/business-time.js';
import {
  changeTargets,
  elapsedMinutes,
  nextDue,
  pause,
  reopen,
  resolve,
  respond,
  resume,
  shareAt,
  startClock,
  targetsFor,
  type SlaPolicyRow,
} from './sla-clock.js';

/**
 * The SLA clock on China's 2026 calendar as the calendar migration seeds it (AddBusinessCalendar,
 * from 国务院办公厅关于2026年部分节假日安排的通知): every day of each holiday block, and the 调休
 * make-up workdays. Working hours are the default, 09:00–12:00 and 13:30–18:00 in
 * Asia/Shanghai, so a working day holds 180 + 270 = 450 business minutes. Every expected time is
 * worked out by hand in the comment beside it.
 */
function days(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = Date.parse(`${first}T00:00Z`); d <= Date.parse(`${last}T00:00Z`); d += 86_400_000)
    out.push(new Date(d).toISOString().slice(0, 10));
  return out;
}

const HOLIDAYS_2026 = [
  ...days('2026-01-01', '2026-01-03'), // 元旦 Thu–Sat
  ...days('2026-02-15', '2026-02-23'), // 春节 Sun–Mon, nine days
  ...days('2026-04-04', '2026-04-06'), // 清明节 Sat–Mon
  ...days('2026-05-01', '2026-05-05'), // 劳动节 Fri–Tue
  ...days('2026-06-19', '2026-06-21'), // 端午节 Fri–Sun
  ...days('2026-09-25', '2026-09-27'), // 中秋节 Fri–Sun
  ...days('2026-10-01', '2026-10-07'), // 国庆节 Thu–Wed
];
/** 调休: Sun 01-04 (元旦), Sat 02-14 and Sat 02-28 (春节), Sat 05-09 (劳动节), Sun 09-20 and Sat 10-10 (国庆节). */
const MAKE_UP_2026 = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'];

const DAY = { opens: 540, closes: 1080 };
const china2026: BusinessCalendar = {
  zone: 'Asia/Shanghai',
  week: [DAY, DAY, DAY, DAY, DAY, null, null],
  lunch: { starts: 720, ends: 810 },
  holidays: new Set(HOLIDAYS_2026),
  makeUpDays: new Set(MAKE_UP_2026),
};

/** A wall-clock time in Shanghai (UTC+8 all year). */
const sh = (local: string) => new Date(`${local.replace(' ', 'T')}:00+08:00`);

const NORMAL = { firstResponseMinutes: 240, resolutionMinutes: 1350 };
const start = (at: string, targets = NORMAL) => startClock(sh(at), targets, china2026);

describe('SLA clock', () => {
  it('Friday 17:30 with a 2-hour target before a 调休 Saturday is due Saturday morning', () => {
    // Fri 2026-05-08 17:30: 30 minutes until 18:00. Sat 05-09 is the 劳动节 make-up workday: the
    // remaining 90 minutes run from 09:00 → 10:30 on Saturday (not Monday 05-11).
    const c = start('2026-05-08 17:30', { firstResponseMinutes: 120, resolutionMinutes: 450 });
    expect(c.firstResponseDueAt).toEqual(sh('2026-05-09 10:30'));
    // Resolution 450: 30 on Friday + Saturday 09:00–12:00 (180) + 13:30–17:30 (240) = 450 → Sat 17:30.
    expect(c.resolutionDueAt).toEqual(sh('2026-05-09 17:30'));
    expect(c.dueAt).toEqual(c.firstResponseDueAt);
  });

  it('the last working day before the Spring Festival is a Saturday (02-14), then nine days off', () => {
    // Fri 2026-02-13 17:45, 60 minutes: 15 on Friday, 45 on the make-up Saturday 02-14 → 09:45.
    expect(
      start('2026-02-13 17:45', { firstResponseMinutes: 60, resolutionMinutes: 450 }).firstResponseDueAt,
    ).toEqual(sh('2026-02-14 09:45'));
    // Sat 02-14 16:00, 240 minutes: 120 until 18:00; 02-15 (Sun) … 02-23 (Mon) are 春节; the other
    // 120 run on Tue 02-24 from 09:00 → 11:00.
    expect(start('2026-02-14 16:00').firstResponseDueAt).toEqual(sh('2026-02-24 11:00'));
  });

  it('a make-up Saturday after its holiday block (10-10 after the National Day week) is worked', () => {
    // Wed 2026-09-30 17:00, resolution 1350: 60 on Wednesday; 10-01 … 10-07 off; Thu 10-08 450
    // (510), Fri 10-09 450 (960), Sat 10-10 is the make-up day: 390 more = 180 in the morning +
    // 210 from 13:30 → 17:00.
    expect(start('2026-09-30 17:00').resolutionDueAt).toEqual(sh('2026-10-10 17:00'));
    // Fri 10-09 17:00 with 120 minutes: 60 on Friday, 60 on Saturday 10-10 → 10:00, not Monday.
    expect(
      start('2026-10-09 17:00', { firstResponseMinutes: 120, resolutionMinutes: 450 }).firstResponseDueAt,
    ).toEqual(sh('2026-10-10 10:00'));
  });

  it('arrival in the lunch gap starts the clock at 13:30', () => {
    // Mon 2026-11-30 12:15, 30 minutes: nothing runs until 13:30 → 14:00.
    expect(
      start('2026-11-30 12:15', { firstResponseMinutes: 30, resolutionMinutes: 240 }).firstResponseDueAt,
    ).toEqual(sh('2026-11-30 14:00'));
    // 11:45, 30 minutes: 15 before lunch, 15 after → 13:45.
    expect(
      start('2026-11-30 11:45', { firstResponseMinutes: 30, resolutionMinutes: 240 }).firstResponseDueAt,
    ).toEqual(sh('2026-11-30 13:45'));
  });

  it('a holiday week: arrival before or during it counts from the first workday after', () => {
    // Thu 2026-04-30 16:00, 450 minutes: 120 on Thursday; 05-01 … 05-05 are 劳动节; Wed 05-06:
    // 180 in the morning, 150 from 13:30 → 16:00.
    expect(
      start('2026-04-30 16:00', { firstResponseMinutes: 450, resolutionMinutes: 2250 }).firstResponseDueAt,
    ).toEqual(sh('2026-05-06 16:00'));
    // Sat 10-03, inside 国庆节, 10:00 with 30 minutes: the clock starts Thu 10-08 09:00 → 09:30.
    expect(
      start('2026-10-03 10:00', { firstResponseMinutes: 30, resolutionMinutes: 240 }).firstResponseDueAt,
    ).toEqual(sh('2026-10-08 09:30'));
  });

  it('waiting on the customer stops the clock; resuming moves the due times by the business minutes paused', () => {
    // Mon 2026-11-30 09:00, normal: first response 240, resolution 1350 (three full days: due Wed
    // 12-02 18:00).
    let c = start('2026-11-30 09:00');
    expect(c.resolutionDueAt).toEqual(sh('2026-12-02 18:00'));
    // Answered at 10:00: 60 business minutes; the resolution target runs next.
    c = respond(c, sh('2026-11-30 10:00'), china2026);
    expect(c.firstResponseMinutes).toBe(60);
    expect(c.status).toBe('open');
    expect(c.dueAt).toEqual(sh('2026-12-02 18:00'));
    // Waiting on the customer from Mon 11:00: nothing runs.
    c = pause(c, sh('2026-11-30 11:00'));
    expect(c.status).toBe('pending');
    expect(c.dueAt).toBeNull();
    expect(nextDue(c)).toBeNull();
    // The customer answers Tue 12-01 10:00: paused Mon 11:00–12:00 (60) + 13:30–18:00 (270) + Tue
    // 09:00–10:00 (60) = 390. Resolution due: 1350 + 390 = 1740 from Mon 09:00 = three days (1350)
    // + 390 on Thu 12-03: 180 in the morning + 210 from 13:30 → 17:00.
    c = resume(c, sh('2026-12-01 10:00'), china2026);
    expect(c.pausedMinutes).toBe(390);
    expect(c.pausedAt).toBeNull();
    expect(c.resolutionDueAt).toEqual(sh('2026-12-03 17:00'));
    expect(c.dueAt).toEqual(sh('2026-12-03 17:00'));
    // Its warning moves as much: 80% of 1350 = 1080, + 390 = 1470 = three days + 120 on Thu → 11:00.
    // The first response was answered: its warning (192 from arrival, 13:42 on Monday) stays.
    expect(c.resolutionWarningDueAt).toEqual(sh('2026-12-03 11:00'));
    expect(c.firstResponseWarningDueAt).toEqual(sh('2026-11-30 13:42'));
    // Resolved Tue 11:00: Mon 450 + Tue 09:00–11:00 120 = 570 business minutes, minus 390 paused = 180.
    c = resolve(c, sh('2026-12-01 11:00'), china2026);
    expect(c.resolutionMinutes).toBe(180);
    expect(c.dueAt).toBeNull();
  });

  it('resolving while waiting ends the pause first; a reopen counts the resolved time as paused', () => {
    // Mon 2026-11-30 09:00; pending from 10:00; resolved at 11:00 while pending: paused 60, elapsed
    // 120 − 60 = 60.
    let c = pause(
      respond(start('2026-11-30 09:00'), sh('2026-11-30 09:30'), china2026),
      sh('2026-11-30 10:00'),
    );
    c = resolve(c, sh('2026-11-30 11:00'), china2026);
    expect(c.pausedMinutes).toBe(60);
    expect(c.resolutionMinutes).toBe(60);
    expect(c.pausedAt).toBeNull();
    // Reopened Tue 12-01 09:30: resolved Mon 11:00–12:00 (60) + 13:30–18:00 (270) + Tue 09:00–09:30
    // (30) = 360 more paused, 420 in all. Resolution due: 1350 + 420 = 1770 from Mon 09:00 = three
    // days + 420 on Thu 12-03: 180 + 240 from 13:30 → 17:30.
    c = reopen(c, sh('2026-12-01 09:30'), china2026);
    expect(c.status).toBe('open');
    expect(c.pausedMinutes).toBe(420);
    expect(c.resolvedAt).toBeNull();
    expect(c.resolutionDueAt).toEqual(sh('2026-12-03 17:30'));
    expect(c.dueAt).toEqual(sh('2026-12-03 17:30'));
  });

  it('a priority change mid-way takes the new targets counted from arrival, pauses added', () => {
    // Mon 2026-11-30 09:00 normal; answered 09:20; pending 10:00 → 11:00 (60 paused).
    let c = start('2026-11-30 09:00');
    c = respond(c, sh('2026-11-30 09:20'), china2026);
    c = resume(pause(c, sh('2026-11-30 10:00')), sh('2026-11-30 11:00'), china2026);
    expect(c.pausedMinutes).toBe(60);
    // At 11:30 it becomes high (60 / 900): resolution 900 + 60 = 960 from Mon 09:00 = Mon 450, Tue
    // 450, then 60 on Wed 12-02 → 10:00. The first response was answered: its target and due time
    // (240 from 09:00: 180 + 60 after lunch → 14:30) stay.
    c = changeTargets(c, { firstResponseMinutes: 60, resolutionMinutes: 900 }, china2026);
    expect(c.resolutionTargetMinutes).toBe(900);
    expect(c.resolutionDueAt).toEqual(sh('2026-12-02 10:00'));
    expect(c.firstResponseTargetMinutes).toBe(240);
    expect(c.firstResponseDueAt).toEqual(sh('2026-11-30 14:30'));
    expect(c.dueAt).toEqual(sh('2026-12-02 10:00'));
    // The resolution warning with it: 80% of 900 = 720, + 60 = 780 = Mon 450 + Tue 180 + 150 → 16:00;
    // the answered first response's stays at 13:42.
    expect(c.resolutionWarningDueAt).toEqual(sh('2026-12-01 16:00'));
    expect(c.firstResponseWarningDueAt).toEqual(sh('2026-11-30 13:42'));
  });

  it('an unanswered ticket raised to urgent is due 30 minutes after arrival, even if that is past', () => {
    // Mon 2026-11-30 09:00 normal, raised at 10:00 to urgent (30 / 240): first response due 09:30
    // (already past: it shows as overdue), resolution 240 → 180 before lunch + 60 → 14:30.
    const c = changeTargets(
      start('2026-11-30 09:00'),
      { firstResponseMinutes: 30, resolutionMinutes: 240 },
      china2026,
    );
    expect(c.firstResponseDueAt).toEqual(sh('2026-11-30 09:30'));
    expect(c.resolutionDueAt).toEqual(sh('2026-11-30 14:30'));
    expect(c.dueAt).toEqual(sh('2026-11-30 09:30'));
  });

  it('the 80% warning point and the elapsed business minutes', () => {
    const c = start('2026-11-30 09:00');
    // 80% of 240 = 192: 180 before lunch + 12 → 13:42, kept on the clock from arrival; 80% of 1350 =
    // 1080 = Mon and Tue in full + 180 → Wed 12:00.
    expect(shareAt(c, 240, 0.8, china2026)).toEqual(sh('2026-11-30 13:42'));
    expect(c.firstResponseWarningDueAt).toEqual(sh('2026-11-30 13:42'));
    expect(c.resolutionWarningDueAt).toEqual(sh('2026-12-02 12:00'));
    // Elapsed at 14:00: 180 + 30 = 210.
    expect(elapsedMinutes(c, sh('2026-11-30 14:00'), china2026)).toBe(210);
  });

  it("picks the tier's own policy row over the priority's general row", () => {
    const policies: SlaPolicyRow[] = [
      { priority: 'normal', tier: null, firstResponseMinutes: 240, resolutionMinutes: 1350 },
      { priority: 'normal', tier: 'A', firstResponseMinutes: 120, resolutionMinutes: 900 },
    ];
    expect(targetsFor(policies, 'normal', 'A')).toEqual({
      firstResponseMinutes: 120,
      resolutionMinutes: 900,
    });
    expect(targetsFor(policies, 'normal', 'B')).toEqual({
      firstResponseMinutes: 240,
      resolutionMinutes: 1350,
    });
    expect(targetsFor(policies, 'normal', null)).toEqual({
      firstResponseMinutes: 240,
      resolutionMinutes: 1350,
    });
    expect(() => targetsFor(policies, 'urgent', null)).toThrow(/no SLA policy/);
  });
});
