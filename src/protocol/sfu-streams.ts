/**
 * What a publisher calls each stream it sends through the SFU (the
 * `descriptions` of its VideoRoom publish). Viewers tell a camera from a
 * screen share by it; the room server's proxy lets through the camera's two
 * from anyone, and the screen share's two only from the member it names as
 * the sharer. Imported by path, not through the protocol's index: in the
 * script-tag build it belongs to the lazily loaded SFU chunk alone.
 */
export type StreamDescription = 'camera' | 'microphone' | 'screen' | 'screen-audio';

export const CAMERA_DESCRIPTIONS: ReadonlySet<string> = new Set<StreamDescription>(['camera', 'microphone']);
export const SCREEN_DESCRIPTIONS: ReadonlySet<string> = new Set<StreamDescription>(['screen', 'screen-audio']);

/** One published m-line and what it is. */
export interface MidDescription {
  mid: string;
  description: StreamDescription;
}
