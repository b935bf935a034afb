import { describe, expect, it } from "vitest";
import {
  checkUpload,
  evidenceIdOfUploadKey,
  evidenceObjectKeys,
  exifCaptureTime,
  exifLocation,
  MAX_EVIDENCE_BYTES,
  safeFileName,
  sniffContentType,
} from "../../lambdas/domain/evidence";
import { jpeg, notAnImage, pdf } from "../support/photos";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const WEBP = Buffer.concat([Buffer.from("RIFF"), Buffer.from([1, 2, 3, 4]), Buffer.from("WEBPVP8 ")]);

describe("what a file is, by its bytes", () => {
  it("knows JPEG, PNG, WebP and PDF by their magic numbers and nothing else", () => {
    expect(sniffContentType(jpeg())).toBe("image/jpeg");
    expect(sniffContentType(PNG)).toBe("image/png");
    expect(sniffContentType(WEBP)).toBe("image/webp");
    expect(sniffContentType(pdf())).toBe("application/pdf");
    expect(sniffContentType(notAnImage())).toBeUndefined();
    expect(sniffContentType(Buffer.from("GIF89a"))).toBeUndefined();
    // RIFF without WEBP is a WAV or an AVI, not a photo.
    expect(sniffContentType(Buffer.concat([Buffer.from("RIFF1234WAVE")]))).toBeUndefined();
    expect(sniffContentType(new Uint8Array())).toBeUndefined();
  });

  it("refuses bytes whose size or type contradicts the declaration, naming both in Chinese", () => {
    const photo = jpeg();
    expect(checkUpload({ contentType: "image/jpeg", size: photo.length }, photo.length, photo)).toEqual({
      ok: true,
    });
    const sized = checkUpload({ contentType: "image/jpeg", size: 10 }, photo.length, photo);
    expect(sized).toMatchObject({ ok: false });
    expect(!sized.ok && sized.reason).toMatch(/申报 10 字节/);
    const typed = checkUpload({ contentType: "application/pdf", size: photo.length }, photo.length, photo);
    expect(!typed.ok && typed.reason).toBe("文件内容是JPEG 图片，与申报的PDF 文件不符。");
    const big = MAX_EVIDENCE_BYTES + 1;
    expect(checkUpload({ contentType: "image/jpeg", size: big }, big, photo).ok).toBe(false);
  });
});

describe("when and where a photo was taken", () => {
  it("reads DateTimeOriginal with its offset, and as China Standard Time without one", () => {
    expect(exifCaptureTime("2026:12:03 10:15:30", "+08:00")).toBe("2026-12-03T02:15:30.000Z");
    expect(exifCaptureTime("2026:12:03 10:15:30", "+01:00")).toBe("2026-12-03T09:15:30.000Z");
    expect(exifCaptureTime("2026:12:03 10:15:30", undefined)).toBe("2026-12-03T02:15:30.000Z");
    expect(exifCaptureTime("2026:12:03 10:15:30", "garbage")).toBe("2026-12-03T02:15:30.000Z");
    expect(exifCaptureTime("0000:00:00 00:00:00", undefined)).toBeUndefined();
    expect(exifCaptureTime("yesterday", undefined)).toBeUndefined();
    expect(exifCaptureTime(undefined, "+08:00")).toBeUndefined();
  });

  it("reads GPS degrees, minutes and seconds with their hemispheres", () => {
    expect(
      exifLocation({
        GPSLatitude: [34, 44, 50.28],
        GPSLatitudeRef: "N",
        GPSLongitude: [113, 37, 29.64],
        GPSLongitudeRef: "E",
      }),
    ).toEqual({ lat: 34.7473, lng: 113.6249 });
    expect(
      exifLocation({
        GPSLatitude: [33, 52, 4],
        GPSLatitudeRef: "S",
        GPSLongitude: [151, 12, 36],
        GPSLongitudeRef: "E",
      }),
    ).toEqual({ lat: -33.8677778, lng: 151.21 });
    expect(exifLocation({ GPSLatitude: [34, 0, 0], GPSLatitudeRef: "N" })).toBeUndefined();
    expect(exifLocation({ GPSLatitude: [95, 0, 0], GPSLongitude: [0, 0, 0] })).toBeUndefined();
    expect(exifLocation({ GPSLatitude: ["a"], GPSLongitude: [1] })).toBeUndefined();
  });
});

describe("object keys", () => {
  it("uploads land under uploads/, verified bytes under evidence/, and only uuids are evidence", () => {
    const id = "0b6f3c0e-8d2a-4b7e-9c41-5a2f1e3d4c5b";
    expect(evidenceObjectKeys(id)).toEqual({ upload: `uploads/${id}`, stored: `evidence/${id}` });
    expect(evidenceIdOfUploadKey(`uploads/${id}`)).toBe(id);
    expect(evidenceIdOfUploadKey(`evidence/${id}`)).toBeUndefined();
    expect(evidenceIdOfUploadKey("uploads/../evidence/x")).toBeUndefined();
  });

  it("download names cannot break the header", () => {
    expect(safeFileName('消杀"记录\n本/1.jpg')).toBe("消杀_记录_本_1.jpg");
    expect(safeFileName("   ")).toBe("evidence");
  });
});
