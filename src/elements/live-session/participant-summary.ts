import type { Participant } from '../../core/events.js';

/**
 * A participant as `<live-session>`'s `participants` property returns it: the
 * plain, serialisable fields of the public contract. Distinct from the core's
 * `Participant` (the live state, with the media stream and the media
 * connection), which the elements render, and from the protocol's
 * `ParticipantInfo` (what the server sends on the wire).
 */
export type ParticipantSummary = Pick<
  Participant,
  'id' | 'userId' | 'name' | 'role' | 'isVideoOn' | 'isAudioOn' | 'isHandRaised' | 'isLocal'
>;

export function toParticipantSummary(p: Participant): ParticipantSummary {
  return {
    id: p.id,
    userId: p.userId,
    name: p.name,
    role: p.role,
    isVideoOn: p.isVideoOn,
    isAudioOn: p.isAudioOn,
    isHandRaised: p.isHandRaised,
    isLocal: p.isLocal,
  };
}
