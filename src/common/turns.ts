/**
 * At most `atOnce` pieces of work run at a time; the rest wait their turn in memory, first come first
 * served. For work that holds something scarce while it runs: memory for a password hash, a database
 * connection for a sign-in.
 */
export class Turns {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly atOnce: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.atOnce) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      // The next in line takes this turn over; with nobody waiting it is given back.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
