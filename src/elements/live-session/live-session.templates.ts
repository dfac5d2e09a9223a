/**
 * The three views of `<live-session>` (pre-join, room, ended) as pure
 * templates of what the element passes in: no state of their own.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { LiveSession } from '../../core/live-session.js';
import { browserSupport, type CallProblem } from '../../core/support.js';
import type { LeaveReason } from '../../protocol/index.js';
import { icons } from '../shared/icons.js';
import type { LiveSessionStrings } from '../shared/strings.js';
import type { Notice } from './notices.js';
import type { GridLayoutMode } from '../../core/stage.js';

/** The parts of the inner elements that `<live-session>` forwards (`exportparts`). */
const GRID_PARTS =
  'grid, pager, pin-button, quality, page-previous, page-next, page-status, tile, video, placeholder, initials, name, indicator, hand-badge, reaction-badge, floor-badge, tile-actions, strip, waiting, empty, enable-audio, connection-badge, screen, screen-video, screen-caption, screen-placeholder, screen-fullscreen, pip, screen-preview';
const CONTROLS_PARTS = 'control, request, reactions, reaction';
const LIST_PARTS =
  'heading, list, participant, role, hand-queue, reaction: list-reaction, reaction-tally, floor: list-floor, admission, waiting-list, admit, deny, admit-all';
const CHAT_PARTS =
  'heading: chat-heading, messages: chat-messages, message: chat-message, sender: chat-sender, sender-role: chat-sender-role, recipient: chat-recipient, text: chat-text, delete: chat-delete, empty: chat-empty, chat-status, chat-error, composer: chat-composer, send: chat-send, policy: chat-policy';
const DEVICE_PARTS = 'field: device-field, select: device-select, camera-select, microphone-select, mic-level';
const PREVIEW_PARTS =
  'video: preview-video, placeholder: preview-placeholder, initials: preview-initials, label: preview-label, mic-indicator: preview-mic-indicator, reaction-badge: preview-reaction-badge';

export interface ViewInput {
  session: LiveSession;
  /** The merged strings, for this template. */
  s: LiveSessionStrings;
  /** The page's replacements, passed down to the inner elements. */
  strings: Partial<LiveSessionStrings> | undefined;
  notices: readonly Notice[];
}

function notices(input: ViewInput): TemplateResult[] {
  return input.notices.map((notice) => html`<p part="notice" role="alert" data-kind=${notice.kind}>${notice.text}</p>`);
}

export function prejoinView(
  input: ViewInput & { askName: boolean; nameInput: string; onName: (name: string) => void; onJoin: () => void },
): TemplateResult {
  const { session, s, strings } = input;
  const joining = session.phase === 'joining';
  if (session.isWaiting) {
    return html`<section part="prejoin" aria-label=${s.join}>
      <self-preview exportparts=${PREVIEW_PARTS} .strings=${strings}></self-preview>
      <session-controls part="controls" exportparts=${CONTROLS_PARTS} .strings=${strings}></session-controls>
      <p part="waiting-room" role="status">${s.waitingToBeLetIn}</p>
      <button part="join-button" class="danger" @click=${() => void session.leave()}>${s.leave}</button>
    </section>`;
  }
  return html`<section part="prejoin" aria-label=${s.join}>
    <self-preview exportparts=${PREVIEW_PARTS} .strings=${strings}></self-preview>
    <session-controls part="controls" exportparts=${CONTROLS_PARTS} .strings=${strings}></session-controls>
    ${joining ? nothing : html`<device-settings part="devices" exportparts=${DEVICE_PARTS} .strings=${strings}></device-settings>`}
    ${notices(input)}
    ${input.askName
      ? html`<label part="name-field">
          <span>${s.yourName}</span>
          <input
            .value=${input.nameInput}
            autocomplete="name"
            maxlength="64"
            @input=${(e: InputEvent) => input.onName((e.target as HTMLInputElement).value)}
            @keydown=${(e: KeyboardEvent) => {
              if (e.key === 'Enter') input.onJoin();
            }}
          />
        </label>`
      : nothing}
    <slot name="prejoin"></slot>
    <button part="join-button" class="primary" ?disabled=${joining} @click=${input.onJoin}>${joining ? s.joining : s.join}</button>
  </section>`;
}

