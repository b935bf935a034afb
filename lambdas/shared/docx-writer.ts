import {
  AlignmentType,
  BorderStyle,
  Document,
  DocumentGridType,
  Footer,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  VerticalAlignTable,
  WidthType,
} from "docx";
import {
  type DocumentBlock,
  LINE_PITCH_PT,
  mmToTwip,
  OFFICIAL_LAYOUT,
  type OfficialDocument,
  type TableColumn,
} from "../domain/documents";

/**
 * An official document (lambdas/domain/documents.ts) as a Word file (.docx, the `docx` package),
 * laid out per GB/T 9704-2012: A4, the standard margins, 22 lines of exact pitch on a line grid,
 * the title in 2号方正小标宋简体, the body in 3号仿宋_GB2312 (headings 黑体 and 楷体_GB2312), tables in
 * 4号, the issuing date four characters in from the right, and page numbers `— 1 —` in 4号宋体 at the
 * foot — odd pages on the right, even pages on the left. The fonts are named, not embedded: the
 * offices that open the file have them.
 */
const L = OFFICIAL_LAYOUT;
/** Word measures font sizes in half-points and lengths in twips (1/20 pt). */
const halfPoints = (pt: number) => Math.round(pt * 2);
const twips = (pt: number) => Math.round(pt * 20);
const LINE = twips(LINE_PITCH_PT);
const BODY_CHAR = twips(L.body.sizePt);
const TEXT_WIDTH = mmToTwip(L.page.widthMm - L.marginsMm.left - L.marginsMm.right);

const exactLine = { line: LINE, lineRule: LineRuleType.EXACT, before: 0, after: 0 } as const;

function run(text: string, font: string, sizePt: number, bold = false): TextRun {
  return new TextRun({ text, font, size: halfPoints(sizePt), bold });
}

const ALIGN = { left: AlignmentType.LEFT, center: AlignmentType.CENTER, right: AlignmentType.RIGHT } as const;

function table(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): Table {
  const widths = columns.map((c) => Math.round(c.width * TEXT_WIDTH));
  const cellLine = {
    line: twips(L.table.sizePt * 1.5),
    lineRule: LineRuleType.AT_LEAST,
    before: 0,
    after: 0,
  };
  const cell = (text: string, column: TableColumn, i: number, header: boolean) =>
    new TableCell({
      width: { size: widths[i] ?? 0, type: WidthType.DXA },
      verticalAlign: VerticalAlignTable.CENTER,
      children: [
        new Paragraph({
          alignment: header ? AlignmentType.CENTER : ALIGN[column.align ?? "left"],
          spacing: cellLine,
          children: [run(text, header ? L.heading1.font : L.table.font, L.table.sizePt)],
        }),
      ],
    });
  const border = { style: BorderStyle.SINGLE, size: 4, color: "000000" };
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    borders: {
      top: border,
      bottom: border,
      left: border,
      right: border,
      insideHorizontal: border,
      insideVertical: border,
    },
    rows: [
      new TableRow({ tableHeader: true, children: columns.map((c, i) => cell(c.title, c, i, true)) }),
      ...rows.map(
        (row) =>
          new TableRow({ cantSplit: true, children: columns.map((c, i) => cell(row[i] ?? "", c, i, false)) }),
      ),
    ],
  });
}

function blocks(block: DocumentBlock): (Paragraph | Table)[] {
  switch (block.kind) {
    case "title":
      // The title, then one empty line before the addressee (GB/T 9704 7.3.3).
      return [
        new Paragraph({
          alignment: AlignmentType.CENTER,
          spacing: { line: twips(L.title.sizePt * 1.6), lineRule: LineRuleType.EXACT, before: 0, after: 0 },
          children: [run(block.text, L.title.font, L.title.sizePt)],
        }),
        new Paragraph({ spacing: exactLine, children: [run("", L.body.font, L.body.sizePt)] }),
      ];
    case "addressee":
      return [new Paragraph({ spacing: exactLine, children: [run(block.text, L.body.font, L.body.sizePt)] })];
    case "heading": {
      const style = block.level === 1 ? L.heading1 : L.heading2;
      return [
        new Paragraph({
          spacing: exactLine,
          indent: { firstLine: 2 * BODY_CHAR },
          keepNext: true,
          children: [run(block.text, style.font, style.sizePt)],
        }),
      ];
    }
    case "paragraph":
      return [
        new Paragraph({
          alignment: AlignmentType.JUSTIFIED,
          spacing: exactLine,
          indent: { firstLine: 2 * BODY_CHAR },
          children: [run(block.text, L.body.font, L.body.sizePt)],
        }),
      ];
    case "table":
      return [table(block.columns, block.rows), new Paragraph({ spacing: exactLine, children: [] })];
    case "closing":
      return [
        new Paragraph({ spacing: exactLine, children: [] }),
        ...block.lines.map(
          (line) =>
            new Paragraph({
              alignment: AlignmentType.RIGHT,
              spacing: exactLine,
              indent: { right: 4 * BODY_CHAR },
              children: [run(line, L.body.font, L.body.sizePt)],
            }),
        ),
      ];
  }
}

/** `— n —` in 4号宋体, one character in from the outer edge: right on odd pages, left on even ones. */
function pageNumberFooter(side: "right" | "left"): Footer {
  const size = halfPoints(L.pageNumber.sizePt);
  const char = twips(L.pageNumber.sizePt);
  return new Footer({
    children: [
      new Paragraph({
        alignment: side === "right" ? AlignmentType.RIGHT : AlignmentType.LEFT,
        indent: side === "right" ? { right: char } : { left: char },
        children: [
          new TextRun({ children: ["— ", PageNumber.CURRENT, " —"], font: L.pageNumber.font, size }),
        ],
      }),
    ],
  });
}

/** The document as the bytes of a .docx file. */
export async function docxDocument(doc: OfficialDocument): Promise<Uint8Array> {
  // The page number's line starts 7 mm below the text block (GB/T 9704 7.5): Word measures the
  // footer from the bottom edge of the page to the bottom of its text.
  const footerMm = L.marginsMm.bottom - L.pageNumber.belowTextMm - (L.pageNumber.sizePt * 25.4) / 72;
  const file = new Document({
    title: doc.title,
    creator: doc.author,
    description: doc.title,
    evenAndOddHeaderAndFooters: true,
    styles: {
      default: {
        document: {
          run: { font: L.body.font, size: halfPoints(L.body.sizePt) },
          paragraph: { spacing: exactLine },
        },
      },
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: mmToTwip(L.page.widthMm), height: mmToTwip(L.page.heightMm) },
            margin: {
              top: mmToTwip(L.marginsMm.top),
              bottom: mmToTwip(L.marginsMm.bottom),
              left: mmToTwip(L.marginsMm.left),
              right: mmToTwip(L.marginsMm.right),
              header: mmToTwip(15),
              footer: mmToTwip(footerMm),
            },
          },
          grid: { type: DocumentGridType.LINES, linePitch: LINE },
        },
        footers: { default: pageNumberFooter("right"), even: pageNumberFooter("left") },
        children: doc.blocks.flatMap(blocks),
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(file));
}
