/**
 * Documents the system hands out (督查通报 as Word and PDF, evidence packs, workbooks): their media
 * types, where a document too large for a response is kept, and the layout of an official document
 * (党政机关公文格式, GB/T 9704-2012) that the Word and PDF writers both follow. A document is first
 * built as an `OfficialDocument` — blocks of text and tables, in the order they are printed — so that
 * the Word file and the PDF carry the same content. No AWS imports.
 */

export const DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
export const PDF_CONTENT_TYPE = "application/pdf";
export const ZIP_CONTENT_TYPE = "application/zip";

/**
 * Where a document too large for a response (6 MB, a Lambda's limit) is stored for its download URL;
 * the bucket's lifecycle deletes it after `EXPORTS_KEPT_DAYS`.
 */
export const EXPORTS_PREFIX = "exports/";
export const EXPORTS_KEPT_DAYS = 1;
/** How long the download URL of a stored document lives. */
export const EXPORT_URL_SECONDS = 5 * 60;

/** The key of a stored document: a fresh id, then the file's name (ASCII only; the object carries the real one). */
export function exportObjectKey(id: string, fileName: string): string {
  const extension = /\.[A-Za-z0-9]{1,8}$/.exec(fileName)?.[0] ?? "";
  return `${EXPORTS_PREFIX}${id}/document${extension}`;
}

/** A file name without the characters file systems refuse (`/\:*?"<>|` and control characters). */
export function safeDocumentName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const cleaned = name.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, "_").trim();
  return cleaned.length > 0 ? cleaned.slice(0, 120) : "文件";
}

/** Severities as documents name them. */
export const SEVERITY_NAMES: Readonly<Record<"minor" | "major" | "critical", string>> = {
  minor: "一般",
  major: "较重",
  critical: "严重",
};

/** Escalation levels as documents name them: 催办 (1), 问责 (2). */
export const ESCALATION_NAMES: Readonly<Record<number, string>> = { 1: "催办", 2: "问责" };

// ---- GB/T 9704-2012 ----------------------------------------------------------------------------

const MM_PER_INCH = 25.4;
/** Millimetres to points (1/72 inch): PDF's unit. */
export const mmToPt = (mm: number): number => (mm / MM_PER_INCH) * 72;
/** Millimetres to twentieths of a point: Word's unit of page size and margins. */
export const mmToTwip = (mm: number): number => Math.round((mm / MM_PER_INCH) * 1440);

/**
 * The layout of an official document (GB/T 9704-2012): A4; 天头 (top margin) 37 mm, 订口 (left)
 * 28 mm, a text block of 156 × 225 mm (so right 26 mm, bottom 35 mm) holding 22 lines of 28
 * characters; the title in 2号小标宋 (22 pt), the body in 3号仿宋 (16 pt), first-level headings in
 * 黑体 and second-level ones in 楷体, both 3号; page numbers in 4号 (14 pt) half-width Arabic numerals
 * between two em dashes (`— 1 —`), 7 mm below the text block, odd pages on the right and even pages on
 * the left, one character in from the edge. The fonts are named as offices have them installed; they
 * are not free, so the PDF embeds a free CJK serif in their place.
 */
export const OFFICIAL_LAYOUT = {
  page: { widthMm: 210, heightMm: 297 },
  marginsMm: { top: 37, bottom: 35, left: 28, right: 26 },
  /** 22 lines in the 225 mm text block. */
  linesPerPage: 22,
  charsPerLine: 28,
  title: { font: "方正小标宋简体", sizePt: 22 },
  body: { font: "仿宋_GB2312", sizePt: 16 },
  heading1: { font: "黑体", sizePt: 16 },
  heading2: { font: "楷体_GB2312", sizePt: 16 },
  /** Tables may be set smaller than the body: 4号. */
  table: { font: "仿宋_GB2312", sizePt: 14 },
  pageNumber: { font: "宋体", sizePt: 14, belowTextMm: 7 },
} as const;

/** The text block's height over its lines: the fixed line pitch of the body (≈ 28.95 pt). */
export const LINE_PITCH_PT =
  mmToPt(OFFICIAL_LAYOUT.page.heightMm - OFFICIAL_LAYOUT.marginsMm.top - OFFICIAL_LAYOUT.marginsMm.bottom) /
  OFFICIAL_LAYOUT.linesPerPage;

/** A page number as GB/T 9704 prints it: half-width digits between two em dashes. */
export function pageNumberText(page: number): string {
  return `— ${page} —`;
}

// ---- the document model ------------------------------------------------------------------------

export interface TableColumn {
  readonly title: string;
  /** Share of the text block's width (the shares of a table add up to 1). */
  readonly width: number;
  readonly align?: "left" | "center" | "right";
}

export type DocumentBlock =
  /** The title (标题), centred, 2号小标宋. */
  | { readonly kind: "title"; readonly text: string }
  /** The addressee (主送机关), flush left, with its full-width colon. */
  | { readonly kind: "addressee"; readonly text: string }
  /** 一、 (黑体) or （一） (楷体), the numbering included in the text. */
  | { readonly kind: "heading"; readonly level: 1 | 2; readonly text: string }
  /** Body text, first line indented two characters. */
  | { readonly kind: "paragraph"; readonly text: string }
  | {
      readonly kind: "table";
      readonly columns: readonly TableColumn[];
      readonly rows: readonly (readonly string[])[];
    }
  /** The issuing date (成文日期) and the like, right-aligned four characters in from the edge. */
  | { readonly kind: "closing"; readonly lines: readonly string[] };

export interface OfficialDocument {
  /** The document's title, also its file name and metadata. */
  readonly title: string;
  /** Who the file names as its author (metadata). */
  readonly author: string;
  readonly blocks: readonly DocumentBlock[];
}

function blockText(b: DocumentBlock): string[] {
  switch (b.kind) {
    case "table":
      return [...b.columns.map((c) => c.title), ...b.rows.flat()];
    case "closing":
      return [...b.lines];
    default:
      return [b.text];
  }
}

/** Every piece of text of a document, in order: what a reader of the file must find in it. */
export function documentText(doc: OfficialDocument): string[] {
  return doc.blocks.flatMap(blockText);
}

/** `一`, `二`, … `九十九`: the numbering of headings (一、 and （一）). */
export function chineseNumeral(n: number): string {
  const digits = "零一二三四五六七八九";
  if (!Number.isInteger(n) || n < 1 || n > 99) return String(n);
  if (n < 10) return digits[n] ?? String(n);
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? "" : digits[tens]}十${ones === 0 ? "" : digits[ones]}`;
}
