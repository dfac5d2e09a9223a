import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import type { Participant } from '../../core/events.js';
import { chooseGridLayout } from '../../core/grid-layout.js';
import { buttonStyles, themeStyles } from '../shared/base.styles.js';
import { icons } from '../shared/icons.js';
import type { LiveSession } from '../../core/live-session.js';
import { SessionElement } from '../shared/session-element.js';
import type { ParticipantTile } from '../participant-tile/participant-tile.js';
import '../participant-tile/define.js';
import { videoGridStyles } from './video-grid.styles.js';

/** The parts of each `<participant-tile>` that `<video-grid>` forwards, under the same names. */
const TILE_PARTS = 'video, placeholder, initials, name, indicator, hand-badge, reaction-badge, floor-badge, tile-actions, connection-badge';

/**
 * @customElement video-grid
 * @summary The remote participants. Tutor view: every student in a grid.
 * Student view: the tutor large, classmates in a strip, and "Waiting for the
 * tutor" while none is there.
 *
 * Inside `<live-session>` it follows the session from context; on its own, set
 * the `session` property to a `LiveSession`. Each participant is a
 * `<participant-tile>`, whose parts are forwarded under the same names. The
 * `view` attribute (`tutor` or `student`) is set by the grid, for styling.
 *
 * @csspart grid - The tutor view's grid of tiles.
 * @csspart tile - One `<participant-tile>` (also `tile main` for the tutor in student view), with its state attributes `speaking`, `muted`, `camera-off`, `hand-raised`.
 * @csspart video - The video in a tile.
 * @csspart placeholder - Shown in a tile while that camera is off.
 * @csspart initials - Initials in the placeholder.
 * @csspart name - The name badge with microphone and camera indicators.
 * @csspart indicator - A microphone or camera icon in the name badge.
 * @csspart hand-badge - The raised-hand badge with the queue position.
 * @csspart reaction-badge - A tile's reaction of the last 15 s.
 * @csspart floor-badge - "Has the floor" on a student's tile.
 * @csspart tile-actions - The tutor's buttons on a tile.
 * @csspart strip - The classmates strip in student view.
 * @csspart waiting - The "Waiting for the tutor" panel.
 * @csspart empty - The tutor's panel while no student is there.
 * @csspart enable-audio - The button shown when the browser blocked autoplaying audio.
 * @csspart connection-badge - Shown on a tile while its media connection recovers.
 *
 * @cssprop --live-session-gap - Space between tiles.
 * @cssprop --live-session-radius - Tile corner radius.
 * @cssprop --live-session-tile-background - Tile background.
 * @cssprop --live-session-tile-text - Tile text colour.
 * @cssprop --live-session-speaking - Outline of a tile whose participant speaks.
 * @cssprop --video-grid-strip-tile-width - Width of a classmate tile in the strip.
 */
export class VideoGrid extends SessionElement {
  static override styles = [themeStyles, buttonStyles, videoGridStyles];

  /** True while the browser blocks autoplaying audio; a button offers to start it. */
  @state()
  private audioBlocked = false;

  @state()
  private columns = 1;

  #resizeObserver: ResizeObserver | null = null;
  #size = { width: 0, height: 0 };

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resizeObserver = new ResizeObserver((entries) => {
      const box = entries[0]?.contentRect;
      if (!box) return;
      this.#size = { width: box.width, height: box.height };
      this.#relayout();
    });
    this.#resizeObserver.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resizeObserver?.disconnect();
    this.#resizeObserver = null;
  }

  /** Which view is shown: `tutor` or `student` (reflected as `view`, for styling). */
  get view(): 'tutor' | 'student' {
    return this.currentSession?.role === 'tutor' ? 'tutor' : 'student';
  }

  /** The remote participants shown (local excluded). */
  get remoteParticipants(): readonly Participant[] {
    return this.currentSession?.participants.filter((p) => !p.isLocal) ?? [];
  }

  #relayout(): void {
    const students = this.remoteParticipants.filter((p) => p.role !== 'tutor' || this.view === 'tutor');
    const { columns } = chooseGridLayout(Math.max(1, students.length), this.#size.width, this.#size.height || this.#size.width * 0.5625);
    if (columns > 0 && columns !== this.columns) this.columns = columns;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.#relayout();
  }

  protected override updated(): void {
    // The only writer of the `view` attribute.
    this.setAttribute('view', this.view);
  }

  readonly #onAutoplayBlocked = (): void => {
    this.audioBlocked = true;
  };

  #enableAudio(): void {
    const tiles = [...this.renderRoot.querySelectorAll<ParticipantTile>('participant-tile')];
    // A play() aborted by a new stream is not a refusal: only NotAllowedError keeps the button.
    void Promise.allSettled(tiles.map((tile) => tile.play())).then((results) => {
      const refused = results.some((r) => r.status === 'rejected' && r.reason instanceof DOMException && r.reason.name === 'NotAllowedError');
      if (!refused) this.audioBlocked = false;
    });
  }

  protected override render() {
    const s = this.text;
    const session = this.currentSession;
    const remote = this.remoteParticipants;
    const enableAudio = this.audioBlocked
      ? html`<button part="enable-audio" class="primary" @click=${this.#enableAudio}>${icons.speaker}${s.enableAudio}</button>`
      : nothing;

    if (this.view === 'tutor') {
      const students = remote;
      return html`${enableAudio}
        ${students.length === 0
          ? html`<div part="empty">${s.noStudentsYet}</div>`
          : html`<div part="grid" role="list" aria-label=${s.participants} style=${styleMap({ '--_columns': String(this.columns) })}>
              ${repeat(students, (p) => p.id, (p) => this.#tile(p, session, false))}
            </div>`}`;
    }

    const tutor = remote.find((p) => p.role === 'tutor');
    const classmates = remote.filter((p) => p !== tutor);
    return html`${enableAudio}
      <div class="stage">
        ${tutor ? this.#tile(tutor, session, true) : html`<div part="waiting" role="status">${s.waitingForTutor}</div>`}
        ${classmates.length > 0
          ? html`<div part="strip" role="list" aria-label=${s.participants}>
              ${repeat(classmates, (p) => p.id, (p) => this.#tile(p, session, false))}
            </div>`
          : nothing}
      </div>`;
  }

  #tile(p: Participant, session: LiveSession | undefined, main: boolean): TemplateResult {
    return html`<participant-tile
      part=${main ? 'tile main' : 'tile'}
      exportparts=${TILE_PARTS}
      role=${main ? nothing : 'listitem'}
      data-participant=${p.id}
      ?data-main=${main}
      .session=${session}
      .participant=${p}
      .strings=${this.strings}
      @ls-autoplay-blocked=${this.#onAutoplayBlocked}
    ></participant-tile>`;
  }
}
