import { scalar } from './scalar.js';

/** (concat "customer.status." status): the arguments joined as one string. */
export function concat(...args: unknown[]): string {
  args.pop();
  if (args.length < 2) throw new Error('concat takes at least two arguments');
  return args.map((a) => (a === null || a === undefined ? '' : scalar(a, 'concat'))).join('');
}
