/**
 * Who is shown large: the pinned participant, or in the speaker layout the
 * active speaker. Pure and table-tested; `<video-grid>` renders the result.
 */

/** How the remote participants are laid out: everyone in a grid, or the active speaker large above a strip. */
export type GridLayoutMode = 'grid' | 'speaker';

export const GRID_LAYOUT_MODES: readonly GridLayoutMode[] = ['grid', 'speaker'];

/** `value` as a layout mode; anything else is the default grid. */
export function parseLayoutMode(value: unknown): GridLayoutMode {
  return value === 'speaker' ? 'speaker' : 'grid';
}

/** The active speaker and since when (ms, any monotonic clock). */
export interface ActiveSpeaker {
  id: string;
  since: number;
}

/** How long a new active speaker stays before another may take over, so a quick interjection does not flip the stage back and forth. */
export const ACTIVE_SPEAKER_HOLD_MS = 1500;

/**
 * The next active speaker, given who speaks now (`speaking`, most recent
 * first). The current one stays while speaking, and when nobody speaks (the
 * last speaker stays on stage through pauses). Someone else takes over when
 * the current one is silent and has held the stage for `holdMs`, or at once
 * when the current one has left (`present` says who is still there).
 */
export function nextActiveSpeaker(
  current: ActiveSpeaker | null,
  speaking: readonly string[],
  present: ReadonlySet<string>,
  now: number,
  holdMs = ACTIVE_SPEAKER_HOLD_MS,
): ActiveSpeaker | null {
  const candidates = speaking.filter((id) => present.has(id));
  const stillHere = current !== null && present.has(current.id) ? current : null;
  if (stillHere && (candidates.length === 0 || candidates.includes(stillHere.id))) return stillHere;
  const next = candidates[0];
  if (next === undefined) return stillHere;
  if (stillHere && now - stillHere.since < holdMs) return stillHere;
  return { id: next, since: now };
}

export interface StageParticipant {
  id: string;
  role: 'tutor' | 'student';
}

/**
 * The participant shown large, or null for the plain layout (the tutor's grid;
 * in the student view that layout already shows the tutor large). A pin wins
 * while the pinned participant is there; the speaker layout shows the active
 * speaker, else the tutor, else the first participant.
 */
export function featuredParticipant(input: {
  layout: GridLayoutMode;
  pinned: string | null;
  activeSpeaker: string | null;
  /** The remote participants, in join order. */
  participants: readonly StageParticipant[];
}): string | null {
  const { layout, pinned, activeSpeaker, participants } = input;
  const here = (id: string | null): id is string => id !== null && participants.some((p) => p.id === id);
  if (here(pinned)) return pinned;
  if (layout !== 'speaker') return null;
  if (here(activeSpeaker)) return activeSpeaker;
  return participants.find((p) => p.role === 'tutor')?.id ?? participants[0]?.id ?? null;
}

/** The strip beside the stage: everyone else, the tutor first, then in join order. */
export function stripOrder<T extends StageParticipant>(participants: readonly T[], featured: string): T[] {
  const rest = participants.filter((p) => p.id !== featured);
  return [...rest.filter((p) => p.role === 'tutor'), ...rest.filter((p) => p.role !== 'tutor')];
}
