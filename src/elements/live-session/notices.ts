/**
 * What `<live-session>` shows in its notices: messages about the camera or
 * microphone, errors before the room is joined, and a refused join.
 */
export type NoticeKind =
  /** The camera or microphone could not be used. */
  | 'media'
  /** An error reported by the session before or outside the room. */
  | 'error'
  /** The join was refused; cleared by the next join. */
  | 'join';

export interface Notice {
  kind: NoticeKind;
  text: string;
}

/** `notices` with `notice` added, unless the same text is already shown. */
export function withNotice(notices: readonly Notice[], notice: Notice): Notice[] {
  return notices.some((n) => n.kind === notice.kind && n.text === notice.text) ? [...notices] : [...notices, notice];
}

/** What a network-blocked error says, in the page's strings when it names whom. */
export function networkBlockedText(
  detail: { message: string; participant?: { name: string }; relayOnly?: boolean },
  s: { networkBlocked: (name: string) => string; networkBlockedRelay: (name: string) => string },
): string {
  const name = detail.participant?.name;
  if (!name) return detail.message;
  return detail.relayOnly ? s.networkBlockedRelay(name) : s.networkBlocked(name);
}
