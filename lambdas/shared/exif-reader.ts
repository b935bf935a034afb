// exifr built from its modules, as its README's "build your own" shows: the core, the file parsers of
// the photo types evidence accepts that carry EXIF (JPEG; PNG with its eXIf chunk and the IHDR header
// it always reads) and the TIFF/EXIF segment with the key dictionaries that `pick` names its tags by.
// The `exifr` default (full) build also carries TIFF/HEIC/XMP/ICC/IPTC parsers, value dictionaries,
// revivers and Node file readers the upload check never uses: ~73 KB of its bundle (docs/performance.md,
// phase 1). The same results as the full build on these types (test/unit/exif-reader.test.ts).
import { parse } from "exifr/src/core.mjs";
import "exifr/src/file-parsers/jpeg.mjs";
import "exifr/src/file-parsers/png.mjs";
import "exifr/src/segment-parsers/ihdr.mjs";
import "exifr/src/segment-parsers/tiff-exif.mjs";
import "exifr/src/dicts/tiff-ifd0-keys.mjs";
import "exifr/src/dicts/tiff-exif-keys.mjs";
import "exifr/src/dicts/tiff-gps-keys.mjs";
import "exifr/src/dicts/tiff-interop-keys.mjs";

/** The raw values (no revivers) of the `tags` a photo's EXIF carries; throws on a file it cannot read. */
export async function readExifTags(bytes: Uint8Array, tags: readonly string[]): Promise<unknown> {
  return parse(bytes, { pick: [...tags], reviveValues: false });
}
