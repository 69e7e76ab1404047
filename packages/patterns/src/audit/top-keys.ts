/** The N largest items seen so far, kept in a small sorted array (N is a report's table size, tens). */
export class TopN<T> {
  readonly size: number;
  private readonly score: (item: T) => number;
  private readonly items: T[] = [];

  constructor(size: number, score: (item: T) => number) {
    this.size = size;
    this.score = score;
  }

  offer(item: T): void {
    const value = this.score(item);
    if (this.items.length >= this.size && value <= this.score(this.items[this.items.length - 1] as T)) return;
    let at = this.items.length;
    while (at > 0 && this.score(this.items[at - 1] as T) < value) at--;
    this.items.splice(at, 0, item);
    if (this.items.length > this.size) this.items.pop();
  }

  values(): T[] {
    return [...this.items];
  }
}
