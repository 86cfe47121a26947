import assert from 'node:assert/strict';

/** Width and height from a JPEG's SOF marker. */
export function jpegSize(data: Buffer): { width: number; height: number } {
  assert.equal(data.readUInt16BE(0), 0xffd8, 'a JPEG');
  let at = 2;
  while (at < data.length) {
    const marker = data.readUInt16BE(at);
    const length = data.readUInt16BE(at + 2);
    if (marker >= 0xffc0 && marker <= 0xffcf && ![0xffc4, 0xffc8, 0xffcc].includes(marker)) {
      return { height: data.readUInt16BE(at + 5), width: data.readUInt16BE(at + 7) };
    }
    at += 2 + length;
  }
  throw new Error('no SOF marker');
}
