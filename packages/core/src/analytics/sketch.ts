// Mergeable summaries the rollups store, so that hours add up to days and days to any
// range without going back to raw events:
//
// - ValueSketch: a logarithmic histogram (the DDSketch idea). Bucket i holds values in
//   (γ^(i-1), γ^i] with γ = (1+α)/(1-α), so any quantile it answers is within α = 1% of
//   the true one (nearest-rank), whatever the distribution; merging adds bucket counts.
//   PostgreSQL computes the bucket index (VALUE_BUCKET_SQL), so a million values arrive
//   here as a few hundred (bucket, count) rows.
// - DeviceSketch: a HyperLogLog (2^14 registers, ~0.8% standard error) of device ids,
//   registers also computed in SQL (HLL_REGISTER_SQL); merging takes the max per register,
//   so unique users over 30 days is 30 small reads, not a count(DISTINCT) over millions.

export const SKETCH_RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
const LN_GAMMA = Math.log(GAMMA);

/**
 * SQL for the bucket of `value`: even keys for positive values, odd for negative, NULL for
 * zero. Must agree with `bucketOf` below (a test holds them together).
 */
export const VALUE_BUCKET_SQL = `CASE WHEN value > 0 THEN ceil(ln(value) / ${LN_GAMMA})::int * 2
  WHEN value < 0 THEN ceil(ln(-value) / ${LN_GAMMA})::int * 2 + 1 END`;

export function bucketOf(value: number): number | null {
  if (value > 0) return Math.ceil(Math.log(value) / LN_GAMMA) * 2;
  if (value < 0) return Math.ceil(Math.log(-value) / LN_GAMMA) * 2 + 1;
  return null;
}

/** The value a bucket stands for: the midpoint (in relative terms) of its range. */
function representative(key: number): number {
  const negative = ((key % 2) + 2) % 2 === 1;
  const index = negative ? (key - 1) / 2 : key / 2;
  const magnitude = (2 * GAMMA ** index) / (GAMMA + 1);
  return negative ? -magnitude : magnitude;
}

const SKETCH_FORMAT = 1;

export class ValueSketch {
  readonly buckets = new Map<number, number>();
  zeros = 0;

  /** Adds `count` values falling in `bucket` (null: zeros). */
  addBucket(bucket: number | null, count: number): this {
    if (bucket === null) this.zeros += count;
    else this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + count);
    return this;
  }

  add(value: number, count = 1): this {
    return this.addBucket(bucketOf(value), count);
  }

  merge(other: ValueSketch): this {
    this.zeros += other.zeros;
    for (const [bucket, count] of other.buckets) this.addBucket(bucket, count);
    return this;
  }

  get count(): number {
    let n = this.zeros;
    for (const c of this.buckets.values()) n += c;
    return n;
  }

  /** The nearest-rank q-quantile (as percentile_disc), within 1%; null when empty. */
  quantile(q: number): number | null {
    const total = this.count;
    if (total === 0) return null;
    const rank = Math.max(1, Math.ceil(Math.min(Math.max(q, 0), 1) * total));
    const ordered = [...this.buckets.entries()]
      .map(([key, count]) => ({ value: representative(key), count }))
      .concat(this.zeros > 0 ? [{ value: 0, count: this.zeros }] : [])
      .sort((a, b) => a.value - b.value);
    let seen = 0;
    for (const { value, count } of ordered) {
      seen += count;
      if (seen >= rank) return value;
    }
    return ordered.at(-1)?.value ?? null;
  }

  encode(): Buffer {
    const out = Buffer.alloc(9 + this.buckets.size * 8);
    out.writeUInt8(SKETCH_FORMAT, 0);
    out.writeUInt32LE(this.zeros, 1);
    out.writeUInt32LE(this.buckets.size, 5);
    let at = 9;
    for (const [bucket, count] of [...this.buckets.entries()].sort((a, b) => a[0] - b[0])) {
      out.writeInt32LE(bucket, at);
      out.writeUInt32LE(count, at + 4);
      at += 8;
    }
    return out;
  }

  static decode(bytes: Uint8Array | null | undefined): ValueSketch {
    const sketch = new ValueSketch();
    if (!bytes || bytes.length < 9) return sketch;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buf.readUInt8(0) !== SKETCH_FORMAT) throw new Error(`unknown value sketch format ${buf.readUInt8(0)}`);
    sketch.zeros = buf.readUInt32LE(1);
    const n = buf.readUInt32LE(5);
    for (let i = 0, at = 9; i < n && at + 8 <= buf.length; i++, at += 8) {
      sketch.buckets.set(buf.readInt32LE(at), buf.readUInt32LE(at + 4));
    }
    return sketch;
  }
}

export const HLL_PRECISION = 14;
const HLL_REGISTERS = 1 << HLL_PRECISION;

/**
 * SQL for a device id's register and rank, from PostgreSQL's 64-bit hash: the low 14 bits
 * pick the register, the rank is the position of the first 1 in the next 50 bits.
 */
export const HLL_REGISTER_SQL = {
  register: `(hashtextextended(device_id, 0) & ${HLL_REGISTERS - 1})::int`,
  rank: `COALESCE(NULLIF(position('1' in ((hashtextextended(device_id, 0) >> ${HLL_PRECISION}) & ${2 ** 50 - 1})::bit(50)::text), 0), 51)`,
};

export class DeviceSketch {
  readonly registers: Uint8Array;

  constructor(registers?: Uint8Array) {
    this.registers =
      registers && registers.length === HLL_REGISTERS ? Uint8Array.from(registers) : new Uint8Array(HLL_REGISTERS);
  }

  set(register: number, rank: number): this {
    if (rank > (this.registers[register] ?? 0)) this.registers[register] = rank;
    return this;
  }

  merge(other: DeviceSketch): this {
    for (let i = 0; i < HLL_REGISTERS; i++)
      if (other.registers[i]! > this.registers[i]!) this.registers[i] = other.registers[i]!;
    return this;
  }

  /** Distinct devices, estimated (linear counting while registers are mostly empty). */
  estimate(): number {
    const m = HLL_REGISTERS;
    let sum = 0;
    let zeros = 0;
    for (const r of this.registers) {
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / sum;
    if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
    return Math.round(raw);
  }

  encode(): Buffer {
    return Buffer.from(this.registers);
  }

  static decode(bytes: Uint8Array | null | undefined): DeviceSketch {
    return new DeviceSketch(bytes ?? undefined);
  }
}
