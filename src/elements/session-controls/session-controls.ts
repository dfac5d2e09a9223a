import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { LiveSession } from '../../core/live-session.js';
import { SessionListeners } from '../../controllers/session-listeners.js';
import { buttonStyles, themeStyles } from '../shared/base.styles.js';
import { icons } from '../shared/icons.js';
import { SessionElement } from '../shared/session-element.js';
import { REACTION_SYMBOLS, type LiveSessionStrings } from '../shared/strings.js';
import { REACTIONS, type RecordingEntry } from '../../protocol/index.js';
import { sessionControlsStyles } from './session-controls.styles.js';

/**
 * @customElement session-controls
 * @summary The control bar: microphone and camera toggles, raise or lower the
 * hand, reactions, share screen (tutors; students when allowed), talking
 * stick, students may share, mute everyone and, with `attendance`, download
 * attendance (tutor), leave, the tutor's request to unmute and invitation to
 * speak (Accept / Decline).
 *
 * Before the join (and after leaving) only the microphone and camera toggles
 * are shown. Inside `<live-session>` it follows the session from context; on
 * its own, set the `session` property to a `LiveSession`. Every button is a
 * real `<button>` whose accessible name says what it does; toggles carry
 * `aria-pressed`.
 *
 * @csspart bar - The toolbar holding the buttons.
 * @csspart control - Each button (also `control leave` for the Leave button).
 * @csspart request - The tutor's request to unmute, or invitation to speak (also `request invitation`), or why a share failed (`request share-error`), or why the attendance was not downloaded (`request attendance-error`).
 * @csspart recording - "Recording", shown to everyone while the lesson is recorded.
 * @csspart recordings - Tutors: the room's recordings (a disclosure with download links).
 * @csspart reactions - The group of reaction buttons, shown by the React button.
 * @csspart reaction - Each reaction button (also a `control`).
 *
 * @cssprop --live-session-gap - Space between buttons.
 * @cssprop --live-session-surface - Button background.
 * @cssprop --live-session-text - Button text colour.
 * @cssprop --live-session-accent - Pressed toggles.
 * @cssprop --live-session-accent-text - Text on pressed toggles.
 * @cssprop --live-session-danger - Leave button colour.
 * @cssprop --live-session-focus-ring - Keyboard focus outline.
 * @cssprop --live-session-radius - Button corner radius (two thirds of it).
 */
export class SessionControls extends SessionElement {
  static override styles = [themeStyles, buttonStyles, sessionControlsStyles];

  /**
   * Shows tutors a Download attendance button (the room's attendance as a CSV
   * file). Set it when the server records attendance (see docs/attendance.md).
   */
  @property({ type: Boolean })
  attendance = false;

  /** The tutor asked to unmute, and the microphone is still off. */
  @state()
  private unmuteRequested = false;

  /** The reaction buttons are shown. */
  @state()
  private reactionsOpen = false;

  /** Why the last share did not start (cleared by the next try). */
  @state()
  private shareError = '';

  /** The attendance download under way. */
  @state()
  private attendancePending = false;

  /** Why the last attendance download failed (cleared by the next try). */
  @state()
  private attendanceError = '';

