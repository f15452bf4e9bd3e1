// The geoPoint map (Leaflet), loaded on demand as its own chunk with its
// stylesheet. Leaflet positions with element.style (CSSOM, which the CSP
// allows) and needs no inline <style>; the marker is a vector circle, so
// no marker images either.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { DEFAULT_TILES } from './tiles';

export interface MapHandle {
  /** set moves the marker (and the view when it is off screen). */
  set(lat: number, lon: number): void;
  destroy(): void;
}

/** round6 keeps six decimals (about 10 cm), enough for any pick by hand. */
export function round6(n: number): number { return Math.round(n * 1e6) / 1e6; }

/** createMap mounts a map in el; a click calls onpick with the point. */
export function createMap(el: HTMLElement, o: { lat: number; lon: number; tiles: string; editable: boolean;
  onpick: (lat: number, lon: number) => void; ontileerror?: () => void }): MapHandle {
  const has = !!(o.lat || o.lon);
  const map = L.map(el, { center: [o.lat, o.lon], zoom: has ? 13 : 2, worldCopyJump: true });
  map.attributionControl.setPrefix(false);
  L.tileLayer(o.tiles, {
    maxZoom: 19,
    attribution: o.tiles === DEFAULT_TILES ? '© OpenStreetMap contributors' : '',
  }).on('tileerror', () => o.ontileerror?.()).addTo(map);
  const marker = L.circleMarker([o.lat, o.lon], { radius: 8, weight: 2, fillOpacity: .6 });
  if (has) marker.addTo(map);
  if (o.editable) {
    map.on('click', (e: L.LeafletMouseEvent) => {
      const p = e.latlng.wrap();
      o.onpick(round6(p.lat), round6(p.lng));
    });
  }
  return {
    set(lat, lon) {
      marker.setLatLng([lat, lon]);
      if (!map.hasLayer(marker)) marker.addTo(map);
      if (!map.getBounds().contains([lat, lon])) map.panTo([lat, lon]);
    },
    destroy() { map.remove(); },
  };
}
