import { describe, expect, it } from "vitest";
import { checkArrival, DEFAULT_RADIUS_METERS, distanceMeters } from "../../lambdas/domain/geo";

const zhengzhou = { lat: 34.75, lng: 113.62 };

describe("distanceMeters (haversine)", () => {
  it("is zero from a point to itself", () => {
    expect(distanceMeters(zhengzhou, zhengzhou)).toBe(0);
  });

  it("0.01° of latitude in Zhengzhou is about 1.11 km", () => {
    // R · Δφ = 6 371 008.8 m × 0.01 × π / 180
    expect(distanceMeters(zhengzhou, { lat: 34.76, lng: 113.62 })).toBeCloseTo(1111.95, 1);
  });

  it("0.011° of longitude at 34.75° N is about 1 km", () => {
    const d = distanceMeters(zhengzhou, { lat: 34.75, lng: 113.631 });
    expect(d).toBeGreaterThan(1000);
    expect(d).toBeLessThan(1010);
  });

  it("is symmetric", () => {
    const a = { lat: 34.7466, lng: 113.6253 };
    const b = { lat: 34.8, lng: 113.5 };
    expect(distanceMeters(a, b)).toBeCloseTo(distanceMeters(b, a), 6);
  });
});

describe("checkArrival (直插现场)", () => {
  const north = (meters: number) => ({
    lat: zhengzhou.lat + (meters / 6_371_008.8) * (180 / Math.PI),
    lng: 113.62,
  });

  it("without a unit location nothing is proven: no distance, not on site", () => {
    expect(checkArrival(zhengzhou, undefined, 500)).toEqual({ distanceMeters: null, onSite: false });
  });

  it("the default radius is 500 m", () => {
    expect(DEFAULT_RADIUS_METERS).toBe(500);
    expect(checkArrival(north(500), zhengzhou, undefined)).toEqual({ distanceMeters: 500, onSite: true });
    expect(checkArrival(north(501), zhengzhou, undefined)).toEqual({ distanceMeters: 501, onSite: false });
  });

  it("exactly on the radius is on site; one metre beyond is flagged", () => {
    expect(checkArrival(north(200), zhengzhou, 200)).toEqual({ distanceMeters: 200, onSite: true });
    expect(checkArrival(north(201), zhengzhou, 200)).toEqual({ distanceMeters: 201, onSite: false });
  });

  it("the distance is rounded to whole metres", () => {
    expect(checkArrival(north(123.4), zhengzhou, undefined).distanceMeters).toBe(123);
    expect(checkArrival(north(123.6), zhengzhou, undefined).distanceMeters).toBe(124);
  });

  it("a position 1 km away is not on site with the default radius", () => {
    const result = checkArrival({ lat: 34.76, lng: 113.62 }, zhengzhou, undefined);
    expect(result).toEqual({ distanceMeters: 1112, onSite: false });
  });
});
