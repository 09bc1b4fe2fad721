/**
 * The first `limit` non-empty lines of a file, read in chunks: the bench's logs are larger
 * than the longest string V8 makes (~512 MiB), so they are never read whole.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 1 << 24;

export function firstLines(file, limit) {
  const lines = [];
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let carry = '';
    while (lines.length < limit) {
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      const parts = (carry + buffer.toString('utf8', 0, n)).split('\n');
      carry = parts.pop();
      for (const line of parts) if (line.length > 0 && lines.length < limit) lines.push(line);
    }
    if (carry.length > 0 && lines.length < limit) lines.push(carry);
  } finally {
    closeSync(fd);
  }
  return lines;
}
