import exifr from "exifr";
import { describe, expect, it } from "vitest";
import { readExifTags } from "../../lambdas/shared/exif-reader";
import { jpeg, notAnImage, pdf, png } from "../support/photos";

/** The tags the upload check reads (lambdas/handlers/evidence/verify-upload.ts). */
const TAGS = [
  "DateTimeOriginal",
  "OffsetTimeOriginal",
  "GPSLatitude",
  "GPSLatitudeRef",
  "GPSLongitude",
  "GPSLongitudeRef",
];

const FACTS = {
  dateTimeOriginal: "2026:12:03 09:00:00",
  offsetTimeOriginal: "+08:00",
  lat: 31.2304,
  lng: 121.4737,
};

/** The result, or the fact that it threw (the check treats both the same: no capture facts). */
async function outcome(read: () => Promise<unknown>): Promise<unknown> {
  try {
    return { tags: await read() };
  } catch {
    return "throws";
  }
}

const webp = () =>
  Buffer.concat([
    Buffer.from("RIFF", "latin1"),
    Buffer.alloc(4, 0x20),
    Buffer.from("WEBPVP8 ", "latin1"),
    Buffer.alloc(64),
  ]);

describe("the upload check's EXIF reader (exifr built from its modules)", () => {
  it("reads a JPEG's capture time, offset and GPS position as raw values", async () => {
    const tags = (await readExifTags(jpeg(FACTS), TAGS)) as Record<string, unknown>;
    expect(tags).toMatchObject({
      DateTimeOriginal: "2026:12:03 09:00:00",
      OffsetTimeOriginal: "+08:00",
      GPSLatitudeRef: "N",
      GPSLongitudeRef: "E",
    });
    expect(tags.GPSLatitude).toHaveLength(3);
  });

  it("reads a PNG's eXIf chunk", async () => {
    expect(await readExifTags(png(FACTS), TAGS)).toMatchObject({ DateTimeOriginal: "2026:12:03 09:00:00" });
  });

  it.each([
    ["a JPEG with every fact", () => jpeg(FACTS)],
    ["a JPEG with a time only", () => jpeg({ dateTimeOriginal: "2025:01:31 23:59:59" })],
    ["a JPEG with a position only", () => jpeg({ lat: -33.8688, lng: -151.2093 })],
    ["a JPEG without EXIF", () => jpeg()],
    ["a PNG with every fact", () => png(FACTS)],
    ["a PNG without EXIF", () => png()],
    ["a WebP", webp],
    ["a PDF", pdf],
    ["bytes that are no picture", () => notAnImage()],
  ])("gives what the full exifr build gives for %s", async (_, file) => {
    const options = { pick: TAGS, reviveValues: false };
    expect(await outcome(() => readExifTags(file(), TAGS))).toEqual(
      await outcome(() => exifr.parse(file(), options)),
    );
  });
});
