/**
 * Real files for the evidence tests: a small JPEG (made by Chromium's encoder) into which an EXIF
 * segment with a capture time, an offset and a GPS position can be written, as a phone camera does.
 */
import { crc32, deflateSync } from "node:zlib";

const BASE_JPEG = Buffer.from(
  "/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQFdBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT0//wAARCAAYACADASIAAhEBAxEB/8QAGAABAQEBAQAAAAAAAAAAAAAAAgABAwb/xAAVEAEBAAAAAAAAAAAAAAAAAAABAP/EABgBAQADAQAAAAAAAAAAAAAAAAUCAwQG/8QAGBEAAgMAAAAAAAAAAAAAAAAAAAMBAgT/2gAMAwEAAhEDEQA/APMBILAkFBSzoNDjQkFBIJNSwLQ45BIKqoVWDXovIgkFVJKrADovJ//Z",
  "base64",
);

export interface ExifFacts {
  /** "YYYY:MM:DD HH:MM:SS", the camera's clock. */
  readonly dateTimeOriginal?: string;
  /** "+08:00" and the like; absent on many cameras. */
  readonly offsetTimeOriginal?: string;
  readonly lat?: number;
  readonly lng?: number;
}

interface Entry {
  readonly tag: number;
  readonly type: number; // 2 ASCII, 4 LONG, 5 RATIONAL
  readonly count: number;
  readonly value: Buffer;
}

const ascii = (tag: number, text: string): Entry => {
  const value = Buffer.from(`${text}\0`, "latin1");
  return { tag, type: 2, count: value.length, value };
};
const long = (tag: number, n: number): Entry => {
  const value = Buffer.alloc(4);
  value.writeUInt32LE(n);
  return { tag, type: 4, count: 1, value };
};
/** Degrees as three rationals: degrees, minutes, seconds (×1000). */
const dms = (tag: number, degrees: number): Entry => {
  const abs = Math.abs(degrees);
  const d = Math.floor(abs);
  const m = Math.floor((abs - d) * 60);
  const s = Math.round(((abs - d) * 60 - m) * 60 * 1000);
  const value = Buffer.alloc(24);
  for (const [i, n] of [d, 1, m, 1, s, 1000].entries()) value.writeUInt32LE(n, i * 4);
  return { tag, type: 5, count: 3, value };
};

/** One IFD at `offset` (little-endian TIFF), its larger values in a data area right after it. */
function ifd(entries: readonly Entry[], offset: number): Buffer {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const head = Buffer.alloc(2 + sorted.length * 12 + 4);
  head.writeUInt16LE(sorted.length, 0);
  const data: Buffer[] = [];
  let dataOffset = offset + head.length;
  sorted.forEach((e, i) => {
    const at = 2 + i * 12;
    head.writeUInt16LE(e.tag, at);
    head.writeUInt16LE(e.type, at + 2);
    head.writeUInt32LE(e.count, at + 4);
    if (e.value.length <= 4) e.value.copy(head, at + 8);
    else {
      head.writeUInt32LE(dataOffset, at + 8);
      const padded = e.value.length % 2 === 0 ? e.value : Buffer.concat([e.value, Buffer.alloc(1)]);
      data.push(padded);
      dataOffset += padded.length;
    }
  });
  return Buffer.concat([head, ...data]);
}

/** The TIFF body of an EXIF segment with these facts. */
function exifTiff(facts: ExifFacts): Buffer {
  const exifEntries: Entry[] = [];
  if (facts.dateTimeOriginal) exifEntries.push(ascii(0x9003, facts.dateTimeOriginal));
  if (facts.offsetTimeOriginal) exifEntries.push(ascii(0x9011, facts.offsetTimeOriginal));
  const gpsEntries: Entry[] =
    facts.lat !== undefined && facts.lng !== undefined
      ? [
          ascii(0x0001, facts.lat < 0 ? "S" : "N"),
          dms(0x0002, facts.lat),
          ascii(0x0003, facts.lng < 0 ? "W" : "E"),
          dms(0x0004, facts.lng),
        ]
      : [];
  const ifd0Count = 1 + (gpsEntries.length > 0 ? 1 : 0);
  const ifd0Size = 2 + ifd0Count * 12 + 4;
  const exifOffset = 8 + ifd0Size;
  const exifIfd = ifd(exifEntries, exifOffset);
  const gpsOffset = exifOffset + exifIfd.length;
  const gpsIfd = gpsEntries.length > 0 ? ifd(gpsEntries, gpsOffset) : Buffer.alloc(0);
  const ifd0 = ifd(
    [long(0x8769, exifOffset), ...(gpsEntries.length > 0 ? [long(0x8825, gpsOffset)] : [])],
    8,
  );
  const header = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]);
  return Buffer.concat([header, ifd0, exifIfd, gpsIfd]);
}

/** A JPEG photo; with facts, carrying them in an EXIF (APP1) segment right after its start marker. */
export function jpeg(facts?: ExifFacts): Buffer {
  if (!facts) return Buffer.from(BASE_JPEG);
  const body = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), exifTiff(facts)]);
  const marker = Buffer.alloc(4);
  marker.writeUInt16BE(0xffe1, 0);
  marker.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([BASE_JPEG.subarray(0, 2), marker, body, BASE_JPEG.subarray(2)]);
}

/** A one-page PDF. */
export function pdf(): Buffer {
  return Buffer.from(
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
      "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
    "latin1",
  );
}

/** Bytes that are no picture and no document (what a renamed executable looks like). */
export function notAnImage(size = 2048): Buffer {
  const bytes = Buffer.alloc(size);
  bytes.write("MZ", 0, "latin1");
  for (let i = 2; i < size; i++) bytes[i] = (i * 31) % 251;
  return bytes;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A 1×1 PNG picture; with facts, carrying them in an eXIf chunk (PNG 1.5), as some cameras and editors write. */
export function png(facts?: ExifFacts): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0); // width
  header.writeUInt32BE(1, 4); // height
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    ...(facts ? [pngChunk("eXIf", exifTiff(facts))] : []),
    pngChunk("IDAT", deflateSync(Buffer.from([0, 0x2a, 0x6b, 0xd2]))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}
