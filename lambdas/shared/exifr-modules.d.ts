// exifr publishes types for its prebuilt bundles only; its ES modules under src/ have none.
declare module "exifr/src/core.mjs" {
  export { parse } from "exifr";
}
declare module "exifr/src/file-parsers/jpeg.mjs";
declare module "exifr/src/file-parsers/png.mjs";
declare module "exifr/src/segment-parsers/ihdr.mjs";
declare module "exifr/src/segment-parsers/tiff-exif.mjs";
declare module "exifr/src/dicts/tiff-ifd0-keys.mjs";
declare module "exifr/src/dicts/tiff-exif-keys.mjs";
declare module "exifr/src/dicts/tiff-gps-keys.mjs";
declare module "exifr/src/dicts/tiff-interop-keys.mjs";
