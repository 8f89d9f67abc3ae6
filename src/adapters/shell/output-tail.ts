/**
 * Keeps the last `maxBytes` of a stream's output. A command that floods stdout must not fill
 * dbwave's memory or the state dir, and when something goes wrong the end of the output is
 * what says why.
 */
export class OutputTail {
  private readonly chunks: Buffer[] = [];
  private keptBytes = 0;
  private droppedBytes = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.keptBytes += chunk.length;
    while (this.keptBytes > this.maxBytes) {
      const first = this.chunks[0];
      if (first === undefined) break;
      const excess = this.keptBytes - this.maxBytes;
      if (first.length <= excess) {
        this.chunks.shift();
        this.keptBytes -= first.length;
        this.droppedBytes += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.keptBytes -= excess;
        this.droppedBytes += excess;
      }
    }
  }

  /** Bytes received so far, kept or not. */
  get totalBytes(): number {
    return this.keptBytes + this.droppedBytes;
  }

  /** The kept tail as text, starting on a whole character, with a marker when the head was dropped. */
  text(): string {
    let kept = Buffer.concat(this.chunks);
    if (this.droppedBytes === 0) return kept.toString('utf8');
    // The cut may land inside a multi-byte character: skip its continuation bytes (10xxxxxx).
    let start = 0;
    while (start < kept.length && start < 3 && ((kept[start] ?? 0) & 0xc0) === 0x80) start++;
    kept = kept.subarray(start);
    return `[dbwave: ${this.droppedBytes + start} earlier bytes dropped]\n${kept.toString('utf8')}`;
  }
}
