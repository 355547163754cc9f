/**
 * A list that entries join and leave in any order, in O(1), without a hash table: the requests a server is serving,
 * and those of one connection (./server.ts). A `Map` there, which every request entered and left, kept the requests
 * in flight at each young-generation collection alive to the next one on Node 20's V8, so each was promoted and left
 * for a full collection: ~900 KB promoted per scavenge at 16 clients, 240 → 179 µs CPU per whole answer once gone
 * (bench/README.md, sixteenth round). An entry that leaves lets go of both neighbours.
 */
export interface Entry<A> {
  readonly value: A
  /** @internal */ prev: Entry<A> | undefined
  /** @internal */ next: Entry<A> | undefined
  /** The list it is in; undefined once it left. */
  /** @internal */ owner: InFlight<A> | undefined
}

export class InFlight<A> {
  private head: Entry<A> | undefined = undefined
  private count = 0

  get size(): number {
    return this.count
  }

  add(value: A): Entry<A> {
    const entry: Entry<A> = { value, prev: undefined, next: this.head, owner: this }
    if (this.head !== undefined) this.head.prev = entry
    this.head = entry
    this.count++
    return entry
  }

  /** False when it had left already, or is another list's. */
  remove(entry: Entry<A>): boolean {
    if (entry.owner !== this) return false
    if (entry.prev === undefined) this.head = entry.next
    else entry.prev.next = entry.next
    if (entry.next !== undefined) entry.next.prev = entry.prev
    entry.prev = undefined
    entry.next = undefined
    entry.owner = undefined
    this.count--
    return true
  }

  /**
   * Each value present when it begins, newest first, even those that leave meanwhile (`f` may remove its own entry or
   * others); entries added meanwhile are not visited.
   */
  forEach(f: (value: A) => void): void {
    const values: Array<A> = []
    for (let e = this.head; e !== undefined; e = e.next) values.push(e.value)
    values.forEach(f)
  }
}
