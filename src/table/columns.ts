// Growable typed arrays, one per field of the table's numbered records (strings, triples,
// holdings): a field costs 4 or 8 bytes per record and no object, where a JavaScript object per
// record would cost tens of bytes and one more object for the garbage collector to trace.

abstract class Column<A extends Int32Array | Float64Array> {
  protected data: A;

  constructor(private readonly empty: number) {
    this.data = this.make(16);
    this.data.fill(empty);
  }

  protected abstract make(length: number): A;

  get(index: number): number {
    return this.data[index] as number;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  /** Makes `index` valid (doubling the capacity as needed; new entries read as `empty`). */
  ensure(index: number): void {
    if (index < this.data.length) return;
    let capacity = this.data.length;
    while (capacity <= index) capacity *= 2;
    const grown = this.make(capacity);
    grown.set(this.data);
    grown.fill(this.empty, this.data.length);
    this.data = grown;
  }
}

/** A field of 32-bit integers: ids, links between records (-1 for none by default). */
export class Int32Column extends Column<Int32Array> {
  constructor(empty = 0) {
    super(empty);
  }

  protected make(length: number): Int32Array {
    return new Int32Array(length);
  }
}

/** A field of numbers: counts, which may exceed 32 bits (a sum over sources, or a u32 plus registers). */
export class Float64Column extends Column<Float64Array> {
  constructor() {
    super(0);
  }

  protected make(length: number): Float64Array {
    return new Float64Array(length);
  }
}

/** Numbers records 0, 1, 2, ..., reusing the numbers of removed records first. */
export class Ids {
  private next = 0;
  private readonly free: number[] = [];

  take(): number {
    return this.free.pop() ?? this.next++;
  }

  give(id: number): void {
    this.free.push(id);
  }
}