/**
 * While a join that started without the pre-join step on screen (`autojoin`)
 * is under way: a status only. The room follows in a moment; a preview card
 * rendered and laid out in between would cost a cold page part of its first
 * second for a view shown for a blink. A join that waits to be let in shows
 * the full waiting view (see prejoinView); one that fails returns to the
 * pre-join step.
 */
export function joiningView(input: ViewInput): TemplateResult {
  return html`<section part="prejoin" aria-label=${input.s.join} aria-busy="true" data-joining>
    <p part="joining-status" role="status">${input.s.joining}</p>
    ${notices(input)}
  </section>`;
}

/**
 * In place of the room when this browser cannot make calls: what is wrong and
 * what to do, with the camera preview and device pickers when the devices
 * work (a check before switching browsers), and no Join button.
 */
export function unsupportedView(input: ViewInput & { problem: CallProblem }): TemplateResult {
  const { session, s, strings } = input;
  const mediaWorks = browserSupport().media;
  return html`<section part="unsupported" aria-labelledby="unsupported-heading" data-problem=${input.problem}>
    <h2 id="unsupported-heading" part="unsupported-heading">${s.callsUnsupported}</h2>
    <p part="unsupported-reason" role="alert">${input.problem === 'insecure-context' ? s.insecureContext : s.webrtcUnsupported}</p>
    ${mediaWorks && session.phase !== 'left'
      ? html`<self-preview exportparts=${PREVIEW_PARTS} .strings=${strings}></self-preview>
          <device-settings part="devices" exportparts=${DEVICE_PARTS} .strings=${strings}></device-settings>
          <p part="preview-only">${s.previewOnly}</p>`
      : nothing}
  </section>`;
}

export interface ChatPanelInput {
  chatOpen: boolean;
  /** Messages from others that arrived while the chat was closed. */
  unread: number;
  onToggleChat: () => void;
  /** The device settings panel (cameras and microphones, in the call). */
  settingsOpen: boolean;
  onToggleSettings: () => void;
  /** Narrow layouts: the participant list as a sheet over the room. */
  participantsOpen: boolean;
  onToggleParticipants: (open?: boolean) => void;
}

/** Whether to say that our own connection is poor: 'own', or 'shared' when only one other connection was measured (either side may be the cause). */
function unstable(session: LiveSession): 'own' | 'shared' | null {
  const self = session.participants.find((p) => p.isLocal);
  if (self?.connectionQuality !== 'poor') return null;
  const measured = session.participants.filter((p) => !p.isLocal && p.connectionQuality !== null).length;
  return measured <= 1 ? 'shared' : 'own';
}