  readonly #requests = new SessionListeners(this, {
    'unmute-requested': () => (this.unmuteRequested = true),
  });
  protected override sessionChanged(session: LiveSession | undefined): void {
    this.unmuteRequested = false;
    this.shareError = '';
    this.attendanceError = '';
    this.#requests.session = session;
  }

  #toggleMic(session: LiveSession): void {
    this.unmuteRequested = false;
    void session.toggleMic();
  }

  #toggleShare(session: LiveSession): void {
    this.shareError = '';
    if (session.isSharingScreen) {
      void session.stopScreenShare();
      return;
    }
    session.startScreenShare().catch((error: unknown) => {
      // The user closing the browser's picker is a choice, not a failure.
      if (error instanceof DOMException && (error.name === 'NotAllowedError' || error.name === 'AbortError')) return;
      const code = (error as { code?: unknown }).code;
      this.shareError = code === 'share-not-allowed' ? this.text.shareNotAllowed : this.text.shareFailed;
    });
  }

  #downloadAttendance(session: LiveSession): void {
    this.attendanceError = '';
    this.attendancePending = true;
    session
      .downloadAttendance()
      .catch((error: unknown) => {
        this.attendanceError = this.text.attendanceFailed(error instanceof Error ? error.message : String(error));
      })
      .finally(() => (this.attendancePending = false));
  }

  protected override render() {
    const session = this.currentSession;
    if (!session) return nothing;
    const s = this.text;
    const inRoom = session.phase === 'joined';
    const invited = inRoom && session.peerId !== null && session.floor.invited.includes(session.peerId);
    return html`<div part="bar" role="toolbar" aria-label=${s.sessionControls}>
      ${inRoom && session.recording.active ? html`<span part="recording" role="status"><span aria-hidden="true">●</span> ${s.recordingNow}</span>` : nothing}
      ${inRoom && this.unmuteRequested && !session.isAudioOn
        ? html`<span part="request" role="alert">${s.unmuteRequested}</span>`
        : nothing}
      ${invited
        ? html`<span part="request invitation" role="alert"
            >${s.invitedToSpeak}
            <button part="control" data-control="accept-floor" class="primary" @click=${() => session.answerInvitation(true)}>${s.accept}</button>
            <button part="control" data-control="decline-floor" @click=${() => session.answerInvitation(false)}>${s.decline}</button></span
          >`
        : nothing}
      <button
        part="control"
        aria-pressed=${session.isAudioOn ? 'false' : 'true'}
        data-control="mic"
        @click=${() => this.#toggleMic(session)}
      >
        ${session.isAudioOn ? icons.mic : icons.micOff}<span class="label">${session.isAudioOn ? s.muteMicrophone : s.unmuteMicrophone}</span>
      </button>
      <button
        part="control"
        aria-pressed=${session.isVideoOn ? 'false' : 'true'}
        data-control="camera"
        @click=${() => void session.toggleCamera()}
      >
        ${session.isVideoOn ? icons.camera : icons.cameraOff}<span class="label">${session.isVideoOn ? s.turnCameraOff : s.turnCameraOn}</span>
      </button>
      ${inRoom ? this.#renderRoomControls(session, s) : nothing}
    </div>`;
  }

  #renderRecordings(session: LiveSession, recordings: readonly RecordingEntry[], s: LiveSessionStrings) {
    return html`<details part="recordings">
      <summary>${s.recordings(recordings.length)}</summary>
      <ul>
        ${recordings.map(
          (recording) => html`<li data-recording=${recording.id} data-state=${recording.state}>
            <time datetime=${new Date(recording.startedAt).toISOString()}>${new Date(recording.startedAt).toLocaleString()}</time>
            ${recording.state === 'converting' ? html`<span>${s.recordingConverting}</span>` : nothing}
            ${recording.state === 'failed' ? html`<span title=${recording.message ?? nothing}>${s.recordingFailed}</span>` : nothing}
            ${recording.state === 'ready' && recording.message ? html`<span data-partial title=${recording.message}>${s.recordingPartial}</span>` : nothing}
            ${recording.files.map((file) => {
              // Only a file under the server's recordings/ gets a link (see recordingUrl).
              const href = session.recordingUrl(file.path);
              return href === null ? nothing : html`<a href=${href} download data-kind=${file.kind}>${file.kind === 'video' ? s.recordingVideo : s.recordingAudio}</a>`;
            })}
          </li>`,
        )}
      </ul>
    </details>`;
  }

  #renderRoomControls(session: LiveSession, s: LiveSessionStrings) {
    return html`<button
        part="control"
        data-control="hand"
        aria-pressed=${session.isHandRaised ? 'true' : 'false'}
        @click=${() => (session.isHandRaised ? session.lowerHand() : session.raiseHand())}
      >
        ${icons.hand}<span class="label">${session.isHandRaised ? s.lowerHand : s.raiseHand}</span>
      </button>
      <button
        part="control"
        data-control="react"
        aria-expanded=${this.reactionsOpen ? 'true' : 'false'}
        @click=${() => (this.reactionsOpen = !this.reactionsOpen)}
      >
        <span aria-hidden="true">${REACTION_SYMBOLS['thumbs-up']}</span><span class="label">${s.react}</span>
      </button>
      ${this.reactionsOpen
        ? html`<span part="reactions" role="group" aria-label=${s.reactions}>
            ${REACTIONS.map(
              (reaction) => html`<button
                part="control reaction"
                data-reaction=${reaction}
                aria-label=${s.reactionNames[reaction]}
                title=${s.reactionNames[reaction]}
                @click=${() => {
                  session.react(reaction);
                  this.reactionsOpen = false;
                }}
              >
                <span aria-hidden="true">${REACTION_SYMBOLS[reaction]}</span>
              </button>`,
            )}
          </span>`
        : nothing}
      ${session.canShareScreen || session.isSharingScreen
        ? html`<button
            part="control"
            data-control="share"
            aria-pressed=${session.isSharingScreen ? 'true' : 'false'}
            @click=${() => this.#toggleShare(session)}
          >
            ${icons.screen}<span class="label">${session.isSharingScreen ? s.stopSharing : s.shareScreen}</span>
          </button>`
        : nothing}
      ${this.shareError ? html`<span part="request share-error" role="alert">${this.shareError}</span>` : nothing}
      ${session.role === 'tutor'
        ? html`<button
            part="control"
            data-control="students-share"
            aria-pressed=${session.screenShare.studentsMayShare ? 'true' : 'false'}
            @click=${() => session.setStudentsMayShare(!session.screenShare.studentsMayShare)}
          >
            ${icons.screen}<span class="label">${s.studentsMayShare}</span>
          </button>`
        : nothing}
      ${session.role === 'tutor'
        ? html`<button
            part="control"
            data-control="talking-stick"
            aria-pressed=${session.floor.talkingStick ? 'true' : 'false'}
            title=${s.talkingStick}
            @click=${() => session.setTalkingStick(!session.floor.talkingStick)}
          >
            ${icons.mic}<span class="label">${s.talkingStick}</span>
          </button>`
        : nothing}
      ${session.role === 'tutor' && session.recording.available
        ? html`<button
            part="control"
            data-control="record"
            aria-pressed=${session.recording.active ? 'true' : 'false'}
            @click=${() => (session.recording.active ? session.stopRecording() : session.startRecording())}
          >
            <span aria-hidden="true">●</span><span class="label">${session.recording.active ? s.stopRecording : s.record}</span>
          </button>`
        : nothing}
      ${session.role === 'tutor' && session.recording.recordings?.length ? this.#renderRecordings(session, session.recording.recordings, s) : nothing}
      ${session.role === 'tutor'
        ? html`<button part="control" data-control="mute-all" @click=${() => session.muteAll()}>${icons.micOff}<span class="label">${s.muteAll}</span></button>`
        : nothing}
      ${session.role === 'tutor' && this.attendance
        ? html`<button
            part="control"
            data-control="attendance"
            aria-disabled=${this.attendancePending ? 'true' : 'false'}
            @click=${() => {
              if (!this.attendancePending) this.#downloadAttendance(session);
            }}
          >
            ${icons.download}<span class="label">${s.downloadAttendance}</span>
          </button>`
        : nothing}
      ${this.attendanceError ? html`<span part="request attendance-error" role="alert">${this.attendanceError}</span>` : nothing}
      <button part="control leave" data-control="leave" class="danger" @click=${() => void session.leave()}>
        ${icons.leave}<span class="label">${s.leave}</span>
      </button>`;
  }
}
