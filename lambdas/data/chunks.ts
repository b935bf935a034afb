/**
 * Long lists kept in items of their own: DynamoDB refuses an item over 400 KB, and every write of an
 * item with index keys writes it again into each index. A chunk holds the next slice of each list.
 */

/** JSON bytes a chunk holds at most: its item stays far below 400 KB whatever its lists hold. */
export const CHUNK_BYTES = 64 * 1024;

type Lists = Record<string, readonly unknown[]>;
export type Chunk<T extends Lists> = { [K in keyof T]?: T[K][number][] };

/** Bytes of JSON that `value` adds to a list (with its comma). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "", "utf8") + 1;
}

/**
 * Splits `lists` into chunks of at most `budget` bytes of JSON each (an element larger than that
 * alone gets a chunk to itself), keeping the order: joining the chunks' lists in chunk order gives
 * `lists` back (see `joinChunks`). Empty lists are left out of the chunks; no lists, no chunks.
 */
export function chunkLists<T extends Lists>(lists: T, budget = CHUNK_BYTES): Chunk<T>[] {
  const chunks: Chunk<T>[] = [];
  let current: Chunk<T> = {};
  let used = 0;
  let empty = true;
  for (const name of Object.keys(lists) as (keyof T & string)[]) {
    for (const element of lists[name] ?? []) {
      const size = jsonBytes(element);
      if (!empty && used + size > budget) {
        chunks.push(current);
        current = {};
        used = 0;
        empty = true;
      }
      const slice = current[name] ?? [];
      slice.push(element);
      current[name] = slice;
      used += size;
      empty = false;
    }
  }
  if (!empty) chunks.push(current);
  return chunks;
}
