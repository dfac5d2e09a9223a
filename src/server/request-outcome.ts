/**
 * How a member's room request went (chat, reactions, floor, waiting room,
 * screen share): done, or refused with an error code and a message for the
 * sender, which the member-request dispatcher turns into LS-ERROR.
 */
import type { ErrorCode } from '../protocol/index.js';

export type RequestOutcome =
  | { ok: true }
  | {
      ok: false;
      code: Extract<
        ErrorCode,
        'bad-payload' | 'message-too-long' | 'chat-disabled' | 'rate-limited' | 'no-such-participant' | 'forbidden' | 'no-such-message' | 'not-invited' | 'not-waiting' | 'share-not-allowed'
      >;
      message: string;
      /** A malformed request (counts towards the socket's bad-message limit). */
      malformed?: boolean;
    };
