/**
 * A queue counts up to this many ("99+" past it): enough to tell a busy queue from a quiet one, while a
 * desk with a backlog of thousands is not counted through on every page.
 */
export const QUEUE_COUNT_CAP = 99;

/**
 * A queue's count as its tab and My day show it (counted up to QUEUE_COUNT_CAP + 1): the number, or
 * "99+" past the cap, as the bell says it. The same in every language.
 */
export function queueCountText(counted: number): string | number {
  return counted > QUEUE_COUNT_CAP ? `${QUEUE_COUNT_CAP}+` : counted;
}
