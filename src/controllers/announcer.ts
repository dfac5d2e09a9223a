import { html, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { LiveSession } from '../core/live-session.js';
import type { LiveSessionStrings } from '../elements/shared/strings.js';
import { SessionListeners } from './session-listeners.js';

/**
 * Announces what happens in the room to screen readers through a polite live
 * region that the host renders with `render()`: joins, leaves, a newly raised
 * hand, the tutor muting you, asking you to unmute or inviting you to speak,
 * a screen share starting or ending (the layout changes with it), and whatever the host
 * passes to `announce()`.
 */
export class Announcer implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #strings: () => LiveSessionStrings;
  readonly #listeners: SessionListeners;
  #text = '';
  #frame = 0;
  #lastQueue: readonly string[] = [];
  #lastWaiting: readonly string[] = [];
  #lastSharer: string | null = null;

  constructor(host: ReactiveControllerHost, strings: () => LiveSessionStrings) {
    this.#host = host;
    this.#strings = strings;
    this.#listeners = new SessionListeners(host, {
      'participant-joined': (e) => this.announce(this.#strings().joinedAnnouncement(e.detail.participant.name)),
      'participant-left': (e) => this.announce(this.#strings().leftAnnouncement(e.detail.participant.name)),
      'hand-queue': (e) => this.#announceNewHand(e.detail.handQueue),
      muted: () => this.announce(this.#strings().mutedAnnouncement),
      'unmute-requested': () => this.announce(this.#strings().unmuteRequested),
      'speak-invited': () => this.announce(this.#strings().invitedToSpeak),
      'waiting-list': (e) => this.#announceNewWaiting(e.detail.waiting),
      'screen-share': (e) => this.#announceShare(e.detail.screen.sharer, e.detail.sharer?.name ?? null),
      'screen-share-ended': () => this.announce(this.#strings().shareReplaced),
    });
    host.addController(this);
  }

  set session(session: LiveSession | undefined) {
    this.#listeners.session = session;
    this.#lastQueue = session?.handQueue ?? [];
    this.#lastWaiting = session?.waitingRoom.map((w) => w.id) ?? [];
    this.#lastSharer = session?.screenShare.sharer ?? null;
  }

  /** The text announced last. */
  get text(): string {
    return this.#text;
  }

  announce(text: string): void {
    // Re-setting the same text would not be announced again: clear first.
    this.#set('');
    cancelAnimationFrame(this.#frame);
    this.#frame = requestAnimationFrame(() => this.#set(text));
  }

  /** The live region; render it once, anywhere in the host's shadow root. */
  render(): TemplateResult {
    return html`<div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.#text}</div>`;
  }

  hostDisconnected(): void {
    cancelAnimationFrame(this.#frame);
  }

  #set(text: string): void {
    if (text === this.#text) return;
    this.#text = text;
    this.#host.requestUpdate();
  }

  #announceShare(sharer: string | null, name: string | null): void {
    if (sharer === this.#lastSharer) return;
    this.#lastSharer = sharer;
    const s = this.#strings();
    if (sharer === null) this.announce(s.shareEnded);
    else if (sharer !== this.#listeners.session?.peerId) this.announce(s.shareStarted(name ?? s.participants));
  }

  #announceNewWaiting(waiting: readonly { id: string; name: string }[]): void {
    const added = waiting.find((w) => !this.#lastWaiting.includes(w.id));
    this.#lastWaiting = waiting.map((w) => w.id);
    if (added) this.announce(this.#strings().waitingAnnouncement(added.name));
  }

  #announceNewHand(queue: readonly string[]): void {
    const added = queue.find((id) => !this.#lastQueue.includes(id));
    this.#lastQueue = queue;
    const who = added ? this.#listeners.session?.participants.find((p) => p.id === added) : undefined;
    const s = this.#strings();
    if (who) this.announce(s.handAnnouncement(who.isLocal ? s.you : who.name));
  }
}
