/**
 * Simulcast: the three layers a camera is sent in, and which one a viewer
 * asks the SFU for, from the size of the tile that shows it. Pure.
 */

/** Janus' substreams: 0 the smallest layer (`l`), 2 the full one (`h`). */
export type Substream = 0 | 1 | 2;

/**
 * The camera's encodings, highest first (Janus reads the rids in the order
 * `h`, `m`, `l` by default). Each layer halves the one above it.
 */
export const SIMULCAST_ENCODINGS: readonly Readonly<RTCRtpEncodingParameters>[] = Object.freeze([
  { rid: 'h', active: true, maxBitrate: 900_000, scaleResolutionDownBy: 1 },
  { rid: 'm', active: true, maxBitrate: 300_000, scaleResolutionDownBy: 2 },
  { rid: 'l', active: true, maxBitrate: 100_000, scaleResolutionDownBy: 4 },
]);

/** A fresh copy of the encodings, for `addTransceiver({ sendEncodings })`. */
export function simulcastEncodings(): RTCRtpEncodingParameters[] {
  return SIMULCAST_ENCODINGS.map((encoding) => ({ ...encoding }));
}

export interface Size {
  width: number;
  height: number;
}

/** What a viewer assumes of a camera whose size it does not know (the controller's default capture). */
export const DEFAULT_SOURCE: Readonly<Size> = Object.freeze({ width: 640, height: 480 });

/**
 * A layer may be up to this much smaller than the tile before the next one is
 * asked for: a slightly upscaled picture looks the same, and every step up
 * costs the SFU's downlink to this viewer.
 */
const UPSCALE_TOLERANCE = 1.25;

/**
 * The substream for a tile of `tile` CSS pixels showing a camera of `source`
 * pixels, on a screen of `pixelRatio`: the smallest layer that covers the
 * tile (within a little upscaling). A hidden tile (0×0) gets the smallest.
 */
export function pickSubstream(tile: Size, source: Size = DEFAULT_SOURCE, pixelRatio = 1): Substream {
  const ratio = Number.isFinite(pixelRatio) && pixelRatio > 0 ? pixelRatio : 1;
  const needWidth = Math.max(0, tile.width) * ratio;
  const needHeight = Math.max(0, tile.height) * ratio;
  if (needWidth === 0 || needHeight === 0) return 0;
  const sourceWidth = source.width > 0 ? source.width : DEFAULT_SOURCE.width;
  const sourceHeight = source.height > 0 ? source.height : DEFAULT_SOURCE.height;
  // The layer's scale against the tile: a tile fits its video (contain), so the larger need decides.
  const scale = Math.max(needWidth / sourceWidth, needHeight / sourceHeight);
  if (scale <= UPSCALE_TOLERANCE / 4) return 0;
  if (scale <= UPSCALE_TOLERANCE / 2) return 1;
  return 2;
}
