import PDFDocument from "pdfkit";

export { documentClient } from "./document-client";

/**
 * Library floor of the PDF bulletin (spot-checks/get-bulletin-pdf): the floor + `pdfkit` (with
 * fontkit, which reads and subsets TrueType fonts), the library alone — a page in a CJK font, embedded
 * as a subset. The font is the route's (Noto Serif SC, copied beside the bundle as the construct copies
 * it beside the route's) and is read when a document is made, not at import, as in the route.
 */
export async function render(fontPath: string): Promise<Uint8Array> {
  const pdf = new PDFDocument({ size: "A4", font: fontPath });
  const chunks: Buffer[] = [];
  pdf.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    pdf.on("end", () => resolve());
    pdf.on("error", reject);
  });
  pdf.fontSize(22).text("督查通报");
  pdf.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}
