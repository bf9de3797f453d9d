/**
 * A first-in, first-out queue on an array with a moving head. Evicting "the oldest" from a Map by taking its
 * first key gets slower and slower once many entries were deleted (each lookup walks the deleted slots until
 * the Map rehashes); the engine's bounded stores keep their arrival order here instead.
 */
export class Fifo<T> {
  private items: T[] = []
  private head = 0

  get size(): number {
    return this.items.length - this.head
  }

  push(item: T): void {
    this.items.push(item)
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined
    const item = this.items[this.head]
    this.items[this.head] = undefined as T
    this.head++
    // Drop the consumed front now and then, so the array does not grow without bound.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }
}
