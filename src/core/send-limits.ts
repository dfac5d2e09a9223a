/**
 * How hard each outgoing video may push, given how many peers it goes to.
 * Pure, so it is table-tested; the controller applies the result with
 * `RTCRtpSender.setParameters` on every video sender.
 *
 * The default budget (2.5 Mbit/s of video in total) fits a typical home uplink
 * of 5 Mbit/s with room for audio and retransmissions: a tutor sending to 12
 * students (star) gets 12 × 200 kbit/s at half resolution and 15 fps.
 */
export interface VideoSendLimits {
  /** Bits per second for one outgoing video. */
  maxBitrate: number;
  /** 1 = full capture size, 2 = half width and height. */
  scaleResolutionDownBy: number;
  maxFramerate: number;
}

export const DEFAULT_VIDEO_BUDGET_BPS = 2_500_000;
export const MIN_VIDEO_BITRATE_BPS = 150_000;
export const MAX_VIDEO_BITRATE_BPS = 1_200_000;

export function videoSendLimits(peerCount: number, budgetBps = DEFAULT_VIDEO_BUDGET_BPS): VideoSendLimits {
  const peers = Math.max(1, Math.floor(peerCount));
  const share = Math.round(budgetBps / peers);
  const maxBitrate = Math.min(MAX_VIDEO_BITRATE_BPS, Math.max(MIN_VIDEO_BITRATE_BPS, share));
  let scaleResolutionDownBy = 1;
  if (peers > 6) scaleResolutionDownBy = 2;
  else if (peers > 3) scaleResolutionDownBy = 1.5;
  const maxFramerate = peers > 6 ? 15 : peers > 3 ? 24 : 30;
  return { maxBitrate, scaleResolutionDownBy, maxFramerate };
}

/**
 * The limits for a connection whose sending is judged poor: half the bitrate
 * (never below half the floor), half the resolution and at most 10 frames a
 * second, so the picture gives way before the audio does.
 */
export function reducedSendLimits(limits: VideoSendLimits): VideoSendLimits {
  return {
    maxBitrate: Math.max(MIN_VIDEO_BITRATE_BPS / 2, Math.round(limits.maxBitrate / 2)),
    scaleResolutionDownBy: limits.scaleResolutionDownBy * 2,
    maxFramerate: Math.min(10, limits.maxFramerate),
  };
}
