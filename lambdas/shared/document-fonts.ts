import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * The free CJK fonts the PDF documents embed (subset to the characters used) in place of the official
 * ones, which are not free: Noto Serif SC (SIL Open Font License 1.1) from the
 * `@expo-google-fonts/noto-serif-sc` package — Regular for the body (仿宋's place), Bold for the title
 * and first-level headings (小标宋's and 黑体's). A bundled Lambda has no node_modules: the function
 * construct copies these files next to its bundle (`fonts/…`, lib/constructs/inspection-function.ts),
 * where `documentFontPath` looks first; run from the sources (`npm start`, the tests) it reads them
 * from the package.
 */
export const DOCUMENT_FONT_PACKAGE = "@expo-google-fonts/noto-serif-sc";

export const DOCUMENT_FONTS = {
  regular: { file: "400Regular/NotoSerifSC_400Regular.ttf", bundled: "fonts/NotoSerifSC-Regular.ttf" },
  bold: { file: "700Bold/NotoSerifSC_700Bold.ttf", bundled: "fonts/NotoSerifSC-Bold.ttf" },
} as const;

export type DocumentFont = keyof typeof DOCUMENT_FONTS;

/** The PostScript name the PDF's embedded font carries (after its subset tag), for checks. */
export const DOCUMENT_FONT_NAMES: Readonly<Record<DocumentFont, string>> = {
  regular: "NotoSerifSC-Regular",
  bold: "NotoSerifSC-Bold",
};

const requireHere = createRequire(import.meta.url);

/** Where the font file is in the installed package (for copying into a bundle, and for the sources). */
export function documentFontSource(font: DocumentFont): string {
  return requireHere.resolve(`${DOCUMENT_FONT_PACKAGE}/${DOCUMENT_FONTS[font].file}`);
}

/** The files a PDF route's bundle must carry: from the package, to their place beside the bundle. */
export function documentFontFiles(): { from: string; to: string }[] {
  return (Object.keys(DOCUMENT_FONTS) as DocumentFont[]).map((font) => ({
    from: documentFontSource(font),
    to: DOCUMENT_FONTS[font].bundled,
  }));
}

/** The path of a font file: next to the bundle when bundled, else in the package. */
export function documentFontPath(font: DocumentFont): string {
  const bundled = fileURLToPath(new URL(`./${DOCUMENT_FONTS[font].bundled}`, import.meta.url));
  return existsSync(bundled) ? bundled : documentFontSource(font);
}
