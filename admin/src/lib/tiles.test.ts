import { describe, it, expect, beforeEach } from 'vitest';
import { validTemplate, tileOrigin, tileUrl, setTileUrl, DEFAULT_TILES } from './tiles';

describe('tile templates', () => {
  it.each([
    ['OpenStreetMap', DEFAULT_TILES, true],
    ['loopback with a port', 'http://127.0.0.1:8081/{z}/{x}/{y}.png', true],
    ['missing {y}', 'https://t.test/{z}/{x}.png', false],
    ['not http', 'javascript:alert(1)//{z}{x}{y}', false],
    ['no path', 'https://t.test', false],
  ])('%s', (_n, t, ok) => expect(validTemplate(t)).toBe(ok));
  it.each([
    [DEFAULT_TILES, 'https://tile.openstreetmap.org'],
    ['http://127.0.0.1:8081/{z}/{x}/{y}.png', 'http://127.0.0.1:8081'],
    ['https://{s}.tiles.test/{z}/{x}/{y}.png', 'https://a.tiles.test'],
  ])('origin of %s', (t, o) => expect(tileOrigin(t)).toBe(o));
});

describe('tile preference', () => {
  beforeEach(() => localStorage.clear());
  it('defaults to OpenStreetMap and remembers a choice', () => {
    expect(tileUrl()).toBe(DEFAULT_TILES);
    setTileUrl('http://127.0.0.1:1/{z}/{x}/{y}.png');
    expect(tileUrl()).toBe('http://127.0.0.1:1/{z}/{x}/{y}.png');
    setTileUrl('');
    expect(tileUrl()).toBe(DEFAULT_TILES);
  });
});
