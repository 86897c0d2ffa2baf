// SPDX-License-Identifier: GPL-3.0-or-later
// Growable typed arrays, one per field of the table's numbered records (strings, triples,
// holdings): a field costs 4 bytes per record and no object, where a JavaScript object per
// record would cost tens of bytes and one more object for the garbage collector to trace.
// Each element type has a class of its own, alike but not shared through a generic base, so
// that every column's element reads stay monomorphic.

/** A field of 32-bit integers: ids, and links between records (-1 for none by default). */
export class Int32Column {
  private data = new Int32Array(16);

  constructor(private readonly empty = 0) {
    this.data.fill(empty);
  }

  get(index: number): number {
    return this.data[index] as number;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  /** Makes `index` valid (doubling the capacity as needed; new entries read as `empty`). */
  ensure(index: number): void {
    if (index < this.data.length) return;
    const old = this.data;
    this.data = new Int32Array(capacityFor(old.length, index));
    this.data.set(old);
    this.data.fill(this.empty, old.length);
  }
}

/** A field of 16-bit unsigned integers (a replica id, u16 on the wire and in the state file): 2 bytes a record. */
export class Uint16Column {
  private data = new Uint16Array(16);

  get(index: number): number {
    return this.data[index] as number;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  /** Makes `index` valid (doubling the capacity as needed; new entries read as 0). */
  ensure(index: number): void {
    if (index < this.data.length) return;
    const old = this.data;
    this.data = new Uint16Array(capacityFor(old.length, index));
    this.data.set(old);
  }
}

/** A field of numbers (times, sums): 8 bytes a record. */
export class Float64Column {
  private data = new Float64Array(16);

  get(index: number): number {
    return this.data[index] as number;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  /** Makes `index` valid (doubling the capacity as needed; new entries read as 0). */
  ensure(index: number): void {
    if (index < this.data.length) return;
    const old = this.data;
    this.data = new Float64Array(capacityFor(old.length, index));
    this.data.set(old);
  }
}

/** A field of unsigned 64-bit integers (sequence numbers, counters from the wire): 8 bytes a record. */
export class BigUint64Column {
  private data = new BigUint64Array(16);

  get(index: number): bigint {
    return this.data[index] as bigint;
  }

  set(index: number, value: bigint): void {
    this.data[index] = value;
  }

  /** Makes `index` valid (doubling the capacity as needed; new entries read as 0n). */
  ensure(index: number): void {
    if (index < this.data.length) return;
    const old = this.data;
    this.data = new BigUint64Array(capacityFor(old.length, index));
    this.data.set(old);
  }
}

/** A count below this is stored in the column; one at or above it (rare) aside, exactly. */
const LARGE = 0xffff;

/**
 * A field of counts (non-negative integers up to 2^53): 2 bytes each, since a count is almost
 * always small (a user's sessions in one process, or over the few processes that serve them).
 * A count that does not fit in 16 bits (a u32 count from a heartbeat plus registers, or a
 * large total over sources) is kept in a Map beside the column, so no count is ever wrong.
 */
export class CountColumn {
  private data = new Uint16Array(16);
  private readonly large = new Map<number, number>();

  get(index: number): number {
    const value = this.data[index] as number;
    return value === LARGE ? (this.large.get(index) as number) : value;
  }

  set(index: number, value: number): void {
    if (value < LARGE) {
      if (this.data[index] === LARGE) this.large.delete(index);
      this.data[index] = value;
    } else {
      this.data[index] = LARGE;
      this.large.set(index, value);
    }
  }

  /** Makes `index` valid (doubling the capacity as needed; new entries read as 0). */
  ensure(index: number): void {
    if (index < this.data.length) return;
    const old = this.data;
    this.data = new Uint16Array(capacityFor(old.length, index));
    this.data.set(old);
  }
}

/** The capacity that makes `index` valid, doubling `length`. */
function capacityFor(length: number, index: number): number {
  let capacity = length;
  while (capacity <= index) capacity *= 2;
  return capacity;
}

/** Numbers records 0, 1, 2, ..., reusing the numbers of removed records first. */
export class Ids {
  private next = 0;
  private readonly free: number[] = [];

  /** Every number taken so far is below this. */
  get span(): number {
    return this.next;
  }

  take(): number {
    return this.free.pop() ?? this.next++;
  }

  give(id: number): void {
    this.free.push(id);
  }
}
