import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { query, state } from 'lit/decorators.js';
import { chatSegments } from '../../core/chat.js';
import type { ChatEntry, SessionErrorDetail } from '../../core/events.js';
import type { LiveSession } from '../../core/live-session.js';
import { LIMITS } from '../../protocol/index.js';
import { SessionListeners } from '../../controllers/session-listeners.js';
import { buttonStyles, themeStyles } from '../shared/base.styles.js';
import { icons } from '../shared/icons.js';
import { SessionElement } from '../shared/session-element.js';
import type { LiveSessionStrings } from '../shared/strings.js';
import { sessionChatStyles } from './session-chat.styles.js';

/** The room requests whose refusals the chat shows. */
const CHAT_REQUESTS = new Set(['LS-CHAT', 'LS-CHAT-DELETE', 'LS-CHAT-POLICY']);

/**
 * The messages' time format, made on first use: building an Intl formatter
 * loads locale data, tens of milliseconds on a cold page, and most pages
 * render no chat message before their first picture.
 */
let timeFormat: Intl.DateTimeFormat | undefined;
function formatTime(at: number): string {
  timeFormat ??= new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
  return timeFormat.format(at);
}

/**
 * @customElement session-chat
 * @summary The room's chat: the messages so far (those sent before you joined
 * included), a box to write to everyone or privately, and for a tutor, a
 * Delete button on each message and a switch for students' messages to everyone.
 *
 * Messages are plain text; web links in them become links that open in a new
 * tab. Enter sends, Shift+Enter starts a new line. New messages are announced
 * politely to screen readers (the list is a `log`). A student may write
 * privately only to a tutor; a tutor to anyone. Inside `<live-session>` (its
 * Chat button) it follows the session from context; on its own, set the
 * `session` property to a `LiveSession`.
 *
 * @csspart heading - The "Chat" heading.
 * @csspart messages - The scrolling list of messages (a `log`).
 * @csspart message - One message (also `message private` for a private one, `message own` for yours).
 * @csspart sender - The sender's name.
 * @csspart sender-role - "Tutor" beside a tutor's name (the role the server gave, whatever the name says).
 * @csspart recipient - "to … (private)" after the sender of a private message.
 * @csspart text - The text of a message.
 * @csspart delete - A tutor's Delete button on a message.
 * @csspart empty - Shown while there are no messages.
 * @csspart chat-status - Says that students may not write to everyone.
 * @csspart chat-error - Why the last message was not sent.
 * @csspart composer - The form: recipient, message box, Send.
 * @csspart send - The Send button.
 * @csspart policy - The tutor's switch for students' messages to everyone.
 *
 * @cssprop --live-session-text - Text colour.
 * @cssprop --live-session-muted-text - Times, recipients and status.
 * @cssprop --live-session-accent - Links and private messages' tint.
 * @cssprop --live-session-danger - Errors.
 */
export class SessionChat extends SessionElement {
  static override styles = [themeStyles, buttonStyles, sessionChatStyles];

  @state() private draft = '';
  /** '' for everyone, else a peer id. */
  @state() private recipient = '';
  @state() private problem = '';

  @query('[part="messages"]') private messagesList?: HTMLElement;

  #shown = 0;
  #stuckToBottom = true;

