/**
 * Reads a JPEG's frame size from its SOF marker, for the common file that needs nothing else
 * from its header: one frame, no APP1 segment (so no EXIF orientation). That spares a separate
 * header read through sharp per image. Anything unusual returns undefined and the caller asks
 * sharp instead; the pixels are decoded by sharp either way.
 */
export interface JpegSize {
  width: number;
  height: number;
}

/** SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

export function plainJpegSize(bytes: Uint8Array): JpegSize | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  const u16 = (at: number): number => (bytes[at]! << 8) | bytes[at + 1]!;
  let size: JpegSize | undefined;
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset++; // fill byte before a marker
      continue;
    }
    // Start of scan: the header is complete.
    if (marker === 0xda) return size;
    // Markers without a length (or a second SOI, EOI) have no place before the scan.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) return undefined;
    const length = u16(offset + 2);
    if (length < 2 || offset + 2 + length > bytes.length) return undefined;
    if (isStartOfFrame(marker)) {
      if (size || length < 8) return undefined;
      const height = u16(offset + 5);
      const width = u16(offset + 7);
      if (width === 0 || height === 0) return undefined;
      size = { width, height };
    } else if (marker === 0xe1) {
      return undefined; // APP1: EXIF (orientation) or XMP; let sharp read it
    }
    offset += 2 + length;
  }
  return undefined;
}
