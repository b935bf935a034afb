/**
 * The library floors of the functions that make files (issue 19): the cold-start floor (a DynamoDB
 * document client, bench/floor/document-client.ts) plus the one rendering library such a function
 * carries, and nothing of the project (bench/floor/plus-docx.ts, …). Phase 1 builds them like the
 * other floors, imports them in the same rounds as the handlers, and compares each file-making
 * function with its library floor.
 */
export const LIBRARY_FLOORS = [
  { name: "plus-docx", library: "docx" },
  { name: "plus-pdfkit", library: "pdfkit" },
  { name: "plus-jszip", library: "jszip" },
  { name: "plus-exceljs", library: "exceljs" },
] as const;

export type LibraryFloorName = (typeof LIBRARY_FLOORS)[number]["name"];

/**
 * The library floor of a bundle from its composition (bytes by package, esbuild's metafile): of the
 * floors' libraries it carries, the one with the most bytes in it — exceljs over the jszip exceljs
 * zips with. Null when it carries none.
 */
export function libraryFloorOf(
  shares: readonly { readonly module: string; readonly bytes: number }[],
): LibraryFloorName | null {
  let best: { name: LibraryFloorName; bytes: number } | null = null;
  for (const floor of LIBRARY_FLOORS) {
    const bytes = shares.find((s) => s.module === floor.library)?.bytes ?? 0;
    if (bytes > 0 && (!best || bytes > best.bytes)) best = { name: floor.name, bytes };
  }
  return best?.name ?? null;
}