  readonly #refusals = new SessionListeners(this, {
    error: (e) => this.#onError(e.detail),
    'chat-message': (e) => {
      if (e.detail.message.isLocal) this.problem = '';
    },
  });

  protected override sessionChanged(session: LiveSession | undefined): void {
    this.#refusals.session = session;
    this.problem = '';
  }

  /** Moves keyboard focus to the message box. */
  override focus(options?: FocusOptions): void {
    this.renderRoot.querySelector('textarea')?.focus(options);
  }

  #onError(detail: SessionErrorDetail): void {
    if (detail.request !== undefined && CHAT_REQUESTS.has(detail.request)) this.problem = detail.message;
  }

  /** Who the local participant may write to privately: a tutor anyone else, a student the tutors. */
  #privateOptions(session: LiveSession): { id: string; name: string }[] {
    const tutor = session.role === 'tutor';
    return session.participants.filter((p) => !p.isLocal && (tutor || p.role === 'tutor')).map((p) => ({ id: p.id, name: p.name }));
  }

  #send(session: LiveSession): void {
    const text = this.draft;
    if (text.trim() === '') return;
    const options = this.#privateOptions(session);
    const to = options.some((o) => o.id === this.recipient) ? this.recipient : undefined;
    const mustBePrivate = !session.studentsMayChat && session.role !== 'tutor';
    if (to === undefined && mustBePrivate && options[0]) {
      this.recipient = options[0].id;
      return this.#send(session);
    }
    this.problem = '';
    if (session.sendChat(text, to === undefined ? {} : { to })) {
      this.draft = '';
      this.#stuckToBottom = true;
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const list = this.messagesList;
    // Follow new messages only when the reader is at the bottom already.
    if (list) this.#stuckToBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const count = this.currentSession?.chat.length ?? 0;
    const list = this.messagesList;
    if (list && count !== this.#shown && this.#stuckToBottom) list.scrollTop = list.scrollHeight;
    this.#shown = count;
  }

  protected override render() {
    const session = this.currentSession;
    if (!session) return nothing;
    const s = this.text;
    const messages = session.chat;
    const tutor = session.role === 'tutor';
    const options = this.#privateOptions(session);
    const publicAllowed = tutor || session.studentsMayChat;
    const recipient = options.some((o) => o.id === this.recipient) ? this.recipient : publicAllowed ? '' : (options[0]?.id ?? '');
    const canSend = session.phase === 'joined' && (publicAllowed || options.length > 0);
    return html`<h2 part="heading">${s.chat}</h2>
      <div part="messages" role="log" aria-label=${s.chatMessages} tabindex="0">
        ${messages.length === 0 ? html`<p part="empty">${s.noMessagesYet}</p>` : nothing}
        ${messages.map((m) => this.#renderMessage(m, s, tutor))}
      </div>
      ${!session.studentsMayChat && !tutor ? html`<p part="chat-status">${s.chatOffForStudents}</p>` : nothing}
      ${this.problem ? html`<p part="chat-error" role="alert">${this.problem}</p>` : nothing}
      <form
        part="composer"
        @submit=${(e: Event) => {
          e.preventDefault();
          this.#send(session);
        }}
      >
        ${options.length > 0
          ? html`<label
              >${s.sendTo}
              <select
                .value=${recipient}
                @change=${(e: Event) => (this.recipient = (e.target as HTMLSelectElement).value)}
              >
                <option value="" ?disabled=${!publicAllowed} ?selected=${recipient === ''}>${s.everyone}</option>
                ${options.map((o) => html`<option value=${o.id} ?selected=${recipient === o.id}>${s.privatelyTo(o.name)}</option>`)}
              </select></label
            >`
          : nothing}
        <textarea
          aria-label=${s.message}
          rows="2"
          maxlength=${LIMITS.chatMaxLength}
          .value=${this.draft}
          ?disabled=${!canSend}
          @input=${(e: InputEvent) => (this.draft = (e.target as HTMLTextAreaElement).value)}
          @keydown=${(e: KeyboardEvent) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              this.#send(session);
            }
          }}
        ></textarea>
        <div class="row">
          ${tutor
            ? html`<label part="policy"
                ><input
                  type="checkbox"
                  .checked=${session.studentsMayChat}
                  @change=${(e: Event) => session.setStudentsMayChat((e.target as HTMLInputElement).checked)}
                />${s.studentsMayChat}</label
              >`
            : html`<span></span>`}
          <button part="send" type="submit" class="primary" ?disabled=${!canSend}>${s.send}</button>
        </div>
      </form>`;
  }

  #renderMessage(m: ChatEntry, s: LiveSessionStrings, tutor: boolean): TemplateResult {
    const sender = m.isLocal ? s.you : m.from.name;
    const parts = ['message', ...(m.isPrivate ? ['private'] : []), ...(m.isLocal ? ['own'] : [])].join(' ');
    return html`<div part=${parts} data-message=${m.id}>
      <div class="meta">
        <span part="sender">${sender}</span>
        ${m.from.role === 'tutor' ? html`<span part="sender-role">${s.tutor}</span>` : nothing}
        ${m.to ? html`<span part="recipient">${s.privateTo(m.to.userId === this.currentSession?.userId ? s.you : m.to.name)}</span>` : nothing}
        <time datetime=${new Date(m.sentAt).toISOString()}>${formatTime(m.sentAt)}</time>
        ${tutor
          ? html`<button part="delete" aria-label=${s.deleteMessageFrom(sender)} @click=${() => this.currentSession?.deleteChatMessage(m.id)}>
              ${icons.remove}
            </button>`
          : nothing}
      </div>
      <p part="text">${chatSegments(m.text).map((segment) =>
        segment.href ? html`<a href=${segment.href} title=${segment.href} target="_blank" rel="noopener noreferrer nofollow">${segment.text}</a>` : segment.text,
      )}</p>
    </div>`;
  }
}
