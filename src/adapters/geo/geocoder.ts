// The geocoding port: address -> coordinates. The delivery-zone rule lives in the orders module, not here.

export interface AddressQuery {
  address: string;
  city: string;
  zipCode: string;
}

export interface GeoPoint {
  lat: number;
  lng: number;
}

export interface GeocodeResult extends GeoPoint {
  formattedAddress: string;
  postalCode: string | null;
}

export interface Geocoder {
  readonly provider: 'mock' | 'google';
  /**
   * Throws ValidationError (422, code `address_not_found`) when the address cannot be found, and
   * UnavailableError (503, code `geo_unavailable` / `geo_timeout`) when the provider fails or is too slow.
   */
  geocode(query: AddressQuery): Promise<GeocodeResult>;
}
