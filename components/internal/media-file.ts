/**
 * Files a visitor gives `<loupe-live>` (its file picker, or a drop on the element): what they show as,
 * and the object URL the camera plays them from (revoked when the file is replaced or the element goes).
 */

/** What a file shows as, from its MIME type (null: neither, refused as `bad-input`). */
export function mediaKindOfFile(file: Pick<File, 'type'>): 'image' | 'video' | null {
  if (file.type.startsWith('image/')) return 'image';
  if (file.type.startsWith('video/')) return 'video';
  return null;
}

/** The one file shown at a time, as an object URL. */
export class MediaFile {
  private current: { url: string; kind: 'image' | 'video'; name: string } | null = null;

  /** The file showing now (its object URL, kind and name), or null. */
  get value(): { url: string; kind: 'image' | 'video'; name: string } | null {
    return this.current;
  }

  /** Takes `file` in place of the previous one (whose URL is revoked); null if it is not an image or video. */
  set(file: File): { url: string; kind: 'image' | 'video'; name: string } | null {
    const kind = mediaKindOfFile(file);
    if (!kind) return null;
    this.clear();
    this.current = { url: URL.createObjectURL(file), kind, name: file.name };
    return this.current;
  }

  /** Forgets the file and revokes its URL. */
  clear(): void {
    if (this.current) URL.revokeObjectURL(this.current.url);
    this.current = null;
  }
}