export function roomView(
  input: ViewInput & ChatPanelInput & { onDismiss: () => void; attendance: boolean; layout: GridLayoutMode; onToggleLayout: () => void },
): TemplateResult {
  const { session, s, strings } = input;
  const unstableAs = unstable(session);
  return html`<section
    part="room"
    aria-label=${session.room ?? ''}
    ?data-chat-open=${input.chatOpen || input.settingsOpen}
    ?data-participants-open=${input.participantsOpen}
  >
    ${session.connectionState === 'reconnecting'
      ? html`<p part="banner" role="status">${s.reconnecting}</p>`
      : !session.incomingVideo
        ? html`<div part="banner incoming-video-banner">
            <span role="status">${s.incomingVideoIsOff}</span>
            <button part="control incoming-video" data-control="incoming-video" @click=${() => session.setIncomingVideo(true)}>${s.turnOnIncomingVideo}</button>
          </div>`
        : unstableAs
          ? html`<div part="banner quality-banner">
              <span role="status">${s.connectionUnstable(unstableAs === 'shared')}</span>
              <button part="control incoming-video" data-control="incoming-video" @click=${() => session.setIncomingVideo(false)}>${s.turnOffIncomingVideo}</button>
            </div>`
          : nothing}
    ${input.notices.length > 0
      ? html`<div part="notices">
          ${notices(input)}
          <button part="control dismiss" data-control="dismiss" @click=${input.onDismiss}>${s.dismiss}</button>
        </div>`
      : nothing}
    <div class="stage">
      <video-grid exportparts=${GRID_PARTS} .strings=${strings} .layout=${input.layout}></video-grid>
      <self-preview exportparts=${PREVIEW_PARTS} .strings=${strings}></self-preview>
    </div>
    <div class="side">
      <aside
        part="participants"
        id="participants-panel"
        aria-label=${s.participants}
        tabindex="0"
        @keydown=${(e: KeyboardEvent) => {
          if (e.key === 'Escape' && input.participantsOpen) input.onToggleParticipants(false);
        }}
      >
        ${input.participantsOpen
          ? html`<button part="control sheet-close" data-control="close-participants" @click=${() => input.onToggleParticipants(false)}>
              ${icons.remove}<span class="label">${s.close}</span>
            </button>`
          : nothing}
        <participant-list exportparts=${LIST_PARTS} .strings=${strings}></participant-list>
      </aside>
      ${input.settingsOpen
        ? html`<aside part="settings" id="settings-panel" aria-label=${s.settings}>
            <device-settings exportparts=${DEVICE_PARTS} .strings=${strings}></device-settings>
          </aside>`
        : nothing}
      ${input.chatOpen
        ? html`<aside part="chat" id="chat-panel" aria-label=${s.chat}>
            <session-chat exportparts=${CHAT_PARTS} .strings=${strings}></session-chat>
          </aside>`
        : nothing}
    </div>
    <div class="controls-row">
      <session-controls part="controls" exportparts=${CONTROLS_PARTS} .strings=${strings} ?attendance=${input.attendance}></session-controls>
      <button
        part="control participants-toggle"
        data-control="participants"
        aria-expanded=${input.participantsOpen ? 'true' : 'false'}
        aria-controls="participants-panel"
        @click=${() => input.onToggleParticipants()}
      >
        ${icons.people}<span class="label">${s.participants}</span>
      </button>
      <button
        part="control chat-toggle"
        data-control="chat"
        aria-expanded=${input.chatOpen ? 'true' : 'false'}
        aria-controls="chat-panel"
        @click=${input.onToggleChat}
      >
        ${icons.chat}<span class="label">${s.chat}</span>${input.unread > 0
          ? html`<span part="unread-badge" aria-hidden="true">${input.unread}</span><span class="visually-hidden">, ${s.unreadMessages(input.unread)}</span>`
          : nothing}
      </button>
      <button
        part="control layout-toggle"
        data-control="layout"
        aria-pressed=${input.layout === 'speaker' ? 'true' : 'false'}
        @click=${input.onToggleLayout}
      >
        ${input.layout === 'speaker' ? icons.speakerView : icons.gridView}<span class="label">${s.speakerView}</span>
      </button>
      <button
        part="control settings-toggle"
        data-control="settings"
        aria-expanded=${input.settingsOpen ? 'true' : 'false'}
        aria-controls="settings-panel"
        @click=${input.onToggleSettings}
      >
        ${icons.settings}<span class="label">${s.settings}</span>
      </button>
    </div>
  </section>`;
}

export function endedView(input: ViewInput & { reason: LeaveReason | null; linkExpired: boolean; onRejoin: () => void }): TemplateResult {
  const { s, reason } = input;
  const text =
    reason === 'removed' ? s.removed
    : reason === 'replaced' ? s.replaced
    : reason === 'left' || reason === null ? s.left
    : input.linkExpired ? s.linkExpired
    : s.disconnected;
  return html`<section part="ended">
    <p role="status">${text}</p>
    ${notices(input)}
    <slot name="ended"></slot>
    <button part="join-button" class="primary" @click=${input.onRejoin}>${s.rejoin}</button>
  </section>`;
}
