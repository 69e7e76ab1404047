import { describe, expect, it } from 'vitest';
import { keySlot } from '../src/cluster/key-slot.ts';
import {
  globLiteral,
  MARKER_NAMESPACE,
  markerKey,
  scanPatterns,
  sessionKeyOfMarker,
  slotTag,
} from '../src/session/moved-marker.ts';

describe('markerKey', () => {
  // Session keys keep connect-redis' names, so any sid: braces that form a tag, braces that do not, an empty tag.
  it.each([
    'sess:AbCdEfGh_ij-KLmnop0123456789',
    'sess:{user42}:x',
    'sess:a}b',
    'sess:{}x}',
    'sess:{abc',
    'rak:session-migration:1a2b:sess:ö€',
    '',
  ])('%j: the marker lives in the session key’s slot and names it', (key) => {
    const marker = markerKey(key);
    expect(marker.startsWith(MARKER_NAMESPACE)).toBe(true);
    expect(keySlot(marker)).toBe(keySlot(key));
    expect(sessionKeyOfMarker(marker)).toBe(key);
  });

  it('has a tag for every slot', () => {
    for (let slot = 0; slot < 16384; slot++) expect(keySlot(slotTag(slot))).toBe(slot);
    expect(() => slotTag(16384)).toThrow(RangeError);
  });
});

describe('scan patterns', () => {
  it('match a prefix literally, glob characters included', () => {
    expect(globLiteral('a*b?[c]\\')).toBe('a\\*b\\?\\[c\\]\\\\');
    expect(scanPatterns('sess:')).toEqual({ sessions: 'sess:*', markers: 'session-migration:moved:{*}:sess:*' });
  });
});
