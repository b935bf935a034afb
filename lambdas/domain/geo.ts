/** Proof of being on site (直插现场): how far the recorded arrival position is from the unit. */

export interface LatLng {
  readonly lat: number;
  readonly lng: number;
}

/** The radius around a unit's location within which an arrival counts as on site, when the unit sets none. */
export const DEFAULT_RADIUS_METERS = 500;

/** Mean earth radius (IUGG), metres. */
const EARTH_RADIUS_METERS = 6_371_008.8;

const toRadians = (deg: number): number => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine formula). */
export function distanceMeters(a: LatLng, b: LatLng): number {
  const dLat = toRadians(b.lat - a.lat);
  const dLng = toRadians(b.lng - a.lng);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRadians(a.lat)) * Math.cos(toRadians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface ArrivalCheck {
  readonly distanceMeters: number | null;
  readonly onSite: boolean;
}

/**
 * Checks an arrival position against the unit's location. Without a unit location nothing can be
 * proven: `{ distanceMeters: null, onSite: false }`. The distance is rounded to whole metres and the
 * arrival is on site when it is at most the radius (the unit's, else DEFAULT_RADIUS_METERS).
 */
export function checkArrival(
  position: LatLng,
  unitLocation: LatLng | undefined,
  radiusMeters: number | undefined,
): ArrivalCheck {
  if (unitLocation === undefined) return { distanceMeters: null, onSite: false };
  const distance = Math.round(distanceMeters(position, unitLocation));
  return { distanceMeters: distance, onSite: distance <= (radiusMeters ?? DEFAULT_RADIUS_METERS) };
}
