import PDFDocument from "pdfkit";
import {
  type DocumentBlock,
  LINE_PITCH_PT,
  mmToPt,
  OFFICIAL_LAYOUT,
  type OfficialDocument,
  pageNumberText,
  type TableColumn,
} from "../domain/documents";
import { documentFontPath } from "./document-fonts";

/**
 * An official document (lambdas/domain/documents.ts) as a PDF (pdfkit), laid out like its Word file
 * (lambdas/shared/docx-writer.ts) per GB/T 9704-2012: A4, the standard margins, 22 lines of exact
 * pitch, the title at 22 pt, the body at 16 pt, tables at 14 pt, page numbers `— 1 —` at 14 pt 7 mm
 * below the text block (odd pages right, even pages left). The official fonts are not free, so the
 * text is set in Noto Serif SC (OFL), embedded as a subset of the characters used
 * (lambdas/shared/document-fonts.ts): Bold where the Word file names 小标宋 or 黑体, Regular elsewhere.
 */
const L = OFFICIAL_LAYOUT;
const MARGINS = {
  top: mmToPt(L.marginsMm.top),
  bottom: mmToPt(L.marginsMm.bottom),
  left: mmToPt(L.marginsMm.left),
  right: mmToPt(L.marginsMm.right),
};
const PAGE = { width: mmToPt(L.page.widthMm), height: mmToPt(L.page.heightMm) };
const TEXT_WIDTH = PAGE.width - MARGINS.left - MARGINS.right;
const TEXT_BOTTOM = PAGE.height - MARGINS.bottom;
const BODY_CHAR = L.body.sizePt;
const CELL_PADDING = 4;

type Doc = PDFKit.PDFDocument;
type Face = "regular" | "bold";

/** Sets the face and size, with the gap that makes one line exactly `pitch` high. */
function use(doc: Doc, face: Face, sizePt: number, pitch = LINE_PITCH_PT): number {
  doc.font(face).fontSize(sizePt);
  return Math.max(0, pitch - doc.currentLineHeight());
}

function paragraph(doc: Doc, text: string, face: Face, sizePt: number, options: PDFKit.Mixins.TextOptions) {
  const lineGap = use(doc, face, sizePt);
  doc.text(text, MARGINS.left, doc.y, { width: TEXT_WIDTH, lineGap, ...options });
}

function blankLine(doc: Doc) {
  doc.y += LINE_PITCH_PT;
}

/** A table with ruled cells; a row that does not fit starts a new page, under the header row again. */
function table(doc: Doc, columns: readonly TableColumn[], rows: readonly (readonly string[])[]) {
  const widths = columns.map((c) => c.width * TEXT_WIDTH);
  const size = L.table.sizePt;
  const draw = (cells: readonly string[], header: boolean) => {
    const face: Face = header ? "bold" : "regular";
    use(doc, face, size);
    const lineGap = size * 0.3;
    const heights = columns.map((_c, i) =>
      doc.heightOfString(cells[i] ?? "", { width: (widths[i] ?? 0) - 2 * CELL_PADDING, lineGap }),
    );
    const height = Math.max(...heights) + 2 * CELL_PADDING + lineGap;
    if (doc.y + height > TEXT_BOTTOM) {
      doc.addPage();
      if (!header)
        draw(
          columns.map((c) => c.title),
          true,
        );
      use(doc, face, size);
    }
    const top = doc.y;
    let x = MARGINS.left;
    columns.forEach((c, i) => {
      const width = widths[i] ?? 0;
      doc.lineWidth(0.5).rect(x, top, width, height).stroke();
      const textHeight = heights[i] ?? 0;
      doc.text(cells[i] ?? "", x + CELL_PADDING, top + (height - textHeight) / 2 + lineGap / 2, {
        width: width - 2 * CELL_PADDING,
        align: header ? "center" : (c.align ?? "left"),
        lineGap,
      });
      x += width;
    });
    doc.y = top + height;
  };
  draw(
    columns.map((c) => c.title),
    true,
  );
  for (const row of rows) draw(row, false);
  doc.x = MARGINS.left;
}

function block(doc: Doc, b: DocumentBlock) {
  switch (b.kind) {
    case "title":
      paragraph(doc, b.text, "bold", L.title.sizePt, { align: "center" });
      blankLine(doc);
      return;
    case "addressee":
      paragraph(doc, b.text, "regular", L.body.sizePt, { align: "left" });
      return;
    case "heading":
      // Not alone at the foot of a page: a heading keeps at least one line of what follows.
      if (doc.y + 2 * LINE_PITCH_PT > TEXT_BOTTOM) doc.addPage();
      paragraph(doc, b.text, b.level === 1 ? "bold" : "regular", L.body.sizePt, {
        indent: 2 * BODY_CHAR,
        align: "left",
      });
      return;
    case "paragraph":
      // Left, not justified: pdfkit justifies by widening spaces, and Chinese text has none.
      paragraph(doc, b.text, "regular", L.body.sizePt, { indent: 2 * BODY_CHAR, align: "left" });
      return;
    case "table":
      table(doc, b.columns, b.rows);
      blankLine(doc);
      return;
    case "closing":
      blankLine(doc);
      for (const line of b.lines) {
        const lineGap = use(doc, "regular", L.body.sizePt);
        doc.text(line, MARGINS.left, doc.y, { width: TEXT_WIDTH - 4 * BODY_CHAR, align: "right", lineGap });
      }
      return;
  }
}

/** `— n —` 7 mm below the text block, one character in from the outer edge. */
function pageNumbers(doc: Doc) {
  const range = doc.bufferedPageRange();
  const size = L.pageNumber.sizePt;
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const number = i + 1;
    // Writing below the bottom margin would start a new page: lift the margin for the page number.
    doc.page.margins.bottom = 0;
    doc.font("regular").fontSize(size);
    const text = pageNumberText(number);
    const width = doc.widthOfString(text);
    const x = number % 2 === 1 ? PAGE.width - MARGINS.right - size - width : MARGINS.left + size;
    doc.text(text, x, TEXT_BOTTOM + mmToPt(L.pageNumber.belowTextMm), { lineBreak: false });
    doc.page.margins.bottom = MARGINS.bottom;
  }
}

/** The document as the bytes of a PDF file, its fonts embedded as subsets. */
export async function pdfDocument(doc: OfficialDocument, createdAt: Date): Promise<Uint8Array> {
  const regular = documentFontPath("regular");
  const pdf = new PDFDocument({
    size: [PAGE.width, PAGE.height],
    margins: MARGINS,
    // The default font would be Helvetica, which a bundle cannot load and CJK text cannot use.
    font: regular,
    bufferPages: true,
    lang: "zh-CN",
    displayTitle: true,
    info: { Title: doc.title, Author: doc.author, Creator: "spot-inspections", CreationDate: createdAt },
  });
  pdf.registerFont("regular", regular);
  pdf.registerFont("bold", documentFontPath("bold"));
  const chunks: Buffer[] = [];
  pdf.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    pdf.on("end", () => resolve());
    pdf.on("error", reject);
  });
  for (const b of doc.blocks) block(pdf, b);
  pageNumbers(pdf);
  pdf.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}
